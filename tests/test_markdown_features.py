"""Markdown that staff write and paste from the web renders sensibly in all three products.

The fixture tests/fixtures/rich/how-we-support-you.md uses each feature once."""

from __future__ import annotations

import zipfile

import lxml.html
import pytest

from publishing.markup import to_html

from conftest import pdf_pages
from extract import epub_documents, epubcheck, pdftotext

SLUG = "how-we-support-you"


def parse(markup: str):
    return lxml.html.fromstring(markup.encode("utf-8"))


@pytest.fixture(scope="module")
def built(rich_build):
    guide_docs = epub_documents(rich_build / f"guides/{SLUG}.epub")
    return {
        "pdf": pdftotext(rich_build / f"handouts/{SLUG}.pdf"),
        "epub": guide_docs["EPUB/article.xhtml"],
        "html": (rich_build / f"newsletters/{SLUG}.html").read_text(),
        "txt": (rich_build / f"newsletters/{SLUG}.txt").read_text(),
    }


def test_tables_stay_tables(built):
    for markup in (built["epub"], built["html"]):
        table = parse(markup).xpath("//table[.//th]")[0]
        assert [th.text_content() for th in table.iter("th")] == ["Week", "Sessions", "Notes"]
    assert "Initial series" in built["pdf"] and "Momentum" in built["pdf"]


def test_footnotes_become_endnotes(built):
    for markup in (built["epub"], built["html"]):
        page = parse(markup)
        assert page.xpath("//sup/a[@href='#fn-glu']")
        # The note is a numbered item of the notes list (in the guide, the footnote inside the item).
        assert page.xpath("//ol/li[@id='fn-glu'] | //ol/li/div[@id='fn-glu']")
    # On paper, the note's text follows the article and its back-link is hidden.
    assert "Glutamate is the most abundant chemical messenger in the brain." in built["pdf"]
    assert "Back to text" not in built["pdf"]


def test_definition_lists_callouts_and_quotes(built):
    for markup, callout in ((built["epub"], "aside[@role='note']"), (built["html"], "div")):
        page = parse(markup)
        assert [dt.text_content() for dt in page.iter("dt")] == ["NMDA", "BDNF"]
        # In the guide a callout is announced as set apart: an aside with the note role.
        assert (
            page.xpath(f"//{callout}[contains(@class,'admonition')]/p[@class='admonition-title']")[0].text_content()
            == "Before your first session"
        )
        assert page.xpath("//blockquote")
    for text in (built["pdf"], built["txt"]):
        assert "Eat lightly and arrange a ride home." in " ".join(text.split())


def test_images_have_alt_text_and_captions(built, rich_build):
    figure = parse(built["epub"]).xpath("//figure")[0]
    assert figure.xpath("img/@alt")[0].startswith("Six circles joined by short lines")
    assert figure.xpath("figcaption")[0].text_content() == "Connections between brain cells"
    with zipfile.ZipFile(rich_build / f"guides/{SLUG}.epub") as archive:
        assert "EPUB/images/connections.png" in archive.namelist()
    assert "Connections between brain cells" in built["pdf"]
    # With no image address set for email, the newsletter shows the description instead.
    assert "Six circles joined by short lines" in built["html"] and "<img" not in built["html"]


def test_nested_lists_and_lists_pasted_without_a_blank_line(built):
    page = parse(built["epub"])
    assert page.xpath("//ul/li[contains(., 'second pasted item')]/ul/li[contains(., 'a nested item')]")
    assert page.xpath("//ol/li[contains(., 'Two')]/ol/li[contains(., 'Two point one')]")


def test_smart_quotes_and_non_ascii_text_survive(built):
    for name, text in built.items():
        assert "café" in text and "naïve" in text, name
    assert "\u201csmart quotes\u201d" in built["pdf"] and "\u2018single quotes\u2019" in built["pdf"]
    assert "&rsquo;" not in built["epub"]  # XHTML has no named entities


def test_a_title_with_markup_characters_stays_text(built, rich_build):
    title = "Sleep, Mood & the \u201cQuiet Mind\u201d <Guide>"
    assert title in " ".join(built["pdf"].split())
    assert "Sleep, Mood &amp; the \u201cQuiet Mind\u201d &lt;Guide&gt;" in built["epub"]
    newsletter = parse(built["html"])
    assert newsletter.xpath("//h1")[0].text_content() == title and not newsletter.xpath("//guide")
    assert newsletter.xpath("//title")[0].text_content() == title


def test_the_rich_guide_passes_epubcheck(rich_build, tmp_path):
    report = epubcheck(rich_build / f"guides/{SLUG}.epub", tmp=tmp_path)[0]
    checker = report["checker"]
    assert (checker["nFatal"], checker["nError"], checker["nWarning"], checker["nUsage"]) == (0, 0, 0, 0), [
        (m["ID"], m["message"]) for m in report["messages"]
    ]


def test_the_reviewed_date_shows_in_every_page_footer(rich_build):
    for text in pdf_pages(rich_build / f"handouts/{SLUG}.pdf"):
        # Its dates held together by no-break spaces: any kind of space between the words.
        assert "Last reviewed May 4, 2026 by Test Reviewer, MD" in " ".join(text.split())


@pytest.mark.parametrize(
    "pasted",
    [
        "<script>alert(1)</script>Hello",
        '<img src="x.png" onerror="alert(1)">Hello',
        '<a href="javascript:alert(1)">Hello</a>',
        '<iframe src="https://example.com"></iframe>Hello',
        '<form action="/x"><input name="q"></form>Hello',
        '<a rel="attachment" href="/etc/passwd">Hello</a>',
    ],
)
def test_pasted_html_is_sanitised(pasted):
    html = to_html(pasted).html.lower()
    for forbidden in ("<script", "onerror", "javascript:", "<iframe", "<form", "<input", "attachment", "alert"):
        assert forbidden not in html
    assert "hello" in html


def test_a_heading_cannot_take_a_required_blocks_id():
    html = to_html("## Medical disclaimer\n\nText").html
    assert 'id="medical-disclaimer"' not in html and 'id="medical-disclaimer-section"' in html


def test_a_definition_without_a_term_is_a_paragraph_not_a_list_no_reader_can_pair():
    """ ": Definition" straight after a heading (which took the line meant as its term): Python-Markdown
    alone makes <dl><dd>, which HTML forbids (EPUBCheck RSC-005 in the guide)."""
    from publishing.markup import to_html

    assert to_html("## Term\n: Definition\n").html == '<h2 id="term">Term</h2>\n<p>Definition</p>'
    assert "<dt>Term</dt>" in to_html("Term\n: Definition\n").html  # a term and its definition stay a list
