"""A check the gate remembers is reused only while nothing it read has changed: the message catalogs,
the settings, the other articles a link check reads, the validators. So a cached `invoke check` gives
the rows `invoke check --fresh` gives, whatever staff changed since the last clean check."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import time

import pytest

from conftest import SAMPLE, add_copies, add_spanish_translation, copy_project, invoke

CATALOG = "layouts/locale/es/LC_MESSAGES/messages.po"


def _rows(project, *args: str) -> list[tuple]:
    result = invoke("check", *args, cwd=project)
    assert "Traceback" not in result.stderr, result.stderr
    rows = json.loads((project / "build/check.json").read_text())["rows"]
    return [(r["article"], r["product"], r["check"], r["status"], r["detail"]) for r in rows]


def _edit(path, old, new):
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """The sample linking a second article, a Spanish translation with approved blocks, every article
    online (article_url), built and checked clean once."""
    project = copy_project(tmp_path_factory.mktemp("keys"))
    [other] = add_copies(project, 1)
    _edit(project / "pyproject.toml", 'article_url = ""', 'article_url = "https://www.example.org/guides/{slug}/"')
    with (project / f"sources/{SAMPLE}.md").open("a") as source:
        source.write(f"\nRead [the other article]({other}.md) too.\n")
    add_spanish_translation(project)
    assert invoke("approve-blocks", "--lang", "es", "--by", "Test Reviewer, RN", cwd=project).returncode == 0
    built = invoke("build", cwd=project)
    assert built.returncode == 0, built.stdout + built.stderr
    rows = _rows(project)
    assert not [row for row in rows if row[3] == "fail"], rows
    return project


@pytest.fixture
def project(library, tmp_path):
    folder = tmp_path / "project"
    shutil.copytree(library, folder)
    return folder


def test_an_emptied_spanish_message_fails_the_cached_check_as_the_build_would_and_its_fix_passes(project):
    catalog = project / CATALOG
    good = catalog.read_text()
    _edit(catalog, 'msgstr "Teléfono:"', 'msgstr ""')
    line = good.splitlines().index('msgstr "Teléfono:"') + 1
    cached = _rows(project)
    assert (
        f"{SAMPLE}.es",
        "source",
        "loads",
        "fail",
        f"{CATALOG}:{line - 1}: error: no Spanish for 'Phone:' (its translation is empty); translate it in {CATALOG}",
    ) in cached
    assert cached == _rows(project, "--fresh")
    catalog.write_text(good)  # fixed: the next cached check no longer keeps the old FAIL
    assert not [row for row in _rows(project) if row[3] == "fail"]


def test_deleting_an_article_another_links_to_is_seen_by_the_cached_link_check(project):
    (project / "sources/copy-0.md").unlink()
    cached = _rows(project)
    [links] = [row for row in cached if row[0] == SAMPLE and row[2].startswith("links")]
    assert (
        links[3] == "warn" and "the link to 'copy-0.md' becomes plain words in the products: not an article" in links[4]
    )
    assert cached == _rows(project, "--fresh")


def test_editing_one_article_still_reuses_the_other_articles_source_checks(project):
    _edit(project / "sources/copy-0.md", "Ketamine", "Esketamine")
    result = invoke("check", cwd=project)
    assert re.search(r"\d+ of \d+ checks made; \d+ reused", result.stdout), result.stdout


# --- The property: random edits to random inputs, cached == fresh ------------------------------------


def _edits(project):
    """What staff (or an update) may change between two checks, each as a function of a random source."""
    catalog = project / CATALOG

    def article_text(rng):
        path = rng.choice(sorted((project / "sources").glob("*.md")))
        with path.open("a") as source:
            source.write(f"\nOne more sentence, number {rng.randrange(1000)}.\n")

    def clinic_phone(rng):
        text = (project / "pyproject.toml").read_text()
        text = re.sub(
            r'clinic_phone = "\(310\) 280-44\d\d"', f'clinic_phone = "(310) 280-44{rng.randrange(10, 99)}"', text
        )
        (project / "pyproject.toml").write_text(text)

    def spanish_message(rng):
        lines = catalog.read_text().splitlines()
        filled = [i for i, line in enumerate(lines) if line.startswith('msgstr "') and line != 'msgstr ""']
        if filled:
            lines[rng.choice(filled)] = 'msgstr ""'
            catalog.write_text("\n".join(lines) + "\n")

    def restore_catalog(rng):
        shutil.copy(project.parent / "catalog.po", catalog)

    def delete_linked_article(rng):
        (project / "sources/copy-0.md").unlink(missing_ok=True)

    def restore_linked_article(rng):
        shutil.copy(project.parent / "copy-0.md", project / "sources/copy-0.md")

    def stylesheet(rng):
        path = rng.choice(sorted((project / "layouts").glob("*/*.css")))
        with path.open("a") as css:
            css.write(f"\n/* {rng.randrange(1000)} */\n")

    def crisis_card(rng):
        _edit(project / "sources/_required/crisis.md", "If you or someone", "If you, or someone")

    def review_date(rng):
        path = project / f"sources/{SAMPLE}.md"
        text = re.sub(r"\nlast_reviewed: .*", "", path.read_text())
        path.write_text(text.replace("\ntitle:", f"\nlast_reviewed: 2026-{rng.randrange(1, 12):02d}-01\ntitle:", 1))

    def rebuild(rng):
        invoke("build", cwd=project)

    def touch(rng):
        for path in (project / "sources").rglob("*"):
            path.touch()

    return [
        article_text,
        clinic_phone,
        spanish_message,
        restore_catalog,
        delete_linked_article,
        restore_linked_article,
        stylesheet,
        crisis_card,
        review_date,
        rebuild,
        rebuild,
        touch,
    ]


def test_random_edits_after_a_clean_check_give_the_cached_check_the_fresh_checks_rows(project):
    cases = int(os.environ.get("GATE_PROPERTY_CASES", "6"))
    seed = int(os.environ.get("GATE_PROPERTY_SEED", str(random.randrange(1 << 30))))
    rng = random.Random(seed)
    shutil.copy(project / CATALOG, project.parent / "catalog.po")
    shutil.copy(project / "sources/copy-0.md", project.parent / "copy-0.md")
    edits = _edits(project)
    started, done = time.perf_counter(), []
    for _ in range(cases):
        edit = rng.choice(edits)
        done.append(edit.__name__)
        try:
            edit(rng)
        except AssertionError:  # an edit that no longer applies (made already): a harmless step
            pass
        cached = _rows(project)
        assert cached == _rows(project, "--fresh"), f"seed {seed}, after {done}"
    print(f"{cases} random edits (seed {seed}: {done}) in {time.perf_counter() - started:.0f} s")
