"""The email newsletter: one self-contained HTML file with CSS inlined, and its plain-text part."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from . import required
from .article import Article
from .site import Site
from .templates import render

NAME = "newsletter"
FOLDER = "newsletters"
SUFFIX = ".html"

# Gmail clips a message at about 102 KB; email services add their own bytes.
HTML_BUDGET = 82_000
# The crisis block must come before anything Gmail could clip.
CRISIS_WITHIN = 20_000
TEXT_WIDTH = 78


def output_names(article: Article) -> list[str]:
    return [f"{article.slug}.html", f"{article.slug}.txt"]


def build(article: Article, site: Site, workdir: Path) -> list[Path]:
    html = render_html(article, site)
    text = render_text(article, site)
    html_path, text_path = (workdir / name for name in output_names(article))
    html_path.write_text(html, encoding="utf-8", newline="\r\n")
    text_path.write_text(text, encoding="utf-8", newline="\r\n")
    return [html_path, text_path]


def render_html(article: Article, site: Site) -> str:
    import css_inline

    layouts, settings = site.project.layouts, site.settings
    body_html = email_body(article, settings)
    page = render(layouts, "newsletter/newsletter.html", article=article, settings=settings,
                  blocks=site.blocks, body_html=body_html, shortened=False,
                  responsive_css=_without_comments((layouts / "newsletter/responsive.css").read_text(encoding="utf-8")),
                  unsubscribe_url=settings.newsletter.unsubscribe_url,
                  postal_address=settings.newsletter.postal_address or settings.postal_address)
    inliner = css_inline.CSSInliner(
        inline_style_tags=False, keep_style_tags=True,  # the <style> in <head> holds only media queries
        load_remote_stylesheets=False,                   # never the network at build time
        extra_css=(layouts / "newsletter/newsletter.css").read_text(encoding="utf-8"),
    )
    return inliner.inline(page)


def _without_comments(css: str) -> str:
    """Comments explain the stylesheet to us; they are only bytes in an inbox."""
    return re.sub(r"/\*.*?\*/\s*", "", css, flags=re.DOTALL).strip()


def email_body(article: Article, settings) -> str:
    """The article body adjusted for email clients: absolute image URLs, table classes."""
    import lxml.html
    fragment = lxml.html.fragment_fromstring(article.body_html, create_parent="div")
    for table in fragment.iter("table"):
        table.set("class", "data")
        table.set("role", "table")
    for image in list(fragment.iter("img")):
        if settings.image_base_url:
            image.set("src", settings.image_base_url.rstrip("/") + "/" + image.get("src", "").lstrip("/"))
            image.set("width", image.get("width") or "536")
        else:
            # No public address for images yet: show what the image would say.
            stand_in = lxml.html.Element("p", {"class": "image-alt"})
            stand_in.text = image.get("alt", "")
            stand_in.tail = image.tail
            image.getparent().replace(image, stand_in)
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in fragment) if len(fragment) else ""


def render_text(article: Article, site: Site) -> str:
    """The plain-text part: a real rendering, links as numbered references, 78 columns."""
    settings, blocks = site.settings, site.blocks
    wrap = textwrap.TextWrapper(width=TEXT_WIDTH, break_long_words=False, break_on_hyphens=False)
    rule = "=" * TEXT_WIDTH
    parts = [
        settings.clinic_name.upper() + (f" | {settings.clinic_location}" if settings.clinic_location else ""),
        rule, "", *wrap.wrap(article.title), "", *wrap.wrap(article.description), "",
        _boxed(blocks.crisis.title, blocks.crisis.text + "\nCall 988 (tel:988) or text 988 (sms:988).", wrap),
        "", html_to_plain(email_body(article, settings)).rstrip(), "",
        f"Questions about treatment? Call {settings.clinic_name} at {settings.clinic_phone}.", "",
        rule, "", *wrap.wrap(blocks.disclaimer.title.upper()), *_paragraphs(blocks.disclaimer.text, wrap), "",
        *wrap.wrap(f"{settings.clinic_name}"
                   + (f", {settings.clinic_location}" if settings.clinic_location else "")
                   + f", {settings.clinic_phone}"),
    ]
    address = settings.newsletter.postal_address or settings.postal_address
    if address:
        parts += wrap.wrap(address)
    if settings.newsletter.unsubscribe_url:
        parts += ["", f"Unsubscribe: {settings.newsletter.unsubscribe_url}"]
    return "\n".join(parts).rstrip() + "\n"


def html_to_plain(html: str) -> str:
    import html2text
    converter = html2text.HTML2Text()
    converter.body_width = TEXT_WIDTH
    converter.inline_links = False
    converter.wrap_links = False
    converter.wrap_list_items = True
    converter.ignore_emphasis = True
    converter.unicode_snob = True
    converter.images_to_alt = True
    converter.skip_internal_links = True
    return _wrap_list_items(converter.handle(html))


_LIST_ITEM = re.compile(r"^(\s*(?:\d+\.|[*+-])\s+)(.*)$")


def _wrap_list_items(text: str) -> str:
    """html2text never wraps ordered list items: wrap them with a hanging indent."""
    lines = []
    for line in text.splitlines():
        match = _LIST_ITEM.match(line)
        if match and len(line) > TEXT_WIDTH:
            marker, rest = match.groups()
            lines += textwrap.wrap(rest, width=TEXT_WIDTH, initial_indent=marker,
                                   subsequent_indent=" " * len(marker),
                                   break_long_words=False, break_on_hyphens=False)
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


def verify(article: Article, site: Site, files: list[Path], shown_as: Path) -> None:
    """Both blocks in the HTML and in the text; the crisis block before Gmail could clip it."""
    html_path, text_path = files
    raw = html_path.read_bytes()
    early = _html_text(raw[:CRISIS_WITHIN].decode("utf-8", "ignore"))
    required.require(NAME, f"the first {CRISIS_WITHIN:,} bytes of the HTML", early, site.blocks.crisis, shown_as)
    required.require(NAME, "the HTML", _html_text(raw.decode("utf-8")), site.blocks.disclaimer, shown_as)
    text = text_path.read_text(encoding="utf-8")
    text_shown = shown_as.with_suffix(".txt")
    for block in site.blocks:
        required.require(NAME, "the plain-text part", text, block, text_shown)


def _html_text(html: str) -> str:
    import lxml.html
    document = lxml.html.document_fromstring(html)
    for hidden in document.xpath("//head|//*[contains(@class,'preheader')]"):
        hidden.drop_tree()
    return document.text_content()
