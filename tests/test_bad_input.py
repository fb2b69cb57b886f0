"""A user mistake gets one clear line (path:line: error: what; how to fix), never a traceback,
and it costs only the broken article: the others still build, and nothing half-written is left."""

from __future__ import annotations

import shutil

import pytest

from conftest import ROOT, SAMPLE, invoke

GOOD_HEAD = "---\ntitle: Sleep and Mood\ndescription: How sleep and mood affect each other.\nauthor: Care Team\n"

CASES = {
    "no-front-matter": (
        b"# Sleep and Mood\n\nText.\n",
        "no-front-matter.md:1: error: the file does not start with front matter; begin it with a line '---', "
        "the metadata (title, description, author), and another '---'",
    ),
    "unclosed-front-matter": (
        b"---\ntitle: Sleep\n\nText.\n",
        "unclosed-front-matter.md:1: error: the front matter is never closed; add a line '---' after the metadata",
    ),
    "malformed-yaml": (
        b"---\ntitle: Sleep\ndescription: [unclosed\nauthor: Team\n---\nText.\n",
        "malformed-yaml.md:4: error: front matter is not valid YAML: expected ',' or ']', but got ':'; "
        "check the indentation and quote values that contain ':' or '#'",
    ),
    "missing-title": (
        b"---\ndescription: About sleep.\nauthor: Team\n---\nText.\n",
        "missing-title.md:1: error: front matter is missing 'title'; add a line 'title: ...' between the '---' lines",
    ),
    "missing-author": (
        b"---\ntitle: Sleep\ndescription: About sleep.\n---\nText.\n",
        "missing-author.md:1: error: front matter is missing 'author'; "
        "add a line 'author: ...' between the '---' lines",
    ),
    "unknown-key": (
        (GOOD_HEAD + "reviewd: 2026-01-01\n---\nText.\n").encode(),
        "unknown-key.md:5: error: unknown front matter key 'reviewd'; use one of: title, description, author, "
        "last_reviewed, medical_reviewer, reviewed_version, category, lang, slug, newsletter, source_version",
    ),
    "bad-date": (
        (GOOD_HEAD + "last_reviewed: May 2026\n---\nText.\n").encode(),
        "bad-date.md:5: error: 'last_reviewed' is not a date: 'May 2026'; "
        "write it as YYYY-MM-DD, for example 2026-05-04",
    ),
    "impossible-date": (
        (GOOD_HEAD + "last_reviewed: 2026-13-45\n---\nText.\n").encode(),
        "impossible-date.md:2: error: front matter is not valid YAML: month must be in 1..12; "
        "write dates as YYYY-MM-DD and quote other odd values",
    ),
    "empty-body": (
        (GOOD_HEAD + "---\n\n   \n").encode(),
        "empty-body.md:6: error: the article has no text after the front matter; "
        "write the article below the second '---'",
    ),
    "not-utf8": (
        (GOOD_HEAD + "---\nCaf\xe9 text.\n").encode("latin-1"),
        "not-utf8.md:6: error: the file is not UTF-8 text (byte 0xe9); save it as UTF-8 in your editor",
    ),
    "control-character": (
        (GOOD_HEAD + "---\nPasted from Word\x1f here.\n").encode(),
        "control-character.md:6: error: the file contains the invisible control character U+001F, which XHTML, "
        "PDF text and email cannot carry; delete it (it usually comes from pasting from a word processor)",
    ),
    "image-without-alt": (
        (GOOD_HEAD + "---\n![Brain cells joined](images/connections.png)\n\n![](images/connections.png)\n").encode(),
        "image-without-alt.md:8: error: image 'images/connections.png' has no alternative text; "
        "describe it for screen readers: ![What the picture shows](...)",
    ),
    "python-tag": (
        (GOOD_HEAD + "category: !!python/object/apply:os.system ['echo hacked']\n---\nText.\n").encode(),
        "python-tag.md:5: error: front matter is not valid YAML: YAML tag not allowed in front matter ",
    ),
}


@pytest.fixture(scope="module")
def bad_build(tmp_path_factory):
    """One build over the good sample plus every broken source: all mistakes reported, the sample built."""
    folder = tmp_path_factory.mktemp("bad")
    sources = folder / "sources"
    sources.mkdir()
    shutil.copy(ROOT / "sources" / f"{SAMPLE}.md", sources)
    shutil.copytree(ROOT / "tests" / "fixtures" / "rich" / "images", sources / "images")
    for name, (content, _) in CASES.items():
        (sources / f"{name}.md").write_bytes(content)
    result = invoke("-r", str(ROOT), "build", "--sources", str(sources), "--out", str(folder / "build"), cwd=folder)
    return folder, result


@pytest.mark.parametrize("name", CASES)
def test_a_broken_source_gets_its_exact_message(bad_build, name):
    folder, result = bad_build
    expected = CASES[name][1]
    lines = [line for line in result.stderr.splitlines() if line.startswith(f"sources/{name}.md:")]
    assert lines, result.stderr
    assert all(line.startswith("sources/" + expected) for line in lines), lines[0]


@pytest.mark.parametrize("name", CASES)
def test_a_broken_source_leaves_no_file_in_build(bad_build, name):
    folder, _ = bad_build
    assert not [p for p in (folder / "build").rglob(f"{name}*")]


def test_the_other_articles_still_build_and_the_exit_code_says_it_failed(bad_build):
    folder, result = bad_build
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    for path in (
        f"handouts/{SAMPLE}.pdf",
        f"guides/{SAMPLE}.epub",
        f"newsletters/{SAMPLE}.html",
        f"newsletters/{SAMPLE}.txt",
    ):
        assert (folder / "build" / path).is_file(), path
    assert f"{len(CASES)} of {len(CASES) + 1} article(s) failed; the others were built." in result.stderr


def test_an_unknown_product_is_a_clear_error(tmp_path):
    result = invoke("build", "--only", "poster", "--out", str(tmp_path / "build"))
    assert result.returncode != 0
    assert result.stderr.strip() == "error: unknown product 'poster'; choose from handout, guide, newsletter, web"


def test_every_unknown_product_is_named(tmp_path):
    result = invoke("build", "--only", "poster,handout,flyer", "--out", str(tmp_path / "build"))
    assert result.returncode != 0
    assert result.stderr.strip() == (
        "error: unknown products 'poster', 'flyer'; choose from handout, guide, newsletter, web"
    )


def test_every_settings_problem_is_reported_at_once_each_with_its_line(project_copy):
    settings = project_copy / "pyproject.toml"
    text = (
        settings.read_text()
        .replace('paper_size = "letter"', 'paper_size = "tabloid"')
        .replace("review_policy_months = 12", 'review_policy_months = "twelve"')
        .replace("clinic_location =", "clinic_locaton =")
    )
    settings.write_text(text)

    def line(key: str) -> int:
        return text[: text.index(key)].count("\n") + 1

    result = invoke("build", cwd=project_copy)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    hint = "fix [tool.publishing] in pyproject.toml"
    assert result.stderr.strip().splitlines() == [
        f"pyproject.toml:{line('clinic_locaton')}: error: unknown setting 'clinic_locaton' in "
        f"[tool.publishing]; {hint}",
        f"pyproject.toml:{line('review_policy')}: error: setting 'review_policy_months' must be a whole number, not "
        f"'twelve'; {hint}",
        f"pyproject.toml:{line('paper_size')}: error: paper_size must be one of letter, a4; {hint}",
    ]


def test_every_front_matter_problem_is_reported_at_once(project_copy):
    source = project_copy / "sources/how-does-ketamine-work-for-depression.md"
    text = source.read_text().replace("author:", "auther:").replace("category: Conditions", "category: [1, 2]")
    source.write_text(text)
    result = invoke("build", "--only", "guide", cwd=project_copy)
    lines = result.stderr.strip().splitlines()
    path = "sources/how-does-ketamine-work-for-depression.md"
    assert lines[:3] == [
        f"{path}:{text[: text.index('auther')].count(chr(10)) + 1}: error: unknown front "
        "matter key 'auther'; use one of: title, description, author, last_reviewed, medical_reviewer, "
        "reviewed_version, category, lang, slug, newsletter, source_version",
        f"{path}:1: error: front matter is missing 'author'; add a line 'author: ...' between the '---' lines",
        f"{path}:{text[: text.index('category')].count(chr(10)) + 1}: error: 'category' must be text, not list; put "
        "the value in quotes",
    ]


def test_an_unknown_setting_is_reported_with_its_line(project_copy):
    settings = project_copy / "pyproject.toml"
    text = settings.read_text().replace('paper_size = "letter"', 'paper_sise = "letter"')
    settings.write_text(text)
    line = text[: text.index("paper_sise")].count("\n") + 1
    result = invoke("build", cwd=project_copy)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"pyproject.toml:{line}: error: unknown setting 'paper_sise' in "
        "[tool.publishing]; fix [tool.publishing] in pyproject.toml"
    )
