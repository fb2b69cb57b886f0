"""The gate's second witness sees with a real renderer what the build's proof decides from its model:
each way of hiding a block, made in a built file as someone pasting into it would (a <style> added to
the newsletter's HTML, a line appended to the guide's stylesheet, a handout laid out from a stylesheet
the build never proved), is not seen; the products as built are seen. One browser for the module."""

from __future__ import annotations

import shutil

import pytest

from conftest import SAMPLE, copy_project

CRISIS = "crisis information (988 Suicide and Crisis Lifeline)"


@pytest.fixture(scope="module")
def witness():
    from publishing.gate.witness import Witness

    with Witness() as seeing:
        yield seeing


@pytest.fixture(scope="module")
def site(sample_build):
    from publishing.site import load_site

    from conftest import ROOT

    return load_site(ROOT, out=sample_build)


def _pages(site, product: str, files, workdir):
    from publishing.products import ALL_PRODUCTS

    return ALL_PRODUCTS[product].witness_pages(site, files, workdir)


def _problems(witness, pages) -> list[str]:
    return [problem for page in pages for problem in witness.see(page).problems]


def test_the_products_as_built_are_seen(witness, site, sample_build, tmp_path):
    for product, name in (
        ("newsletter", f"newsletters/{SAMPLE}.html"),
        ("guide", f"guides/{SAMPLE}.epub"),
        ("handout", f"handouts/{SAMPLE}.pdf"),
    ):
        workdir = tmp_path / product
        workdir.mkdir()
        assert _problems(witness, _pages(site, product, [sample_build / name], workdir)) == [], product


NEWSLETTER = [
    ("#crisis-988 p { color: #f2f5f6 !important }", "leaves 0.0% ink"),
    (".crisis::before { content: ''; position: absolute; inset: 0; background: #fff }", "leaves 0.0% ink"),
    (
        "#crisis-988 { position: relative } #crisis-988::after { content: ''; position: absolute; inset: 0; "
        "background: rgba(255,255,255,.85); pointer-events: none }",
        "at contrast 1.3:1",
    ),
    ("#crisis-988 { transform: scale(0.1) }", "px tall (at least 9)"),
    ("#crisis-988 { position: relative; left: -900px }", "lies outside the 600 px page"),
    ("@media (prefers-color-scheme: dark) { .crisis p { color: #182024 !important } }", "at 600 px, dark"),
    ("#medical-disclaimer p { filter: opacity(5%) }", "leaves 0.0% ink"),
    (".crisis-actions { display: none !important }", "its line 'Call 988 or text 988' is not rendered"),
    ("@media (max-width: 400px) { #crisis-988 { opacity: 0.05 } }", "at 375 px, light"),
    (".footer { position: fixed; top: 0; left: 0; right: 0; height: 2000px }", "td.footer lies over its text"),
]


@pytest.mark.parametrize("css, says", NEWSLETTER, ids=[c[0][:50] for c in NEWSLETTER])
def test_a_hidden_block_in_the_newsletter_is_not_seen(witness, site, sample_build, tmp_path, css, says):
    html = tmp_path / f"{SAMPLE}.html"
    text = (sample_build / f"newsletters/{SAMPLE}.html").read_text(encoding="utf-8")
    html.write_text(text.replace("</head>", f"<style>{css}</style></head>", 1), encoding="utf-8")
    problems = _problems(witness, _pages(site, "newsletter", [html], tmp_path))
    assert problems and says in problems[0], problems


GUIDE = [
    (".crisis p { line-height: 0; overflow: hidden; height: 0 }", "leaves 0.0% ink"),
    (".crisis { filter: blur(4px) }", "at contrast 2.0:1"),
    (".crisis { margin-left: -2000px }", "lies outside the 375 px page"),
]


@pytest.mark.parametrize("css, says", GUIDE, ids=[c[0][:50] for c in GUIDE])
def test_a_hidden_block_in_the_guide_is_not_seen(witness, site, sample_build, tmp_path, css, says):
    pages = _pages(site, "guide", [sample_build / f"guides/{SAMPLE}.epub"], tmp_path)
    for page in pages:
        sheet = page.document.parent / "style.css"
        sheet.write_text(sheet.read_text(encoding="utf-8") + "\n" + css + "\n", encoding="utf-8")
    problems = _problems(witness, pages)
    assert problems and says in problems[0] and CRISIS in problems[0], problems


HANDOUT = [
    (".crisis .required-title { line-height: 0; overflow: hidden }", f"the {CRISIS} is not seen on page 1: its line"),
    (".crisis-actions { color: #ffffff }", "its line 'Call 988 or text 988' leaves"),
]


@pytest.mark.parametrize("css, says", HANDOUT, ids=[c[0][:50] for c in HANDOUT])
def test_a_hidden_block_in_a_handout_the_build_never_proved_is_not_seen(witness, tmp_path, css, says):
    """Laid out by the handout's renderer directly, without the build's proof: what a PDF pasted into
    build/ by hand could be."""
    from publishing.article import load_article
    from publishing.products.handout.render import render_pdf
    from publishing.site import load_site

    project = copy_project(tmp_path)
    sheet = project / "layouts/handout/handout.css"
    sheet.write_text(sheet.read_text(encoding="utf-8") + "\n" + css + "\n", encoding="utf-8")
    site = load_site(project)
    article = load_article(project / f"sources/{SAMPLE}.md", site.settings, site.folders.sources)
    pdf = tmp_path / "pasted.pdf"
    render_pdf(article, site, pdf, "office")
    problems = _problems(witness, _pages(site, "handout", [pdf], tmp_path))
    assert problems and says in problems[0], problems
    shutil.rmtree(project / "layouts")
