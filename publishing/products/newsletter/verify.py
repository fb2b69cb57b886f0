"""The newsletter's proof: both blocks in the HTML, the text and the message, visible in every email
client's situation (inlined styles, media queries, classic Outlook's view), the crisis block first."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from ... import proof
from ...article import Article
from ...errors import RequiredBlockFailure
from ...site import Site
from .limits import CRISIS_WITHIN
from .message import check_headers, message_parts, read_message

# The product named in the proof's messages, an issue's too: Newsletter.name, written out because the
# package imports this module (importing the class here would make the two import each other).
NAME = "newsletter"
REBUILD = f"invoke build --only {NAME} --force"  # as Product.rebuild_command gives it


def verify(article: Article | None, site: Site, files: list[Path], shown_as: Path, first_text_class: str = "") -> None:
    """Both blocks, visible, in the HTML, the text and both parts of the message; the crisis block
    before the article (or before the first element of ``first_text_class``: an issue's first card)
    and before Gmail could clip it."""
    html_path, text_path, eml_path = files[:3]
    html = html_path.read_bytes()
    _verify_html(html, "the HTML", site, shown_as, article)
    if first_text_class:
        _verify_first(html, first_text_class, "the first article's card", site, shown_as)
    text_shown = shown_as.with_suffix(".txt")
    _verify_text(text_path.read_text(encoding="utf-8"), "the plain-text part", site, text_shown)
    verify_message(eml_path, site, shown_as.with_suffix(".eml"), article, proven_html=html.decode("utf-8"))


def verify_message(
    eml_path: Path,
    site: Site,
    shown_as: Path,
    article: Article | None = None,
    proven_html: str | None = None,
    message=None,
) -> None:
    """The message's two parts carry both blocks. An HTML part identical to ``proven_html`` (the HTML
    file, proven a moment ago) has the same verdict, and is not examined twice. ``message``: the message
    as it will be sent (stamped, its headers checked by the sender), instead of the file's."""
    if message is None:
        message = read_message(eml_path)
        check_headers(message, shown_as)  # before anything else: a Bcc: line in a built message is never sent
    parts = message_parts(message)
    if parts is None:
        raise RequiredBlockFailure(
            shown_as,
            f"{NAME}: the message is not multipart/alternative with a text and an HTML part",
            hint="rebuild it with 'invoke build --only newsletter'",
        )
    text, html = parts
    _verify_text(text, "the message's text part", site, shown_as)
    if proven_html is None or html.replace("\r\n", "\n") != proven_html.replace("\r\n", "\n"):
        _verify_html(html.encode("utf-8"), "the message's HTML part", site, shown_as, article)


def _verify_html(raw: bytes, where: str, site: Site, shown_as: Path, article: Article | None) -> None:
    import lxml.etree
    import lxml.html

    from ...proof.markup import text_pieces

    try:
        html = raw.decode("utf-8")
        document = lxml.html.document_fromstring(html)
        early = _html_text(raw[:CRISIS_WITHIN].decode("utf-8", "ignore"))
    except (UnicodeDecodeError, lxml.etree.ParserError) as error:
        raise proof.unreadable(NAME, shown_as, "HTML document", error, REBUILD) from None
    proof.require_text(NAME, f"the first {CRISIS_WITHIN:,} bytes of {where}", early, site.blocks.crisis, shown_as)
    visibility = email_visibility(document, site)
    for block in site.blocks:
        proof.require_in_markup(
            visibility, block, product=NAME, where=where, shown_as=shown_as, lines=proof.card_lines(site, block)
        )
    # Classic Outlook renders what its conditional comments show it, and honours mso-hide.
    outlook = lxml.html.document_fromstring(outlook_view(html))
    outlook_visibility = email_visibility(outlook, site, media_queries=False)
    for block in site.blocks:
        proof.require_in_markup(
            outlook_visibility,
            block,
            product=NAME,
            where=f"{where} as classic Outlook shows it",
            shown_as=shown_as,
            lines=proof.card_lines(site, block),
        )
    if article is not None:
        pieces = text_pieces(document.body, {block.id: block.key for block in site.blocks})
        proof.require_before(
            NAME, where, pieces, site.blocks.crisis, proof.opening_words(article.plain_text), "the article", shown_as
        )


def _verify_first(raw: bytes, css_class: str, what: str, site: Site, shown_as: Path) -> None:
    import lxml.html

    from ...proof.markup import text_pieces

    document = lxml.html.document_fromstring(raw.decode("utf-8"))
    first = document.find_class(css_class)
    if not first:
        return
    words = proof.opening_words(" ".join(first[0].text_content().split()))
    pieces = text_pieces(document.body, {block.id: block.key for block in site.blocks})
    proof.require_before(NAME, "the HTML", pieces, site.blocks.crisis, words, what, shown_as)


def email_visibility(document, site: Site, *, media_queries: bool = True):
    """The HTML's styles as an email client applies them: its inlined styles, its <style> (with the
    media queries tried one by one, or none for classic Outlook) and the bgcolor attributes."""
    from ...proof.cascade import Declaration, cached_stylesheet
    from ...proof.markup import Visibility

    layouts = site.folders.layouts
    sheets = [cached_stylesheet(style.text or "", "the <style> in the HTML") for style in document.iter("style")]
    if not media_queries:  # a copy without them: the parsed sheet is shared by every email
        sheets = [
            dataclasses.replace(
                sheet, rules=[(s, rule) for s, rule in sheet.rules if not rule.conditions], conditions=set()
            )
            for sheet in sheets
        ]
    sources = [
        cached_stylesheet((layouts / name).read_text(encoding="utf-8"), f"layouts/{name}")
        for name in ("newsletter/newsletter.css", "newsletter/responsive.css")
    ]

    def hints(element):
        colour = element.etree_element.get("bgcolor")
        return (
            [
                Declaration(
                    "background-color",
                    colour.strip().lower(),
                    (),
                    False,
                    "a bgcolor attribute in layouts/newsletter/newsletter.html",
                )
            ]
            if colour
            else []
        )

    return Visibility(
        document, sheets, html=True, inline_origin="a style attribute in the HTML", sources=sources, hints=hints
    )


_REVEALED = re.compile(r"<!--\[if ([^\]]*)\]><!-->(.*?)<!--<!\[endif\]-->", re.DOTALL)


_DOWNLEVEL_HIDDEN = re.compile(r"<!--\[if ([^\]]*)\]>(.*?)<!\[endif\]-->", re.DOTALL)


def outlook_view(html: str) -> str:
    """The HTML as classic Outlook's Word engine reads it: what ``<!--[if mso]>`` shows it is markup,
    what ``<!--[if !mso]><!-->`` keeps from it is gone."""

    def for_outlook(match: re.Match) -> str:
        condition = match.group(1).replace(" ", "").lower()
        shown = "mso" in condition and not condition.startswith("!")
        return match.group(2) if shown else ""

    return _DOWNLEVEL_HIDDEN.sub(for_outlook, _REVEALED.sub(for_outlook, html))


def _verify_text(text: str, where: str, site: Site, shown_as: Path) -> None:
    for block in site.blocks:
        proof.require_text(NAME, where, text, block, shown_as)


def _html_text(html: str) -> str:
    import lxml.html

    document = lxml.html.document_fromstring(html)
    for hidden in document.xpath("//head|//*[contains(@class,'preheader')]"):
        hidden.drop_tree()
    return document.text_content()


def whose(files: list[Path], article: Article) -> str | None:
    """None when the newsletter's subject is ``article``'s in the HTML, the .eml and the .txt alike."""
    import lxml.html

    by_suffix = {file.suffix: file for file in files}
    subject = " ".join(article.newsletter_subject.split())
    html = lxml.html.document_fromstring(by_suffix[".html"].read_bytes())
    title = " ".join((html.findtext(".//title") or "").split())
    if title != subject:
        return f"{by_suffix['.html'].name} is titled '{title}', not '{subject}'"
    if ".eml" in by_suffix:
        message = read_message(by_suffix[".eml"])
        said = " ".join(str(message.get("Subject", "")).split())
        if said != subject:
            return f"{by_suffix['.eml'].name} has the subject '{said}', not '{subject}'"
        parts = message_parts(message)
        text = by_suffix[".txt"].read_text(encoding="utf-8") if ".txt" in by_suffix else None
        if parts is None or (text is not None and parts[0].replace("\r\n", "\n") != text.replace("\r\n", "\n")):
            return f"{by_suffix['.txt'].name} is not the text of {by_suffix['.eml'].name}"
    return None
