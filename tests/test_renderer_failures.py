"""A layout the renderer cannot handle is a failed product, never a traceback.

A designer changes a stylesheet or a template and WeasyPrint, ebooklib's lxml, the CSS inliner or
Jinja fails on it. Staff then see, per article, which product could not be made with which layout
files and the renderer's own words; the traceback goes to a log the message names; the other
products and articles are built; nothing half-written reaches build/; the build exits non-zero."""

from __future__ import annotations

import shutil

import pytest
from test_newsletter_issues import ISSUE, _issue_project

from conftest import FIXTURES, SAMPLE, copy_project, invoke

RICH = "how-we-support-you"  # tests/fixtures/rich: the article with a table
HANDOUT = "layouts/handout/handout.html and layouts/handout/handout.css"
GUIDE = (
    "layouts/guide/article.xhtml, layouts/guide/cover.xhtml, layouts/guide/crisis.xhtml, "
    "layouts/guide/end.xhtml and layouts/guide/guide.css"
)
EMPTY_XML = "XMLSyntaxError: Document is empty, line 1, column 1 (<string>, line 1)"


def _library(folder):
    """The project with two articles: the sample and the rich fixture."""
    project = copy_project(folder)
    for path in (FIXTURES / "rich").iterdir():
        (shutil.copytree if path.is_dir() else shutil.copy)(path, project / "sources" / path.name)
    return project


def _append(path, text: str) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\n{text}\n")


def _edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _errors(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if ": error: " in line]


def _message(source: str, product: str, layouts: str, words: str, log: str) -> str:
    return (
        f"{source}: error: {product} could not be rendered with {layouts}: {words}; "
        f"undo the last change to {'it' if ' and ' not in layouts else 'them'}; "
        f"the full report is in build/.logs/{log}.log"
    )


def _assert_failed_quietly(result, project, logs: dict[str, str]) -> None:
    """Exit 1, no traceback on screen, each log written with the traceback and the renderer's words."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    for log, words in logs.items():
        text = (project / f"build/.logs/{log}.log").read_text(encoding="utf-8")
        assert "Traceback (most recent call last):" in text and words in text, text
    assert not (project / "build/.build-tmp").exists()  # nothing half-written left in build/


def test_a_crisis_card_scaled_to_nothing_fails_each_handout_and_the_other_products_are_built(tmp_path):
    project = _library(tmp_path)
    _append(project / "layouts/handout/handout.css", ".crisis { transform: scale(0) }")
    result = invoke("build", cwd=project)
    assert _errors(result) == [
        _message(f"sources/{slug}.md", "handout", HANDOUT, "KeyError: <TextBox h2>", f"{slug}-handout")
        for slug in (SAMPLE, RICH)
    ]
    _assert_failed_quietly(result, project, {f"{s}-handout": "KeyError: <TextBox h2>" for s in (SAMPLE, RICH)})
    assert not list((project / "build").glob("handouts/*.pdf"))
    for slug in (SAMPLE, RICH):
        assert (project / f"build/guides/{slug}.epub").is_file()
        assert (project / f"build/newsletters/{slug}.eml").is_file()
    assert "2 of 2 article(s) failed; the others were built." in result.stderr


def test_a_rule_only_one_article_trips_on_fails_that_article_and_builds_the_other(tmp_path):
    project = _library(tmp_path)
    _append(project / "layouts/handout/handout.css", "table { transform: scale(0) }")
    result = invoke("handout", cwd=project)
    assert _errors(result) == [
        _message(f"sources/{RICH}.md", "handout", HANDOUT, "KeyError: <TextBox th>", f"{RICH}-handout")
    ]
    _assert_failed_quietly(result, project, {f"{RICH}-handout": "KeyError: <TextBox th>"})
    assert (project / f"build/handouts/{SAMPLE}.pdf").is_file()
    assert not (project / f"build/handouts/{RICH}.pdf").exists()


@pytest.mark.parametrize("variant", ["large-print", "print-shop"])
def test_a_variant_stylesheet_the_renderer_trips_on_names_that_variant_and_its_stylesheet(tmp_path, variant):
    project = copy_project(tmp_path)
    _append(project / f"layouts/handout/{variant}.css", ".crisis { transform: scale(0) }")
    result = invoke("handout", "--variant", variant, cwd=project)
    layouts = f"layouts/handout/handout.html, layouts/handout/handout.css and layouts/handout/{variant}.css"
    log = f"{SAMPLE}-handout-{variant}"
    assert _errors(result) == [
        _message(f"sources/{SAMPLE}.md", f"handout ({variant})", layouts, "KeyError: <TextBox h2>", log)
    ]
    _assert_failed_quietly(result, project, {log: "KeyError: <TextBox h2>"})
    assert not list((project / "build").glob("handouts/*.pdf"))


def test_an_emptied_guide_page_fails_the_guide_and_the_newsletter_is_built(tmp_path):
    project = copy_project(tmp_path)
    (project / "layouts/guide/end.xhtml").write_text("")
    result = invoke("build", "--only", "guide,newsletter", cwd=project)
    assert _errors(result) == [_message(f"sources/{SAMPLE}.md", "guide", GUIDE, EMPTY_XML, f"{SAMPLE}-guide")]
    _assert_failed_quietly(result, project, {f"{SAMPLE}-guide": "lxml.etree.XMLSyntaxError: Document is empty"})
    assert not (project / "build/guides").exists() or not list((project / "build/guides").iterdir())
    assert (project / f"build/newsletters/{SAMPLE}.html").is_file()
    assert "module" not in result.stderr and ".py" not in result.stderr


def test_an_emptied_guide_page_fails_the_combined_guide_and_keeps_the_previous_one(tmp_path):
    project = copy_project(tmp_path)
    assert invoke("guide", "--bundle", cwd=project).returncode == 0
    book = project / "build/guides/patient-guide.epub"
    before = book.read_bytes()
    (project / "layouts/guide/end.xhtml").write_text("")
    result = invoke("guide", "--bundle", cwd=project)
    assert _errors(result) == [_message("sources", "combined guide", GUIDE, EMPTY_XML, "patient-guide-combined-guide")]
    assert "The combined guide was not built; build/ keeps the previous one." in result.stderr
    _assert_failed_quietly(result, project, {"patient-guide-combined-guide": "XMLSyntaxError"})
    assert book.read_bytes() == before


def test_a_misspelled_template_in_the_newsletter_names_the_line(tmp_path):
    project = copy_project(tmp_path)
    template = project / "layouts/newsletter/newsletter.html"
    _edit(template, '"_partials/clinic.html"', '"_partials/clinics.html"')
    result = invoke("newsletter", cwd=project)
    words = f"TemplateNotFound: '_partials/clinics.html' not found in search path: '{project / 'layouts'}'"
    assert _errors(result) == [
        _message(
            f"sources/{SAMPLE}.md",
            "newsletter",
            "layouts/newsletter/newsletter.html (line 2)",
            words,
            f"{SAMPLE}-newsletter",
        )
    ]
    _assert_failed_quietly(result, project, {f"{SAMPLE}-newsletter": "jinja2.exceptions.TemplateNotFound"})
    assert not (project / "build/newsletters").exists() or not list((project / "build/newsletters").glob("*.*"))


def test_a_misspelled_template_in_the_issue_fails_the_issue_and_the_articles_newsletters_are_built(tmp_path):
    project = _issue_project(tmp_path / "project")
    _edit(project / "layouts/newsletter/issue.html", '"newsletter/_buttons.html"', '"newsletter/_button.html"')
    result = invoke("newsletter", cwd=project)
    words = f"TemplateNotFound: 'newsletter/_button.html' not found in search path: '{project / 'layouts'}'"
    assert _errors(result) == [
        _message(
            f"sources/newsletters/{ISSUE}.md",
            "newsletter issue",
            "layouts/newsletter/issue.html (line 2)",
            words,
            f"{ISSUE}-newsletter-issue",
        )
    ]
    _assert_failed_quietly(result, project, {f"{ISSUE}-newsletter-issue": "TemplateNotFound"})
    assert not (project / "build/newsletters/issues").exists()
    for slug in (SAMPLE, RICH):
        assert (project / f"build/newsletters/{slug}.eml").is_file()
    assert "1 of 1 newsletter issue(s) failed; the others were built." in result.stderr


def test_the_layouts_restored_build_again_and_pass_the_check(tmp_path):
    """A harmless change after a failure: the next build makes what failed, and the gate passes."""
    project = copy_project(tmp_path)
    css = project / "layouts/handout/handout.css"
    original = css.read_text(encoding="utf-8")
    _append(css, ".crisis { transform: scale(0) }")
    assert invoke("build", cwd=project).returncode == 1
    css.write_text(original + "\n/* the crisis card stays full size */\n", encoding="utf-8")
    rebuilt = invoke("build", cwd=project)
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert f"built   build/handouts/{SAMPLE}.pdf" in rebuilt.stdout
    checked = invoke("check", cwd=project)
    assert checked.returncode == 0, checked.stdout + checked.stderr
