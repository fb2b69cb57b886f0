"""The web page's proof: both blocks in the page, visible at a phone's and a desktop's width, light
and dark (the CSS cascade proof every HTML product gets), the crisis card before the article, and each
download the page offers written beside it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from ... import proof
from ...article import Article
from ...errors import RequiredBlockFailure
from ...site import Site
from .address import STYLESHEET

NAME = "web"  # Web.name, written out: the package imports this module
WIDTHS = (375.0, 1280.0)  # a phone, a desktop


def verify(article: Article | None, site: Site, files: list[Path], shown_as: Path) -> None:
    import lxml.etree
    import lxml.html

    from ...proof.markup import text_pieces

    page = files[0]
    try:
        document = lxml.html.document_fromstring(page.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, lxml.etree.ParserError) as error:
        raise proof.unreadable(NAME, shown_as, "HTML document", error, "invoke build --only web --force") from None
    for width in WIDTHS:
        visibility = page_visibility(document, site, width)
        where = f"the page at {width:.0f} px"
        for block in site.blocks:
            proof.require_in_markup(
                visibility, block, product=NAME, where=where, shown_as=shown_as, lines=proof.card_lines(site, block)
            )
    if article is not None:
        pieces = text_pieces(document.body, {block.id: block.key for block in site.blocks})
        proof.require_before(
            NAME,
            "the page",
            pieces,
            site.blocks.crisis,
            proof.opening_words(article.plain_text),
            "the article",
            shown_as,
        )
        _require_downloads(document, page, shown_as)
    else:  # an index page: the card before the first article it lists
        main = document.find(".//main")
        if main is not None:
            pieces = text_pieces(document.body, {block.id: block.key for block in site.blocks})
            opening = proof.opening_words(" ".join(main.text_content().split()))
            proof.require_before(NAME, "the page", pieces, site.blocks.crisis, opening, "the page's content", shown_as)


def page_visibility(document, site: Site, width: float):
    """The page's styles as a browser applies them: its <style> (each media query tried on its own
    and together: the phone's rules, dark mode) and its style attributes."""
    from ...proof.cascade import cached_stylesheet
    from ...proof.markup import Visibility

    sheets = [cached_stylesheet(style.text or "", "the <style> in the page") for style in document.iter("style")]
    source = site.folders.layouts / STYLESHEET
    sources = [cached_stylesheet(source.read_text(encoding="utf-8"), f"layouts/{STYLESHEET}")]
    return Visibility(
        document, sheets, html=True, inline_origin="a style attribute in the page", sources=sources, width=width
    )


def _require_downloads(document, page: Path, shown_as: Path) -> None:
    """The "Download this guide" section is there, and every file it links is beside the page."""
    section = document.get_element_by_id("downloads", None)
    if section is None:
        raise RequiredBlockFailure(
            shown_as,
            f"{NAME}: the page has no 'Download this guide' section (id 'downloads')",
            hint="layouts/web/page.html must keep the section with id 'downloads'",
        )
    for link in section.iter("a"):
        href = link.get("href", "")
        parts = urlsplit(href)
        if parts.scheme:
            continue  # a phone number to call for a printed copy
        target = page.parent / unquote(parts.path)
        if "/" in parts.path or not target.is_file():
            raise RequiredBlockFailure(
                shown_as,
                f"{NAME}: the download '{href}' the page offers was not written beside it",
                hint="build the handout and the guide first: 'invoke build'",
            )


def witness_pages(site: Site, files: list[Path]):
    """Chromium renders the page at phone and desktop widths, light and dark."""
    from ...sighting import Sighting, WitnessPage

    sightings = tuple(Sighting(block.id, block.name, proof.card_lines(site, block)) for block in site.blocks)
    return [WitnessPage("browser", files[0], "the web page", sightings, widths=(375, 1280))]
