"""The publishing gate: `invoke check` reads everything back from build/ and the sources, prints one
table, writes build/check.json, and fails on what a clinic must not publish."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import SAMPLE, copy_project, invoke, write_own_words
from wording import CRISIS


def _add_months(day: dt.date, months: int) -> dt.date:
    from publishing.dates import add_months as add

    return add(day, months)


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """A project copy, built once and checked once."""
    folder = copy_project(tmp_path_factory.mktemp("checked"))
    assert invoke("build", cwd=folder).returncode == 0
    return folder, invoke("check", cwd=folder)


def test_check_passes_on_the_sample_and_prints_one_row_per_check(checked):
    folder, result = checked
    assert result.returncode == 0, result.stdout + result.stderr
    table = result.stdout
    for product, check in (
        ("source", "clinical review"),
        ("source", "reading grade"),
        ("source", "required text"),
        ("handout", "required blocks"),
        ("handout", "PDF tags and fonts"),
        ("guide", "required blocks"),
        ("guide", "EPUBCheck"),
        ("newsletter", "required blocks"),
        ("newsletter", "email rules"),
    ):
        assert any(product in line and check in line and SAMPLE in line for line in table.splitlines()), check


def test_check_writes_the_same_result_as_json(checked):
    folder, result = checked
    report = json.loads((folder / "build" / "check.json").read_text())
    assert report["ok"] is True
    statuses = {(r["product"], r["check"]): r["status"] for r in report["rows"] if r["article"] == SAMPLE}
    assert statuses[("guide", "EPUBCheck")] == "pass"
    assert statuses[("handout", "PDF tags and fonts")] == "pass"
    # The clinic has not given a review date: shown, but not a failure without --strict.
    assert statuses[("source", "clinical review")] == "warn"
    assert "Flesch-Kincaid grade" in next(r["detail"] for r in report["rows"] if r["check"] == "reading grade")


def test_strict_turns_warnings_into_failures(checked):
    folder, _ = checked
    result = invoke("check", "--strict", cwd=folder)
    assert result.returncode != 0
    assert "not yet reviewed" in result.stdout


@pytest.mark.parametrize(
    "when, expected",
    [
        (lambda today: _add_months(today, -13), "overdue by"),
        (lambda today: _add_months(today, 1), "is in the future"),
    ],
)
def test_a_stale_or_future_review_date_fails_and_names_the_article(project_copy, when, expected):
    source = project_copy / "sources" / f"{SAMPLE}.md"
    reviewed = when(dt.date.today())
    source.write_text(
        source.read_text().replace("category: Conditions", f"category: Conditions\nlast_reviewed: {reviewed}")
    )
    result = invoke("check", cwd=project_copy)  # the review is checked on the source: no build needed
    assert result.returncode != 0
    line = next(line for line in result.stdout.splitlines() if "clinical review" in line)
    assert line.startswith("FAIL") and SAMPLE in line and expected in line


def test_a_recent_review_passes(project_copy):
    import hashlib

    source = project_copy / "sources" / f"{SAMPLE}.md"
    reviewed = _add_months(dt.date.today(), -2)
    version = hashlib.sha256(source.read_bytes()).hexdigest()[:7]  # the text the review covered
    source.write_text(
        source.read_text().replace(
            "category: Conditions", f'category: Conditions\nlast_reviewed: {reviewed}\nreviewed_version: "{version}"'
        )
    )
    result = invoke("check", cwd=project_copy)
    line = next(line for line in result.stdout.splitlines() if "clinical review" in line)
    assert line.startswith("PASS") and f"reviewed {reviewed}" in line


def test_an_article_that_paraphrases_a_required_block_is_flagged(project_copy):
    source = project_copy / "sources" / f"{SAMPLE}.md"
    # The clinic's longest crisis sentence, reworded a little, as an author might retype it.
    sentence = max(CRISIS.sentences, key=len).split()
    source.write_text(source.read_text() + "\nPlease remember: " + " ".join(sentence[1:-1]) + " today.\n")
    result = invoke("check", cwd=project_copy)
    assert result.returncode != 0
    line = next(line for line in result.stdout.splitlines() if "required text" in line)
    assert (
        line.startswith("FAIL")
        and "repeats the crisis information (988 Suicide and Crisis Lifeline) in its own words" in line
    )
    assert f"sources/{SAMPLE}.md:" in line


def test_a_broken_internal_link_is_reported_with_its_line(project_copy):
    """The products keep its words; the gate names it, and --strict refuses it."""
    source = project_copy / "sources" / f"{SAMPLE}.md"
    text = source.read_text() + "\nSee [the science](#the-sciense-in-plain-language).\n"
    source.write_text(text)
    line_number = text[: text.index("#the-sciense")].count("\n") + 1
    assert invoke("build", cwd=project_copy).returncode == 0
    result = invoke("check", cwd=project_copy)
    [row] = [line for line in result.stdout.splitlines() if "  links  " in line]
    assert (
        row.startswith("WARN")
        and (
            f"sources/{SAMPLE}.md:{line_number}: the link to '#the-sciense-in-plain-language' becomes plain words in "
            "the products: no heading or note in the article has that id"
        )
        in row
    )
    assert invoke("check", "--strict", cwd=project_copy).returncode != 0


def test_a_product_missing_from_build_fails_the_check(project_copy):
    assert invoke("build", "--only", "handout", cwd=project_copy).returncode == 0
    result = invoke("check", cwd=project_copy)
    assert result.returncode != 0
    assert f"build/guides/{SAMPLE}.epub is missing; run 'invoke build'" in result.stdout


def test_reading_grade_is_computed_offline():
    from publishing.readability import flesch_kincaid_grade

    assert flesch_kincaid_grade("The cat sat on the mat. The dog ran to the cat.") < 3
    hard = (
        "Neuroplasticity, the formation of new synapses between neurons, is associated with "
        "brain-derived neurotrophic factor and glutamatergic signalling in mood-regulating regions."
    )
    assert flesch_kincaid_grade(hard) > 14


def test_check_verifies_the_combined_guide_when_there_is_one(project_copy):
    assert invoke("guide", "--bundle", cwd=project_copy).returncode == 0
    result = invoke("check", cwd=project_copy)
    rows = [line for line in result.stdout.splitlines() if "patient-guide" in line]
    assert any(line.startswith("PASS") and "required blocks" in line for line in rows), result.stdout
    assert any(line.startswith("PASS") and "EPUBCheck" in line for line in rows), result.stdout


def test_a_new_article_builds_and_passes_the_gate(project_copy):
    """What staff do first: invoke new, write the article in place of its example text (test_unfinished.py:
    left in, it is refused), invoke build, invoke check."""
    created = invoke("new", "Sleep and Mood", cwd=project_copy)
    assert created.returncode == 0 and "created sources/sleep-and-mood.md" in created.stdout
    assert invoke("new", "Sleep and Mood", cwd=project_copy).returncode != 0  # never overwrites
    write_own_words(project_copy / "sources" / "sleep-and-mood.md")
    assert invoke("build", cwd=project_copy).returncode == 0
    result = invoke("check", cwd=project_copy)
    assert result.returncode == 0, result.stdout
    rows = [line for line in result.stdout.splitlines() if "sleep-and-mood" in line]
    assert sum(line.startswith("PASS") and "required blocks" in line for line in rows) == 4  # the web page too
    assert any(line.startswith("PASS") and "EPUBCheck" in line for line in rows)
