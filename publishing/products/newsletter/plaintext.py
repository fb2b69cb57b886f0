"""The plain-text part: a real rendering of the newsletter, links as words and addresses, 78 columns."""

from __future__ import annotations

import re
import textwrap
from typing import TYPE_CHECKING

from ...article import Article
from ...bidi import isolate_text
from ...characters import without_invisible
from ...languages import direction
from ...site import Site
from .footer import footer_postal_address
from .limits import TEXT_WIDTH

if TYPE_CHECKING:
    from .compose import Shortening


def render_text(
    article: Article, site: Site, body_html: str, shortened: Shortening | None = None, *, teaser: bool = False
) -> str:
    """The plain-text part of one article's newsletter."""
    settings = site.settings
    wrap = _wrapper()
    body = html_to_plain(body_html)
    online = settings.online_address(article.slug, article.edition)
    head = [*wrap.wrap(article.title), "", *wrap.wrap(article.description), ""]
    byline = f"{article.author} · {review_line(article, site)}"
    head += [*wrap.wrap(byline), ""]
    content = [body.rstrip(), ""]
    if shortened:
        url = settings.article_web_address(article.slug, article.edition)
        if url:
            lead = site._("Read the whole guide: %(title)s", title=article.title) if teaser else ""
            lead = lead or site._("Continue reading: %(title)s", title=article.title)
            ending = f"{lead} <{url}>"
        else:
            ending = site._(
                "This is the first part of the guide. For the full guide, call us at %(phone)s.",
                phone=settings.clinic_phone,
            )
        content += [*wrap.wrap(ending), ""]
    online_line = f"{site._('Read this guide on our website')}: <{online}>" if online else ""
    return frame_text(site, head, content, online=online_line)


def frame_text(site: Site, head: list[str], content: list[str], *, online: str = "") -> str:
    """The plain-text shell every email shares, as the HTML's: the read-online line, the masthead, the
    head, the crisis block, a call to action, the content, the call to action again, the disclaimer
    and the legal footer."""
    settings, blocks = site.settings, site.blocks
    wrap = _wrapper()
    rule = "=" * TEXT_WIDTH
    parts = [*([*wrap.wrap(online), ""] if online else [])]
    parts += [
        settings.clinic_name.upper() + (f" | {settings.clinic_location}" if settings.clinic_location else ""),
        rule,
        "",
        *head,
        _boxed(blocks.crisis.title, "\n".join((blocks.crisis.text, *blocks.crisis.line_texts)), wrap),
        "",
        *wrap.wrap(site._("Questions? Talk with us: call %(phone)s.", phone=settings.clinic_phone)),
        "",
        *content,
        *wrap.wrap(
            site._(
                "Questions about treatment? Call %(clinic)s at %(phone)s.",
                clinic=settings.clinic_name,
                phone=settings.clinic_phone,
            )
        ),
    ]
    if settings.booking_url:
        parts += wrap.wrap(f"{site._('Book an appointment')}: <{settings.booking_url}>")
    parts += [
        "",
        rule,
        "",
        *wrap.wrap(blocks.disclaimer.title.upper()),
        *_paragraphs("\n".join((blocks.disclaimer.text, *blocks.disclaimer.line_texts)), wrap),
        "",
        *wrap.wrap(
            f"{settings.clinic_name}"
            + (f", {settings.clinic_location}" if settings.clinic_location else "")
            + f", {settings.clinic_phone}"
        ),
    ]
    address = footer_postal_address(settings)
    if address:
        parts += wrap.wrap(address)
    if settings.newsletter.unsubscribe_url:
        parts += ["", f"{site._('Unsubscribe')}: {settings.newsletter.unsubscribe_url}"]
    text = "\n".join(line.rstrip() for line in "\n".join(parts).splitlines())
    text = without_invisible(re.sub(r"\n{3,}", "\n\n", text).rstrip() + "\n")
    # A right-to-left client shows "(310) 280-4440" in order only between LRI and PDI.
    return isolate_text(text) if direction(site.language) == "rtl" else text


def review_line(article: Article, site: Site) -> str:
    """As the HTML's byline says it: the review facts and version of every product (publishing/review.py)."""
    from ...review import facts

    return facts(article, site.settings, site.words)


def _wrapper() -> textwrap.TextWrapper:
    return textwrap.TextWrapper(width=TEXT_WIDTH, break_long_words=False, break_on_hyphens=False)


def html_to_plain(html: str) -> str:
    """Plain text of an email body: links as their words with the address after them."""
    import html2text
    import lxml.html

    fragment = lxml.html.fragment_fromstring(html or "<p></p>", create_parent="div")
    for back in fragment.xpath("//a[contains(concat(' ', @class, ' '), ' footnote-backref ')]"):
        back.drop_tree()  # "Back to text" means nothing where nothing jumps
    for link in fragment.xpath("//a[@href]"):
        href = link.get("href")
        label = " ".join(link.text_content().split())
        if not (href.startswith("#") or _says_its_address(href, label)):
            # Words first, then the address in angle brackets (RFC 3986, appendix C): never a bare code.
            # In-page jumps mean nothing in text; "call 988" and "a@b.org" need nothing more.
            scheme, _, rest = href.partition(":")
            if scheme in ("tel", "sms"):
                link.tail = f" ({'text' if scheme == 'sms' else 'call'} {_phone_words(rest)})" + (link.tail or "")
            else:
                link.tail = f" <{rest if scheme == 'mailto' else href}>" + (link.tail or "")
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
    return _plain_headings(_wrap_list_items(text))


def _says_its_address(href: str, label: str) -> bool:
    """Whether the link's words already hold what it points to: the address, or the number's digits."""
    scheme, _, rest = href.partition(":")
    if scheme in ("tel", "sms"):
        digits, said = re.sub(r"\D", "", rest), re.sub(r"\D", "", label)
        return bool(said) and (digits.endswith(said) or said.endswith(digits.removeprefix("1")))
    return rest.removeprefix("//") in label or href in label


def _phone_words(number: str) -> str:
    """+13102804440 -> (310) 280-4440; short numbers (988, 911) as they are."""
    digits = re.sub(r"\D", "", number)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}" if len(digits) == 10 else digits


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


def render_issue_text(issue, cards, site: Site) -> str:
    """The plain-text part of a newsletter issue: the introduction, then each article's card."""
    settings = site.settings
    wrap = _wrapper()
    head = [*wrap.wrap(issue.title), ""]
    if issue.intro_html:
        head += [html_to_plain(issue.intro_html).strip(), ""]
    content = [site._("In this issue").upper(), ""]
    for card in cards:
        article = card.article
        content += [*([article.category.upper()] if article.category else []), *wrap.wrap(article.title)]
        content += [*wrap.wrap(article.description), *wrap.wrap(review_line(article, site))]
        if card.url:
            content += [*wrap.wrap(f"{site._('Read the guide')}: <{card.url}>")]
            content += wrap.wrap(site._("Also as an e-book (EPUB) and a printed handout: ask us for either."))
        else:
            content += wrap.wrap(
                site._(
                    "Ask us for the e-book (EPUB) or the printed handout: call %(phone)s.", phone=settings.clinic_phone
                )
            )
        content.append("")
    return frame_text(site, head, content)
