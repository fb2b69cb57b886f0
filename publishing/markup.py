"""The one configured Markdown converter, and the sanitiser every article passes through.

Python-Markdown is not CommonMark. Decisions taken here, each tested in
tests/test_markdown_features.py with pasted content:

* nested lists are indented by four spaces (Python-Markdown's rule; documented
  in the README);
* a list may start right under a paragraph line without a blank line before
  it, as in CommonMark and in text pasted from the web;
* an image alone in its paragraph becomes a figure, and its title (the quoted
  text after the URL) becomes the caption;
* smart quotes and dashes are real characters, not HTML entities, so the
  output is valid XHTML for the EPUB.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.abbr import AbbrExtension
from markdown.extensions.admonition import AdmonitionExtension
from markdown.extensions.attr_list import AttrListExtension
from markdown.extensions.def_list import DefListExtension
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.md_in_html import MarkdownInHtmlExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.smarty import SmartyExtension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import TocExtension, slugify_unicode
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from .htmltext import tag_free
from .ids import RESERVED
from .nesting import mend

SMART_CHARACTERS = {
    "left-single-quote": "\u2018",
    "right-single-quote": "\u2019",
    "left-double-quote": "\u201c",
    "right-double-quote": "\u201d",
    "left-angle-quote": "\u00ab",
    "right-angle-quote": "\u00bb",
    "ndash": "\u2013",
    "mdash": "\u2014",
    "ellipsis": "\u2026",
}

ADMONITION_KINDS = ("note", "tip", "important", "warning", "caution", "danger")

# What may survive from a source into any product: a conservative allow-list.
ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "style", "scope"},
    "abbr": {"title"},
}
ALLOWED_CLASSES = {
    "div": {"admonition", "footnote", *ADMONITION_KINDS},
    "p": {"admonition-title"},
    "a": {"footnote-ref", "footnote-backref"},
    "sup": set(),
}
URL_SCHEMES = {"http", "https", "mailto", "tel", "sms"}


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    title: str


@dataclass(frozen=True)
class Converted:
    html: str
    headings: tuple[Heading, ...]
    # Every image address as written, before the sanitiser removed any: a refused one is an error.
    image_sources: tuple[str, ...] = ()


def _slugify(value: str, separator: str) -> str:
    slug = slugify_unicode(value, separator)
    return f"{slug}{separator}section" if slug in RESERVED else slug


class _ListsInterruptParagraphs(Preprocessor):
    """Insert the blank line Python-Markdown needs before a list that follows a paragraph."""

    LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|1[.)])\s+\S")
    FENCE = re.compile(r"^ {0,3}(```|~~~)")

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        in_fence = False
        for line in lines:
            if self.FENCE.match(line):
                in_fence = not in_fence
            previous = out[-1] if out else ""
            if (
                not in_fence
                and self.LIST_ITEM.match(line)
                and previous.strip()
                and not self.LIST_ITEM.match(previous)
                and not re.match(r"^\s*([-*+]|\d+[.)])\s", previous)
                and not previous.startswith((" ", "\t", "#", ">", "|"))
            ):
                out.append("")
            out.append(line)
        return out


class _Figures(Treeprocessor):
    """Turn a paragraph holding only an image into a figure, its title into the caption."""

    def run(self, root: etree.Element) -> None:
        for paragraph in list(root.iter("p")):
            children = list(paragraph)
            if (
                len(children) == 1
                and children[0].tag == "img"
                and not (paragraph.text or "").strip()
                and not (children[0].tail or "").strip()
            ):
                image = children[0]
                paragraph.tag = "figure"
                caption = image.attrib.pop("title", "").strip()
                image.tail = None
                if caption:
                    etree.SubElement(paragraph, "figcaption").text = caption


class _TocMarkers(Preprocessor):
    """Drop the table-of-contents markers other tools use ([TOC], <!--TOC-->, [[_TOC_]], {:toc}):
    every product makes its own contents, and a marker would otherwise print as text."""

    MARKER = re.compile(r"^\s*(\[TOC\]|<!--\s*TOC\s*-->|\[\[_TOC_\]\]|\{:\s*toc\s*\}|\* TOC)\s*$", re.IGNORECASE)

    def run(self, lines: list[str]) -> list[str]:
        return ["" if self.MARKER.match(line) else line for line in lines]


class _HeadingLabels(Treeprocessor):
    """A heading that is only a picture is named in the contents by the picture's description."""

    def run(self, root: etree.Element) -> None:
        for heading in (element for element in root.iter() if element.tag in ("h2", "h3", "h4", "h5", "h6")):
            if not any(character.isalnum() for character in "".join(heading.itertext())):
                alts = [image.get("alt", "") for image in heading.iter("img") if image.get("alt", "").strip()]
                if alts:
                    heading.set("data-toc-label", " ".join(alts))


class _DefinitionsWithTerms(Treeprocessor):
    """A definition with no term before it (": Definition" straight after a heading, which took the
    line meant as its term) is a paragraph: Python-Markdown makes it a <dl> holding only a <dd>, which
    HTML does not allow (EPUBCheck RSC-005) and no reader can pair with a term."""

    def run(self, root: etree.Element) -> None:
        for listing in list(root.iter("dl")):
            parent = next(element for element in root.iter() if listing in list(element))
            for definition in list(listing):
                if definition.tag != "dd":
                    break
                definition.tag = "p" if not len(definition) else "div"
                listing.remove(definition)
                parent.insert(list(parent).index(listing), definition)
            if not len(listing):
                parent.remove(listing)


class _ClinicMarkdown(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.register(_ListsInterruptParagraphs(md), "lists_interrupt_paragraphs", 25)
        md.preprocessors.register(_TocMarkers(md), "toc_markers", 26)
        md.treeprocessors.register(_Figures(md), "figures", 5)
        md.treeprocessors.register(_DefinitionsWithTerms(md), "definitions_with_terms", 7)
        # Before the toc extension (priority 5) reads the headings.
        md.treeprocessors.register(_HeadingLabels(md), "heading_labels", 6)


def N_(message: str) -> str:
    """Marks a message for `invoke messages` (pybabel extracts N_), translated where it is used."""
    return message


# The words a note's link back to the text says, in the catalog (layouts/locale/) like every word printed.
BACKLINK_TEXT = N_("Back to text")
BACKLINK_TITLE = N_("Back to the text of note %(number)s")


def _converter(words=None) -> markdown.Markdown:
    # Extensions as objects, not names: a name is looked up among every installed package's entry
    # points, 30 ms at the start of every build. The first seven are "extra", in its order.
    text, title = (
        (words.lookup(BACKLINK_TEXT), words.lookup(BACKLINK_TITLE)) if words else (BACKLINK_TEXT, BACKLINK_TITLE)
    )
    return markdown.Markdown(
        extensions=[
            FencedCodeExtension(),
            FootnoteExtension(SEPARATOR="-", BACKLINK_TEXT=text, BACKLINK_TITLE=title.replace("%(number)s", "%d")),
            AttrListExtension(),
            DefListExtension(),
            TableExtension(),
            AbbrExtension(),
            MarkdownInHtmlExtension(),
            AdmonitionExtension(),
            SaneListExtension(),
            SmartyExtension(substitutions=SMART_CHARACTERS),
            TocExtension(slugify=_slugify, toc_depth="2-3", marker=""),
            _ClinicMarkdown(),
        ],
        output_format="xhtml",
    )


def sanitise(html: str) -> str:
    """Keep only the allow-listed markup: no scripts, handlers, frames, forms or odd URLs."""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={
            "script",
            "style",
            "template",
            "iframe",
            "object",
            "embed",
            "noscript",
            "svg",
            "math",
            "form",
            "textarea",
            "select",
        },
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        filter_style_properties={"text-align"},
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    # An image whose address was refused (data:, javascript:) keeps nothing worth showing.
    return mend(_IMAGE_WITHOUT_SOURCE.sub("", cleaned))


_IMAGE_WITHOUT_SOURCE = re.compile(r"<img\b(?![^>]*\bsrc=)[^>]*>")


def to_html(text: str, words=None) -> Converted:
    """Convert Markdown to sanitised HTML and list its headings (level 2 and 3); ``words``: the catalog of
    the text's language, for the words the conversion adds (a note's link back)."""
    md = _converter(words)
    html = md.convert(text)
    headings = tuple(_flatten(md.toc_tokens))
    return Converted(html=sanitise(html), headings=headings, image_sources=_image_sources(html))


def _image_sources(html: str) -> tuple[str, ...]:
    """Every image address as written, in Markdown or raw HTML (quoted or not), before sanitising."""
    if "<img" not in html.lower():
        return ()
    import lxml.html

    fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    return tuple(image.get("src") for image in fragment.iter("img") if image.get("src") is not None)


def _flatten(tokens: list[dict]):
    """The headings the contents list: those with words (not only a link to nowhere, or punctuation)."""
    for token in tokens:
        title = " ".join(tag_free(token["name"]).split())
        if any(character.isalnum() for character in title):
            yield Heading(level=token["level"], id=token["id"], title=title)
        yield from _flatten(token["children"])
