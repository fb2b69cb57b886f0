"""A source or a setting written to hurt (or by a slip) is an error at its line, fast, with no traceback,
and the other articles still build: a YAML anchor bomb, a file name that carries terminal escape codes,
a folder named like an article, settings of the wrong shape or out of bounds."""

from __future__ import annotations

import io
import re
import sys
import time
from pathlib import Path

import pytest

from conftest import SAMPLE, invoke

HEAD = "---\ntitle: {title}\ndescription: A test article.\nauthor: Care Team\n---\n\nText.\n"

# About 450 bytes: each line repeats the one before nine times, nine levels deep: 9^9 (387 million) strings.
ANCHOR_BOMB = """---
title: Bomb
description: x
author: y
category: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
---
Body
"""
# A file name that clears the screen, homes the cursor and prints a verdict of its own, then hides the rest.
ESCAPING_NAME = "\x1b[2J\x1b[HALL CHECKS PASSED\x1b[8m\nPASS forged line.md"


@pytest.fixture(scope="module")
def hostile_sources(tmp_path_factory):
    """The sample beside an anchor bomb, a file named with escape codes, a folder and a link to a folder
    named *.md; built (guides only: what is tested is discovery and loading) and checked."""
    from conftest import copy_project

    project = copy_project(tmp_path_factory.mktemp("hostile-sources"))
    sources = project / "sources"
    (sources / "anchor-bomb.md").write_text(ANCHOR_BOMB)
    (sources / ESCAPING_NAME).write_text("---\ndescription: no title\nauthor: x\n---\n\nText.\n")
    (sources / "notes.md").mkdir()
    (project / "elsewhere").mkdir()
    (sources / "linked.md").symlink_to(project / "elsewhere")
    started = time.monotonic()
    built = invoke("build", "--only", "guide", cwd=project)
    seconds = time.monotonic() - started
    checked = invoke("check", cwd=project)
    return project, built, checked, seconds


def test_a_yaml_anchor_bomb_is_an_error_at_its_line_at_once(hostile_sources):
    project, built, checked, seconds = hostile_sources
    line = (
        "sources/anchor-bomb.md:9: error: 'e' repeats YAML anchors (&name, *name) into more than 10,000 values; "
        "write the values out; front matter needs no anchors or aliases"
    )
    assert line in built.stderr and line in checked.stdout
    assert seconds < 60  # the whole build, JVM-free; the bomb itself is refused in milliseconds


def test_the_anchor_bomb_is_refused_in_milliseconds(tmp_path):
    from publishing.errors import PublishingError
    from publishing.frontmatter import read_source

    (tmp_path / "bomb.md").write_text(ANCHOR_BOMB)
    started = time.perf_counter()
    with pytest.raises(PublishingError, match="repeats YAML anchors"):
        read_source(tmp_path / "bomb.md")
    assert time.perf_counter() - started < 1


def test_an_anchor_used_honestly_still_loads(tmp_path):
    """A harmless use of anchors (a value repeated twice) is not an attack."""
    from publishing.frontmatter import read_source

    (tmp_path / "ok.md").write_text(
        "---\ntitle: &t Sleep\ndescription: *t\nauthor: Care Team\n---\n\nText.\n", encoding="utf-8"
    )
    assert read_source(tmp_path / "ok.md").metadata["description"] == "Sleep"


def test_a_file_name_with_escape_codes_is_printed_escaped_everywhere(hostile_sources):
    _, built, checked, _ = hostile_sources
    for output in (built.stdout, built.stderr, checked.stdout, checked.stderr):
        assert "\x1b" not in output
    shown = r"\x1b[2J\x1b[HALL CHECKS PASSED\x1b[8m\x0aPASS forged line"
    assert f"sources/{shown}.md:1: error: front matter is missing 'title'" in built.stderr
    assert re.search(rf"^FAIL  {re.escape(shown)} +source +loads ", checked.stdout, re.MULTILINE), checked.stdout
    assert not re.search(r"^PASS forged line", checked.stdout + built.stderr, re.MULTILINE)


def test_a_folder_or_a_link_to_one_named_like_an_article_is_refused_and_the_rest_builds(hostile_sources):
    project, built, checked, _ = hostile_sources
    assert "Traceback" not in built.stderr + checked.stderr
    for name in ("notes", "linked"):
        message = (
            f"sources/{name}.md: error: this is a folder (or a link to one), not an article, though its name ends "
            "in .md; rename it without .md, or move it out of the sources folder"
        )
        assert message in built.stderr and message in checked.stdout
    assert (project / "build/guides" / f"{SAMPLE}.epub").is_file()
    assert built.returncode == 1 and checked.returncode == 1


def test_the_rich_summary_shows_a_file_name_as_text_not_as_markup_or_escape_codes(monkeypatch):
    """At a terminal the build prints a rich table: a file name like '[bold]x' or with ESC in it is text."""
    from publishing.build import Outcome
    from publishing.report import RichReport

    screen = io.StringIO()
    monkeypatch.setattr(sys, "stdout", screen)
    report = RichReport()
    outcome = Outcome(source=Path("sources/[bold red]x\x1b[2J.md"), product="guide", error="boom")
    report.outcome(outcome)
    report.finish([outcome])
    text = screen.getvalue()
    assert "\x1b[2J" not in text and "[bold red]x\\x1b[2J" in text


# --- Settings -------------------------------------------------------------------------------------------


def _put(text: str, key: str, value: str) -> str:
    """The setting ``key`` given ``value`` at the top level of [tool.publishing] (added if it is not there)."""
    text, count = re.subn(rf"(?m)^{key} = .*$", lambda _: f"{key} = {value}", text, count=1)
    return text if count else text.replace("clinic_name =", f"{key} = {value}\nclinic_name =", 1)


def _settings_line(pyproject: Path, key: str) -> int:
    return next(n for n, line in enumerate(pyproject.read_text().splitlines(), 1) if line.startswith(f"{key} ="))


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("smtp", '"x"', "setting 'smtp' must be a table ([tool.publishing.smtp]), not 'x'"),
        ("newsletter", "3", "setting 'newsletter' must be a table ([tool.publishing.newsletter]), not 3"),
        ("article_url", '"https://www.example.org/{slug}/{page}"', "article_url has the placeholder {page}; use only"),
        (
            "article_url",
            '"https://www.example.org/{slug.__class__}"',
            "article_url has the placeholder {slug.__class__}; use only {slug}",
        ),
        ("article_url", '"https://www.example.org/{slug!r}"', "article_url has the placeholder {slug!r}"),
        ("article_url", '"https://www.example.org/{slug}/{"', "article_url has a stray brace"),
        ("translation_url", '"https://www.example.org/{lang}/{slug}/}"', "translation_url has a stray brace"),
        ("review_policy_months", "99999999999999", "setting 'review_policy_months' must be from 1 to 120"),
        ("review_policy_months", "0", "setting 'review_policy_months' must be from 1 to 120, not 0"),
        ("review_policy_months", "-6", "setting 'review_policy_months' must be from 1 to 120, not -6"),
        ("reading_grade_target", "nan", "setting 'reading_grade_target' must be from 1 to 20, not nan"),
        ("reading_grade_target", "inf", "setting 'reading_grade_target' must be from 1 to 20, not inf"),
        ("clinic_name", r'"Ketamine Uplift\r\nBcc: someone@example.org"', "setting 'clinic_name' contains the control"),
        (
            "clinic_name",
            '"=?utf-8?q?Ketamine_Uplift=0D=0ABcc:_someone@example.org?="',
            "setting 'clinic_name' contains the control character U+000D inside an encoded word (=?...?=)",
        ),
        ("sender_address", r'"news@example.org\nBcc: x@example.org"', "setting 'sender_address' contains the control"),
    ],
)
def test_a_setting_that_would_crash_or_pass_silently_is_an_error_at_its_line(project_copy, key, value, message):
    from publishing.errors import PublishingError
    from publishing.settings import load_settings

    pyproject = project_copy / "pyproject.toml"
    text = pyproject.read_text()
    if key in ("smtp", "newsletter"):  # a value in place of the table: the table goes
        text = re.sub(rf"(?ms)^\[tool\.publishing\.{key}[^\n]*\n.*?(?=^\[tool\.publishing\.(?!{key})|\Z)", "", text)
        text = text.replace("clinic_name =", f"{key} = {value}\nclinic_name =", 1)
    else:
        text = _put(text, key, value)
    pyproject.write_text(text)
    with pytest.raises(PublishingError) as refused:
        load_settings(pyproject)
    line = _settings_line(pyproject, key)
    shown = [str(error) for error in getattr(refused.value, "errors", [refused.value])]
    assert any(f"pyproject.toml:{line}: error: {message}" in error for error in shown), shown


def test_a_broken_setting_stops_the_command_without_a_traceback(project_copy):
    pyproject = project_copy / "pyproject.toml"
    pyproject.write_text(re.sub(r"(?m)^review_policy_months = .*$", "review_policy_months = 0", pyproject.read_text()))
    result = invoke("build", "--only", "guide", cwd=project_copy)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert re.search(r"^pyproject\.toml:\d+: error: setting 'review_policy_months' must be", result.stderr, re.M)


def test_sensible_settings_still_load(project_copy):
    """The harmless changes: a longer review period, patterns with their own placeholders, a multi-line
    postal address."""
    from publishing.settings import load_settings

    pyproject = project_copy / "pyproject.toml"
    text = pyproject.read_text()
    for key, value in (
        ("review_policy_months", "24"),
        ("reading_grade_target", "7.5"),
        ("article_url", '"https://www.example.org/guides/{slug}/"'),
        ("translation_url", '"https://www.example.org/{lang}/guides/{slug}/"'),
        ("postal_address", '"""1 Example Street\nExample Town, CA"""'),
    ):
        text = _put(text, key, value)
    pyproject.write_text(text)
    settings = load_settings(pyproject)
    assert settings.review_policy_months == 24 and settings.online_address("x") == "https://www.example.org/guides/x/"
