"""Staff edit one article and want its handout now: a build redoes exactly what an edit affects."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import FIXTURES, ROOT, SAMPLE, copy_project, invoke

RICH = "how-we-support-you"
EVERYTHING = {(folder, slug) for folder in ("handouts", "guides", "newsletters") for slug in (SAMPLE, RICH)}


def rebuilt(result) -> set[tuple[str, str]]:
    """(folder, slug) of every product the build wrote, from its 'built' lines."""
    assert result.returncode == 0, result.stdout + result.stderr
    return {
        (m[0], m[1])
        for m in re.findall(
            r"^built\s+\S*?(handouts|guides|newsletters)/([a-z0-9-]+)\.", result.stdout, flags=re.MULTILINE
        )
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A project copy with the sample and the rich fixture (which has an image), built once."""
    folder = copy_project(tmp_path_factory.mktemp("incremental"))
    shutil.copy(FIXTURES / "rich" / f"{RICH}.md", folder / "sources")
    shutil.copytree(FIXTURES / "rich" / "images", folder / "sources" / "images")
    assert rebuilt(invoke("build", cwd=folder)) == EVERYTHING
    return folder


def edit(path, old, new):
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_a_build_with_nothing_to_do_says_so(project):
    result = invoke("build", cwd=project)
    assert rebuilt(result) == set()
    assert "Nothing to do: all 9 product(s) of 2 article(s) are up to date" in result.stdout


HEAVY_LIBRARIES = ("weasyprint", "ebooklib", "PIL", "lxml", "css_inline", "pypdfium2", "fontTools", "babel", "jinja2")


@pytest.mark.parametrize(
    "command",
    [("--list",), ("--help", "build"), ("build",)],
    ids=["invoke --list", "invoke --help build", "a build with nothing to do"],
)
def test_commands_that_build_nothing_import_no_heavy_library(project, command):
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "invoke", *command],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    imported = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "invoke" in imported  # the log is real
    assert not imported & set(HEAVY_LIBRARIES), sorted(imported & set(HEAVY_LIBRARIES))
    # Java is started by the gate alone: a command that builds nothing never loads it.
    modules = [line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")]
    assert not [name for name in modules if name.startswith("publishing.gate")]


def test_a_new_modification_time_alone_rebuilds_nothing(project):
    source = project / "sources" / f"{SAMPLE}.md"
    os.utime(source, (1_000_000_000, 1_000_000_000))
    assert rebuilt(invoke("build", cwd=project)) == set()


def test_editing_a_source_rebuilds_only_that_articles_products(project):
    edit(project / "sources" / f"{SAMPLE}.md", "Call us at (310) 280-4440.", "Call us at (310) 280-4440 today.")
    assert rebuilt(invoke("build", cwd=project)) == {(f, SAMPLE) for f in ("handouts", "guides", "newsletters")}


def test_changing_an_image_rebuilds_only_the_article_that_shows_it(project):
    image = project / "sources" / "images" / "connections.png"
    from PIL import Image

    with Image.open(image) as picture:
        picture.rotate(180).save(image)
    assert rebuilt(invoke("build", cwd=project)) == {(f, RICH) for f in ("handouts", "guides", "newsletters")}


def test_changing_the_handout_stylesheet_rebuilds_only_handouts(project):
    edit(project / "layouts" / "handout" / "handout.css", "--rule: #b9c7cc;", "--rule: #b8c7cc;")
    assert rebuilt(invoke("build", cwd=project)) == {("handouts", SAMPLE), ("handouts", RICH)}


def test_changing_the_newsletter_layout_rebuilds_only_newsletters(project):
    edit(project / "layouts" / "newsletter" / "newsletter.css", "p { margin: 0 0 14px; }", "p { margin: 0 0 15px; }")
    assert rebuilt(invoke("build", cwd=project)) == {("newsletters", SAMPLE), ("newsletters", RICH)}


def test_changing_a_guide_layout_rebuilds_only_guides(project):
    edit(project / "layouts" / "guide" / "guide.css", "line-height: 1.5;", "line-height: 1.55;")
    assert rebuilt(invoke("build", cwd=project)) == {("guides", SAMPLE), ("guides", RICH)}


def test_changing_a_required_block_rebuilds_everything(project):
    crisis = project / "sources" / "_required" / "crisis.md"
    crisis.write_text(crisis.read_text() + "\nYou are not alone.\n")
    assert rebuilt(invoke("build", cwd=project)) == EVERYTHING


def test_changing_a_shared_partial_rebuilds_everything(project):
    edit(project / "layouts" / "_partials" / "clinic.html", "Phone:", "Phone number:")
    assert rebuilt(invoke("build", cwd=project)) == EVERYTHING


def test_changing_a_setting_rebuilds_everything(project):
    edit(
        project / "pyproject.toml",
        'clinic_location = "Marina del Rey, West Los Angeles"',
        'clinic_location = "Marina del Rey and West Los Angeles"',
    )
    assert rebuilt(invoke("build", cwd=project)) == EVERYTHING


def test_a_deleted_product_is_rebuilt_alone(project):
    (project / "build" / "guides" / f"{RICH}.epub").unlink()
    assert rebuilt(invoke("build", cwd=project)) == {("guides", RICH)}


def test_only_builds_only_the_products_asked_for(project):
    edit(project / "sources" / f"{RICH}.md", "Eat lightly", "Eat lightly,")
    assert rebuilt(invoke("build", "--only", "guide", cwd=project)) == {("guides", RICH)}
    # The other products of that article are still out of date, and the next build catches up.
    assert rebuilt(invoke("build", cwd=project)) == {("handouts", RICH), ("newsletters", RICH)}


def test_force_rebuilds_everything(project):
    assert rebuilt(invoke("build", "--force", cwd=project)) == EVERYTHING


def test_one_job_and_two_jobs_give_the_same_output_order(project):
    one = invoke("build", "--force", "--jobs", "1", cwd=project).stdout
    two = invoke("build", "--force", "--jobs", "2", cwd=project).stdout

    def without_sizes_and_times(text: str) -> str:
        return re.sub(r"\(.*?\)", "", text)

    assert without_sizes_and_times(one) == without_sizes_and_times(two)
