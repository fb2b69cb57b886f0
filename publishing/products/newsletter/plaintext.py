"""The plain-text part: a real rendering of the newsletter, links as numbered references, 78 columns."""

from __future__ import annotations

import re
import textwrap
from typing import TYPE_CHECKING

from ...article import Article
from ...characters import without_invisible
from ...site import Site
from .limits import TEXT_WIDTH

if TYPE_CHECKING:
    from .compose import Shortening


def render_text(article: Article, site: Site, body_html: str, shortened: Shortening | None = None) -> str:
    """The plain-text part: a real rendering, links as numbered references, 78 columns."""
    settings, blocks = site.settings, site.blocks
    wrap = textwrap.TextWrapper(width=TEXT_WIDTH, break_long_words=False, break_on_hyphens=False)
    rule = "=" * TEXT_WIDTH
    body, links = html_to_plain(body_html)
    parts = [
        settings.clinic_name.upper() + (f" | {settings.clinic_location}" if settings.clinic_location else ""),
        rule,
        "",
        *wrap.wrap(article.title),
        "",
        *wrap.wrap(article.description),
        "",
        _boxed(blocks.crisis.title, blocks.crisis.text + "\nCall 988 (tel:988) or text 988 (sms:988).", wrap),
        "",
        body.rstrip(),
        "",
    ]
    if shortened:
        url = settings.article_web_address(article.slug)
        parts += [
            *wrap.wrap(
                f"Continue reading: {article.title} <{url}>"
                if url
                else f"This is the first part of the guide. For the full guide, call us at {settings.clinic_phone}."
            ),
            "",
        ]
    if links:
        parts += ["Links:", *(f"[{number}] {url}" for number, url in enumerate(links, start=1)), ""]
    parts += [
        f"Questions about treatment? Call {settings.clinic_name} at {settings.clinic_phone}.",
        "",
        rule,
        "",
        *wrap.wrap(blocks.disclaimer.title.upper()),
        *_paragraphs(blocks.disclaimer.text, wrap),
        "",
        *wrap.wrap(
            f"{settings.clinic_name}"
            + (f", {settings.clinic_location}" if settings.clinic_location else "")
            + f", {settings.clinic_phone}"
        ),
    ]
    from .compose import footer_postal_address

    address = footer_postal_address(settings)
    if address:
        parts += wrap.wrap(address)
    if settings.newsletter.unsubscribe_url:
        parts += ["", f"Unsubscribe: {settings.newsletter.unsubscribe_url}"]
    text = "\n".join(line.rstrip() for line in "\n".join(parts).splitlines())
    return without_invisible(re.sub(r"\n{3,}", "\n\n", text).rstrip() + "\n")


def html_to_plain(html: str) -> tuple[str, list[str]]:
    """Plain text of an email body, and the addresses its "[n]" link references point to."""
    import html2text
    import lxml.html

    fragment = lxml.html.fragment_fromstring(html or "<p></p>", create_parent="div")
    for back in fragment.xpath("//a[contains(concat(' ', @class, ' '), ' footnote-backref ')]"):
        back.drop_tree()  # "Back to text" means nothing where nothing jumps
    links: list[str] = []
    for link in fragment.xpath("//a[@href]"):
        href = link.get("href")
        label = link.text_content().strip()
        if href.startswith("#") or href.split(":", 1)[-1] in label:
            link.drop_tag()  # in-page jumps mean nothing in text; "a@b.org" needs no reference
            continue
        if href not in links:
            links.append(href)
        link.tail = f" [{links.index(href) + 1}]" + (link.tail or "")
        link.drop_tag()
    for image in fragment.xpath("//img|//p[@class='image-alt']"):
        text = image.get("alt") if image.tag == "img" else image.text_content()
        replacement = lxml.html.Element("p")
        replacement.text = f"[Image: {text}]"
        replacement.tail = image.tail
        image.getparent().replace(image, replacement)
    for term_list in fragment.xpath("//dl"):
        items = lxml.html.Element("ul")
        for term in term_list.iter("dt"):
            definitions = []
            sibling = term.getnext()
            while sibling is not None and sibling.tag == "dd":
                definitions.append(" ".join(sibling.text_content().split()))
                sibling = sibling.getnext()
            item = lxml.html.Element("li")
            item.text = " ".join(term.text_content().split()) + ": " + " ".join(definitions)
            items.append(item)
        items.tail = term_list.tail
        term_list.getparent().replace(term_list, items)
    for mark in fragment.xpath("//sup[starts-with(@id, 'fnref')]"):
        mark.text = f"[{mark.text_content()}]"
        for child in list(mark):
            mark.remove(child)
    converter = html2text.HTML2Text()
    converter.body_width = TEXT_WIDTH
    converter.ignore_links = True
    converter.wrap_list_items = True
    converter.ignore_emphasis = True
    converter.unicode_snob = True
    converter.pad_tables = True
    text = converter.handle(lxml.html.tostring(fragment, encoding="unicode"))
    return _plain_headings(_wrap_list_items(text)), links


_HEADING = re.compile(r"^(#{1,6}) (.*)$")


def _plain_headings(text: str) -> str:
    """'## Title' is Markdown, not plain text: underline section titles instead."""
    lines = []
    for line in text.splitlines():
        match = _HEADING.match(line)
        if match:
            level, title = len(match.group(1)), match.group(2).strip()
            lines += [title, ("-" if level <= 2 else "~") * min(len(title), TEXT_WIDTH)]
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


_LIST_ITEM = re.compile(r"^(\s*(?:\d+\.|[*+-])\s+)(.*)$")


def _wrap_list_items(text: str) -> str:
    """html2text never wraps ordered list items: wrap them with a hanging indent."""
    lines = []
    for line in text.splitlines():
        match = _LIST_ITEM.match(line)
        if match and len(line) > TEXT_WIDTH:
            marker, rest = match.groups()
            lines += textwrap.wrap(
                rest,
                width=TEXT_WIDTH,
                initial_indent=marker,
                subsequent_indent=" " * len(marker),
                break_long_words=False,
                break_on_hyphens=False,
            )
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def _paragraphs(text: str, wrap: textwrap.TextWrapper) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines():
        lines += wrap.wrap(paragraph) + [""]
    return lines[:-1]


def _boxed(title: str, text: str, wrap: textwrap.TextWrapper) -> str:
    """A block set off by rules above and below (no side borders: they break copying)."""
    edge = "*" * TEXT_WIDTH
    return "\n".join([edge, *wrap.wrap(title.upper()), "", *_paragraphs(text, wrap), edge])
