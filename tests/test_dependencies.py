"""One account of what a product depends on, kept by the build and read by the gate (inputs.py): a
project copied or moved is up to date where it lands; a deleted article that another links to, or an
edited word of a language's message catalog, is seen by the build and by the gate's cached rows that
read it, and by those only; a record or cache an older pipeline wrote is never taken for current."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import SAMPLE, add_copies, add_spanish_translation, copy_project, invoke
from extract import pdftotext

CATALOG = "layouts/locale/es/LC_MESSAGES/messages.po"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _ok(result) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout


def _rows(project: Path) -> list[tuple[str, str, str, str, str]]:
    rows = json.loads((project / "build/check.json").read_text())["rows"]
    return [(r["article"], r["product"], r["check"], r["status"], r["detail"]) for r in rows]


def _stale(project: Path) -> dict[tuple[str, str], str]:
    """(article, product) -> detail of each product the check found built from older inputs."""
    return {(r[0], r[1]): r[4] for r in _rows(project) if r[2] == "up to date" and r[3] == "fail"}


def _snapshot(out: Path) -> dict[str, tuple[int, bytes]]:
    """Every file in build/ by its place: its modification time and its bytes."""
    return {str(p.relative_to(out)): (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    """The sample linking copy-0 (copy-1 links nothing), a Spanish translation of the sample with approved
    blocks, every article online (article_url): built, and checked clean once."""
    project = copy_project(tmp_path_factory.mktemp("dependencies"))
    add_copies(project, 2)
    _edit(project / "pyproject.toml", 'article_url = ""', 'article_url = "https://www.example.org/guides/{slug}/"')
    with (project / f"sources/{SAMPLE}.md").open("a") as source:
        source.write("\nRead [the other article](copy-0.md) too.\n")
    add_spanish_translation(project)
    _ok(invoke("approve-blocks", "--lang", "es", "--by", "Test Reviewer, RN", cwd=project))
    _ok(invoke("build", cwd=project))
    _ok(invoke("check", cwd=project))
    assert not [row for row in _rows(project) if row[3] == "fail"]
    return project


@pytest.fixture
def project(library: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    shutil.copytree(library, folder)
    return folder


def test_a_built_project_copied_to_another_folder_rebuilds_nothing_and_rechecks_nothing(library, tmp_path):
    elsewhere = tmp_path / "another" / "checkout"  # another depth too: nothing is named by where it lies
    shutil.copytree(library, elsewhere)
    before = _snapshot(elsewhere / "build")
    built = _ok(invoke("build", cwd=elsewhere))
    assert "Nothing to do: all 18 product(s) of 4 article(s) are up to date" in built
    assert _snapshot(elsewhere / "build") == before  # not a file rewritten, the build's record included
    checked = _ok(invoke("check", cwd=elsewhere))
    assert "checks reused from the last run: nothing they read has changed" in checked


def test_a_deleted_linked_article_is_seen_by_the_cached_link_check_and_only_there(project):
    (project / "sources/copy-0.md").unlink()
    line = len((project / f"sources/{SAMPLE}.md").read_text().splitlines())  # the link is the last line
    result = invoke("check", cwd=project)
    [links] = [row for row in _rows(project) if row[0] == SAMPLE and row[2].startswith("links")]
    assert links[3:] == (
        "warn",
        f"sources/{SAMPLE}.md:{line}: the link to 'copy-0.md' becomes plain words in the products: "
        "not an article in the sources folder",
    )
    stale = "built from older inputs: sources/copy-0.md (an article it links to) changed since it was built"
    expected = {(SAMPLE, p): f"{stale}; run `invoke build`" for p in ("handout", "guide", "newsletter", "web")}
    assert {k: v for k, v in _stale(project).items() if k[1] != "web index"} == expected
    # Only the sample's source was checked again: copy-1 and the translation read nothing of copy-0.
    assert "1 of " in result.stdout and " checks made; " in result.stdout, result.stdout
    built = _ok(invoke("build", cwd=project))
    assert " product(s) built and verified, " in built  # the sample's, whose link is now words
    invoke("check", cwd=project)
    assert _stale(project) == {}


def test_an_edited_spanish_message_is_seen_by_the_spanish_rows_only_and_rebuilds_only_the_spanish_products(project):
    _edit(project / CATALOG, 'msgstr "Teléfono:"', 'msgstr "Tel.:"')
    result = invoke("check", cwd=project)
    stale = f"built from older inputs: {CATALOG} changed since it was built; run `invoke build`"
    expected = {(f"{SAMPLE}.es", p): stale for p in ("handout", "guide", "newsletter", "web")}
    assert {k: v for k, v in _stale(project).items() if k[1] != "web index"} == expected
    # The translation's source checks read the catalog (it must translate every message); no English row does.
    assert "1 of " in result.stdout and " checks made; " in result.stdout, result.stdout
    built = _ok(invoke("build", cwd=project))
    rebuilt = [line for line in built.splitlines() if line.startswith("built ")]
    assert rebuilt and all(f"{SAMPLE}.es." in line or "/es/" in line or "site/index" in line for line in rebuilt), built
    rechecked = _ok(invoke("check", cwd=project))
    assert _stale(project) == {}
    # The three new Spanish products and EPUBCheck of the new guide; the rest reused.
    assert " checks made; " in rechecked, rechecked
    handout = pdftotext(project / f"build/handouts/{SAMPLE}.es.pdf")
    assert "Tel.: (310)" in handout and "Teléfono:" not in handout  # the contact block in the new words


def test_a_harmless_copy_of_the_catalog_with_the_same_words_keeps_everything_current(project):
    catalog = project / CATALOG
    catalog.write_bytes(catalog.read_bytes())  # rewritten, same bytes: a new modification time only
    assert "Nothing to do" in _ok(invoke("build", cwd=project))
    assert "checks reused from the last run" in _ok(invoke("check", cwd=project))


def test_a_build_record_an_older_pipeline_wrote_rebuilds_everything_and_the_check_fails_closed(project):
    state = project / "build/.publishing-state.json"
    document = json.loads(state.read_text())
    state.write_text(json.dumps({**document, "version": 3}))  # the layout before inputs.py, same fingerprints
    invoke("check", cwd=project)
    expected = "built from older inputs: the last build of it recorded none (or failed); run `invoke build`"
    assert set(_stale(project).values()) == {expected} and len(_stale(project)) == 18
    assert "18 product(s) built and verified, 0 up to date" in _ok(invoke("build", cwd=project))


@pytest.mark.parametrize(
    "damage",
    [
        lambda entries: {source: [] for source in entries},
        lambda entries: {
            source: {key: {**e, "files": 5, "images": None} for key, e in d.items()} for source, d in entries.items()
        },
        lambda entries: {source: {key: "built" for key in d} for source, d in entries.items()},
    ],
    ids=["a source's record a list", "files and images not lists", "an entry not a record"],
)
def test_a_damaged_build_record_rebuilds_what_it_cannot_read_without_a_traceback(project, damage):
    state = project / "build/.publishing-state.json"
    document = json.loads(state.read_text())
    state.write_text(json.dumps({**document, "products": damage(document["products"])}))
    built = _ok(invoke("build", cwd=project))
    assert "18 product(s) built and verified, 0 up to date" in built
    assert "Nothing to do" in _ok(invoke("build", cwd=project))


@pytest.mark.parametrize("old", ['{"version": 1, "entries": {}}', "{not json", '{"version": 2, "entries": []}'])
def test_an_old_or_damaged_gate_cache_is_checked_again_never_believed(project, old):
    (project / "build/.gate-cache.json").write_text(old)
    result = invoke("check", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "reused" not in result.stdout  # every check made again
    assert "checks reused from the last run" in _ok(invoke("check", cwd=project))


@pytest.mark.parametrize(
    "written",
    [
        "[the other](copy-0.md)",
        "[the other](./copy-0.md#tips)",
        '<a href="copy-0.md">the other</a>',
        "[the other][o]\n\n[o]: copy-0.md",
        "[the other](copy%2D0.md)",
    ],
)
def test_each_way_of_writing_a_link_to_another_article_makes_it_an_input(tmp_path, written):
    from publishing.inputs import InputFingerprints
    from publishing.site import load_site

    project = copy_project(tmp_path)
    add_copies(project, 1)
    source = project / f"sources/{SAMPLE}.md"
    with source.open("a") as text:
        text.write(f"\nRead {written} too.\n")
    parts = InputFingerprints(load_site(project)).links(source)
    assert "link:sources/copy-0.md" in parts


def test_adding_the_article_a_link_names_changes_the_inputs_of_the_linking_article_only(tmp_path):
    from publishing.catalogue import catalogue
    from publishing.inputs import InputFingerprints
    from publishing.site import load_site

    project = copy_project(tmp_path)
    add_copies(project, 1)
    source, other = project / f"sources/{SAMPLE}.md", project / "sources/copy-0.md"
    with source.open("a") as text:
        text.write("\nRead [what comes next](copy-1.md) once it is written.\n")

    def links() -> tuple[dict, dict]:
        site = load_site(project)
        site.catalogue = catalogue(site.folders.sources)
        inputs = InputFingerprints(site)
        return inputs.links(source), inputs.links(other)

    before = links()
    assert before == ({"link:sources/copy-1.md": "(not an article)"}, {})
    # copy-1 is written now (a copy of copy-0): the link lands in the products once they are rebuilt.
    (project / "sources/copy-1.md").write_text(other.read_text().replace("(0) How", "(1) How"))
    after = links()
    assert after[0]["link:sources/copy-1.md"] != "(not an article)" and after[1] == {}


def test_the_build_record_keeps_what_every_article_shares_once_per_product_and_language(library):
    """The code, the safety text, the settings, the fonts, the layouts and a language's catalog are the
    same for every article's product of a kind: the record keeps them once, and each product names them."""
    document = json.loads((library / "build/.publishing-state.json").read_text())
    records = [entry for entries in document["products"].values() for entry in entries.values()]
    named = {entry["inputs"]["(shared)"] for entry in records if "(shared)" in entry["inputs"]}
    assert set(document["shared"]) == named
    assert len(named) == 8  # the handout, the guide, the newsletter and the web page, in English and Spanish
    for parts in document["shared"].values():
        assert {"code", "fonts", "file:sources/_required/disclaimer.md"} <= set(parts)
    for entry in records:
        if "(shared)" in entry["inputs"]:
            assert {"source", "variant", "images"} <= set(entry["inputs"]), entry["inputs"]
            assert "code" not in entry["inputs"]


def test_a_record_that_lost_its_shared_inputs_rebuilds_nothing_and_an_edit_after_it_still_fails_the_check(project):
    state = project / "build/.publishing-state.json"
    document = json.loads(state.read_text())
    state.write_text(json.dumps({**document, "shared": "gone"}))
    assert "Nothing to do" in _ok(invoke("build", cwd=project))  # each product's fingerprint is its own
    _edit(project / "layouts/handout/handout.css", "}", "}\n/* staff note */")
    invoke("check", cwd=project)
    stale = _stale(project)
    assert {product for _, product in stale} == {"handout", "web"}, stale  # the web page shows the handout's look
    expected = "built from older inputs: what it shares with every article's product (the code, the layouts, "
    assert all(detail.startswith(expected) for detail in stale.values()), stale


def test_a_record_whose_shared_inputs_are_named_by_nonsense_is_read_without_a_traceback(project):
    state = project / "build/.publishing-state.json"
    document = json.loads(state.read_text())
    for entries in document["products"].values():
        for entry in entries.values():
            if "(shared)" in entry["inputs"]:
                entry["inputs"]["(shared)"] = ["not", "a", "digest"]
    state.write_text(json.dumps(document))
    assert "Nothing to do" in _ok(invoke("build", cwd=project))  # the fingerprints still vouch for them
    _edit(project / "layouts/handout/handout.css", "}", "}\n/* staff note */")
    result = invoke("check", cwd=project)
    assert "Traceback" not in result.stderr, result.stderr
    assert {product for _, product in _stale(project)} == {"handout", "web"}
    assert "8 product(s) built and verified, 10 up to date" in _ok(invoke("build", cwd=project))
