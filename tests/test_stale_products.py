"""Staff change something and forget to build: `invoke check` must not vouch for products made from
the old text. It fails each product built from older inputs, naming what changed and the command that
brings it up to date; and that command keeps every product and variant already in build/ current."""

from __future__ import annotations

import shutil

import pytest

from conftest import SAMPLE, add_copies, copy_project, invoke

PRODUCTS = ("handout", "handout (large-print)", "guide", "newsletter", "web")


def _fails(result) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith("FAIL")]


def _stale_rows(result) -> dict[str, str]:
    """product label -> detail, of each 'up to date' row that failed."""
    rows = {}
    for line in _fails(result):
        if "  up to date  " in line:
            before, detail = line.split("  up to date  ")
            if SAMPLE in before:  # the article's own products (not the web edition's index pages)
                rows[before.split(SAMPLE, 1)[1].strip()] = detail.strip()
    return rows


def _edit(path, old, new):
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


@pytest.fixture(scope="module")
def checked_library(tmp_path_factory):
    """The sample with its large-print handout, built and checked once (the gate's cache is warm)."""
    project = copy_project(tmp_path_factory.mktemp("stale"))
    for task in (("build",), ("handout", "--variant", "large-print")):
        assert invoke(*task, cwd=project).returncode == 0
    first = invoke("check", cwd=project)
    assert first.returncode == 0, first.stdout + first.stderr
    return project


@pytest.fixture
def project(checked_library, tmp_path):
    folder = tmp_path / "project"
    shutil.copytree(checked_library, folder)
    return folder


def test_an_article_edited_and_not_rebuilt_fails_every_product_naming_the_file(project):
    _edit(project / f"sources/{SAMPLE}.md", "Ketamine", "Esketamine")
    result = invoke("check", cwd=project)
    assert result.returncode == 1
    expected = f"built from older inputs: sources/{SAMPLE}.md changed since it was built; run `invoke build`"
    assert _stale_rows(result) == dict.fromkeys(PRODUCTS, expected)


def test_a_changed_clinic_phone_not_rebuilt_fails_every_product_naming_the_setting(project):
    _edit(project / "pyproject.toml", 'clinic_phone = "(310) 280-4440"', 'clinic_phone = "(310) 280-4441"')
    result = invoke("check", cwd=project)
    assert result.returncode == 1
    expected = "built from older inputs: clinic_phone in pyproject.toml changed since it was built; run `invoke build`"
    assert _stale_rows(result) == dict.fromkeys(PRODUCTS, expected)


def test_a_handout_stylesheet_edit_fails_only_the_handouts_and_the_web_page_that_offers_them(project):
    with (project / "layouts/handout/handout.css").open("a") as css:
        css.write("\n/* darker headings next month */\n")
    result = invoke("check", cwd=project)
    expected = "built from older inputs: layouts/handout/ changed since it was built; run `invoke build`"
    # The web page carries copies of the handouts (and their sizes and pages): it is as old as they are.
    assert _stale_rows(result) == {"handout": expected, "handout (large-print)": expected, "web": expected}


def test_an_edited_crisis_card_then_a_build_leaves_every_variant_current_and_the_check_passes(project):
    _edit(project / "sources/_required/crisis.md", "If you or someone", "If you, or someone")
    before = invoke("check", cwd=project)
    expected = "built from older inputs: sources/_required/crisis.md changed since it was built; run `invoke build`"
    assert _stale_rows(before) == dict.fromkeys(PRODUCTS, expected)
    assert "macro" not in before.stdout and ".py" not in before.stdout
    built = invoke("build", cwd=project)
    assert built.returncode == 0, built.stdout + built.stderr
    assert f"build/handouts/{SAMPLE}.large-print.pdf" in built.stdout  # the variant already there stays current
    after = invoke("check", cwd=project)
    assert after.returncode == 0, after.stdout + after.stderr
    assert "print-shop" not in after.stdout  # a variant nobody made is not made


def test_a_product_whose_build_left_no_record_fails_closed(project):
    (project / "build/.publishing-state.json").unlink()
    result = invoke("check", cwd=project)
    expected = "built from older inputs: the last build of it recorded none (or failed); run `invoke build`"
    assert _stale_rows(result) == dict.fromkeys(PRODUCTS, expected)


def test_nothing_changed_but_a_copy_and_new_modification_times_still_passes_from_the_cache(project):
    for path in (project / "sources").rglob("*"):
        path.touch()
    result = invoke("check", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checks reused from the last run" in result.stdout


ISSUE_SOURCE = f"""---
title: "December 2026: how ketamine treatment works"
articles:
  - {SAMPLE}
---

This month: how ketamine works for depression.
"""


def _stale_of_several(result) -> dict[tuple[str, str], str]:
    """(subject, product) -> detail, of each 'up to date' row that failed."""
    rows = {}
    for line in _fails(result):
        if "  up to date  " in line:
            before, detail = line.split("  up to date  ")
            _, subject, product = before.split(None, 2)
            rows[subject, product.strip()] = detail.strip()
    return rows


@pytest.fixture(scope="module")
def bound_library(tmp_path_factory):
    """The sample with a newsletter issue that holds it and the combined guide, built and checked once."""
    project = copy_project(tmp_path_factory.mktemp("bound"))
    (project / "sources/newsletters").mkdir()
    (project / "sources/newsletters/2026-12.md").write_text(ISSUE_SOURCE)
    for task in (("build",), ("guide", "--bundle")):
        result = invoke(*task, cwd=project)
        assert result.returncode == 0, result.stdout + result.stderr
    first = invoke("check", cwd=project)
    assert _stale_of_several(first) == {}, first.stdout  # current when just built
    return project


@pytest.fixture
def bound(bound_library, tmp_path):
    folder = tmp_path / "project"
    shutil.copytree(bound_library, folder)
    return folder


def test_an_article_edited_and_not_rebuilt_fails_the_issue_and_the_combined_guide_that_hold_it(bound):
    _edit(bound / f"sources/{SAMPLE}.md", "Ketamine", "Esketamine")
    result = invoke("check", cwd=bound)
    assert result.returncode == 1
    changed = f"built from older inputs: sources/{SAMPLE}.md changed since it was built"
    rows = _stale_of_several(result)
    assert rows["2026-12", "newsletter issue"] == f"{changed}; run `invoke build`"
    assert rows["patient-guide", "combined guide"] == f"{changed}; run `invoke guide --bundle`"


def test_a_build_brings_the_issue_up_to_date_and_the_combined_guide_then_its_own_command(bound):
    _edit(bound / f"sources/{SAMPLE}.md", "Ketamine", "Esketamine")
    assert invoke("build", cwd=bound).returncode == 0
    rows = _stale_of_several(invoke("check", cwd=bound))
    assert rows == {
        ("patient-guide", "combined guide"): f"built from older inputs: sources/{SAMPLE}.md changed since it "
        "was built; run `invoke guide --bundle`"
    }
    assert invoke("guide", "--bundle", cwd=bound).returncode == 0
    after = invoke("check", cwd=bound)
    assert after.returncode == 0, after.stdout + after.stderr


def test_an_edited_issue_not_rebuilt_fails_only_the_issue_and_its_web_view(bound):
    _edit(bound / "sources/newsletters/2026-12.md", "This month:", "In December:")
    rows = _stale_of_several(invoke("check", cwd=bound))
    changed = "built from older inputs: sources/newsletters/2026-12.md changed since it was built; run `invoke build`"
    assert rows == {("2026-12", "newsletter issue"): changed, ("issues/2026-12/index", "web index"): changed}


def test_a_new_article_fails_the_combined_guide_of_every_article_until_it_is_bound_again(bound):
    add_copies(bound, 1)
    assert invoke("build", cwd=bound).returncode == 0
    rows = _stale_of_several(invoke("check", cwd=bound))
    assert rows == {
        ("patient-guide", "combined guide"): "built from older inputs: sources/copy-0.md (new) changed since it "
        "was built; run `invoke guide --bundle`"
    }


def test_a_combined_guide_of_named_articles_names_them_in_its_command_and_ignores_others(bound):
    assert invoke("guide", "--bundle", "--articles", SAMPLE, cwd=bound).returncode == 0
    add_copies(bound, 1)
    _edit(bound / f"sources/{SAMPLE}.md", "Ketamine", "Esketamine")
    assert invoke("build", cwd=bound).returncode == 0
    rows = _stale_of_several(invoke("check", cwd=bound))
    assert rows == {
        ("patient-guide", "combined guide"): f"built from older inputs: sources/{SAMPLE}.md changed since it was "
        f"built; run `invoke guide --bundle --articles {SAMPLE}`"
    }
