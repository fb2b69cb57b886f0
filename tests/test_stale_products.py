"""Staff change something and forget to build: `invoke check` must not vouch for products made from
the old text. It fails each product built from older inputs, naming what changed and the command that
brings it up to date; and that command keeps every product and variant already in build/ current."""

from __future__ import annotations

import shutil

import pytest

from conftest import SAMPLE, copy_project, invoke

PRODUCTS = ("handout", "handout (large-print)", "guide", "newsletter")


def _fails(result) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith("FAIL")]


def _stale_rows(result) -> dict[str, str]:
    """product label -> detail, of each 'up to date' row that failed."""
    rows = {}
    for line in _fails(result):
        if "  up to date  " in line:
            before, detail = line.split("  up to date  ")
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


def test_a_handout_stylesheet_edit_fails_only_the_handouts(project):
    with (project / "layouts/handout/handout.css").open("a") as css:
        css.write("\n/* darker headings next month */\n")
    result = invoke("check", cwd=project)
    expected = "built from older inputs: layouts/handout/ changed since it was built; run `invoke build`"
    assert _stale_rows(result) == {"handout": expected, "handout (large-print)": expected}


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
