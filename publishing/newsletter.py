"""The email newsletter: HTML with CSS inlined, its plain-text part, and both as a ready-to-send message.

Written for real inboxes: Gmail clips a message at about 102 KB and keeps one
<style> in <head>; classic Outlook lays out with Word (tables, no media queries);
mail servers reject lines over 998 bytes. An article too long for the budget is
cut at a section boundary and ends with a "continue reading" line; the required
blocks sit outside the article body, so they are never cut.
"""

from __future__ import annotations

import hashlib
import re
import textwrap
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from . import proof
from .article import Article
from .errors import PublishingError, RequiredBlockFailure
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
# RFC 5322: a line is at most 998 bytes, not counting CRLF.
LINE_LIMIT = 998
# The 600 px column less the content cell's 32 px padding on each side.
IMAGE_WIDTH = 536


VARIANTS = ("standard",)


def output_names(article: Article, variant: str = "standard") -> list[str]:
    return [f"{article.slug}.html", f"{article.slug}.txt", f"{article.slug}.eml"]


@dataclass(frozen=True)
class Shortening:
    """How much of the article a shortened newsletter carries."""

    kept: int    # sections (each begins with an h2) kept after the opening
    total: int


@dataclass(frozen=True)
class HostedImage:
    """An image the HTML links at image_base_url, and the bytes to upload there. It is written
    beside the newsletter at the same path (build/newsletters/images/...): one folder to upload."""

    path: str    # relative to image_base_url: its path under sources/, e.g. images/connections.png
    data: bytes


@dataclass(frozen=True)
class Edition:
    """One newsletter as it is sent: both parts, the images it links, and whether it was cut."""

    html: str
    text: str
    images: tuple[HostedImage, ...]
    shortened: Shortening | None


def warm_up(site: Site) -> None:
    """Import the inliner, html2text and lxml before worker processes are forked."""
    import css_inline  # noqa: F401
    import html2text  # noqa: F401
    import lxml.html  # noqa: F401


def build(article: Article, site: Site, workdir: Path) -> list[Path]:
    edition = compose(article, site)
    html_path, text_path, eml_path = (workdir / name for name in output_names(article))
    html_path.write_bytes(_crlf(edition.html).encode("utf-8"))
    text_path.write_bytes(_crlf(edition.text).encode("utf-8"))
    eml_path.write_bytes(message_bytes(edition, article, site))
    files = [html_path, text_path, eml_path]
    for image in edition.images:
        path = workdir / image.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(image.data)
        files.append(path)
    return files


def compose(article: Article, site: Site) -> Edition:
    """Render both parts; cut the article at an h2 when the HTML would pass HTML_BUDGET."""
    body, images = email_body(article, site)
    sections = _sections(body)
    total = len(sections) - 1  # sections[0] is the opening, before the first h2

    def page(kept: int) -> tuple[str, Shortening | None]:
        shortened = Shortening(kept, total) if kept < total else None
        return render_html(article, site, _joined(sections, kept), shortened), shortened

    html, shortened = page(total)
    if _size(html) > HTML_BUDGET:
        # The size grows with every section kept: find the most that fit by bisection.
        low, high = -1, total - 1
        while low < high:
            middle = (low + high + 1) // 2
            if _size(page(middle)[0]) <= HTML_BUDGET:
                low = middle
            else:
                high = middle - 1
        if low < 0:
            raise PublishingError(
                article.source, f"newsletter: even the opening before the first '##' heading makes "
                f"{_size(page(0)[0]):,} bytes of HTML, over the {HTML_BUDGET:,}-byte budget",
                hint="shorten the opening or start a '##' section earlier, so the email can be cut there")
        html, shortened = page(low)
    text = render_text(article, site, _joined(sections, shortened.kept if shortened else total), shortened)
    return Edition(html=html, text=text, images=images, shortened=shortened)


def _size(html: str) -> int:
    """Bytes of the file as written, with CRLF line ends."""
    return len(html.encode("utf-8")) + html.count("\n")


def footer_postal_address(settings) -> str:
    return settings.newsletter.postal_address or settings.postal_address


def render_html(article: Article, site: Site, body_html: str, shortened: Shortening | None) -> str:
    import css_inline

    layouts, settings = site.project.layouts, site.settings
    page = render(layouts, "newsletter/newsletter.html", article=article, settings=settings,
                  blocks=site.blocks, body_html=body_html, shortened=shortened,
                  continue_url=settings.article_web_address(article.slug),
                  responsive_css=_without_comments((layouts / "newsletter/responsive.css").read_text(encoding="utf-8")),
                  unsubscribe_url=settings.newsletter.unsubscribe_url,
                  postal_address=footer_postal_address(settings))
    inliner = css_inline.CSSInliner(
        inline_style_tags=False, keep_style_tags=True,  # the <style> in <head> holds only media queries
        load_remote_stylesheets=False,                   # never the network at build time
        extra_css=(layouts / "newsletter/newsletter.css").read_text(encoding="utf-8"),
    )
    return fold_long_lines(_without_controls(inliner.inline(_html5_as_div(page)))).rstrip("\n") + "\n"


def _without_comments(css: str) -> str:
    """Comments explain the stylesheet to us; they are only bytes in an inbox."""
    return re.sub(r"/\*.*?\*/\s*", "", css, flags=re.DOTALL).strip()


_SECTIONING = re.compile(r"<(/?)(aside|section)\b")


def _html5_as_div(page: str) -> str:
    """Classic Outlook drops the styles of HTML5 elements: the partials' <aside> and <section>
    become <div> with the landmark role the element had (they carry aria-labelledby)."""
    return _SECTIONING.sub(lambda m: "</div" if m.group(1) else '<div role="region"', page)


# C0 controls other than tab and newline, DEL, C1 controls and the two non-characters:
# invisible, and spam filters and some clients treat them as a sign of a broken message.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


def _without_controls(text: str) -> str:
    return _CONTROLS.sub("", text)


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


# --- The article body, adjusted for email clients ------------------------------------------------

def email_body(article: Article, site: Site):
    """The article body as an lxml <div> for email, and the images it links at image_base_url.

    Images get absolute https addresses, width and height; SVG is rasterised to PNG
    (no email client shows SVG reliably). Without image_base_url an image is replaced by
    its description. Figures become divs (HTML5 elements lose their styles in classic
    Outlook).
    """
    import lxml.html
    settings = site.settings
    fragment = lxml.html.fragment_fromstring(_without_controls(article.body_html) or "<p></p>",
                                             create_parent="div")
    for table in fragment.iter("table"):
        table.set("class", "data")
        table.set("role", "table")
    for element in list(fragment.iter("figure", "figcaption")):
        element.set("class", element.tag)
        if element.tag == "figure":
            element.set("role", "figure")
        element.tag = "div" if element.tag == "figure" else "p"
    hosted: dict[str, HostedImage] = {}
    by_src = {image.src: image for image in article.images}
    for element in list(fragment.iter("img")):
        source = by_src.get(element.get("src", ""))
        if settings.image_base_url and source is not None:
            image = _hosted_image(source, site)
            hosted[image.path] = image
            width, height = _pixel_size(image.data)
            natural = width // 2 if source.path.suffix.lower() == ".svg" else width  # SVG: drawn at 2x
            shown = min(natural, IMAGE_WIDTH)
            element.set("src", settings.image_base_url.rstrip("/") + "/" + image.path)
            element.set("width", str(shown))
            element.set("height", str(round(height * shown / width)))
        else:
            # No public address for images yet: show what the image would say.
            stand_in = lxml.html.Element("p", {"class": "image-alt"})
            stand_in.text = element.get("alt", "")
            stand_in.tail = element.tail
            element.getparent().replace(element, stand_in)
    return fragment, tuple(hosted[path] for path in sorted(hosted))


def _hosted_image(image, site: Site) -> HostedImage:
    """The file to upload for one image: its own bytes, or a PNG at twice its shown width for SVG."""
    relative = image.path.relative_to(site.project.sources.resolve()).as_posix()
    if image.path.suffix.lower() != ".svg":
        return HostedImage(relative, image.path.read_bytes())
    return HostedImage(relative + ".png", rasterise_svg(image.path, image.line, site))


def rasterise_svg(path: Path, line: int | None, site: Site) -> bytes:
    """PNG of an SVG at twice its shown width (sharp on high-density screens); never the network."""
    try:
        import cairosvg
    except (ImportError, OSError) as error:  # OSError: the cairo library itself is missing
        raise PublishingError(path, f"newsletter: cannot rasterise SVG for email ({error})", line=line,
                              hint="install CairoSVG and the cairo library (./install), or save the figure as PNG")
    data = path.read_bytes()
    try:
        # unsafe=False: references to other files and URLs inside the SVG are not fetched.
        natural = cairosvg.svg2png(bytestring=data, unsafe=False)
        width, _ = _pixel_size(natural)
        # An opaque white ground: dark lines on a transparent PNG vanish in dark mode.
        return cairosvg.svg2png(bytestring=data, unsafe=False, output_width=2 * min(width, IMAGE_WIDTH),
                                background_color="#ffffff")
    except Exception as error:  # cairosvg raises many kinds on a broken file
        raise PublishingError(path, f"newsletter: the SVG cannot be drawn: {error}",
                              hint="open it in an editor and save it again as plain SVG") from None


def _pixel_size(data: bytes) -> tuple[int, int]:
    import io

    from PIL import Image
    with Image.open(io.BytesIO(data)) as picture:
        return picture.size


def _sections(body) -> list[list]:
    """The body's top-level elements cut before each h2: [opening, section 1, section 2, ...].

    Footnotes are held apart and re-attached to whatever is kept (see _joined)."""
    sections: list[list] = [[]]
    for child in body:
        if child.tag == "h2":
            sections.append([])
        sections[-1].append(child)
    return sections


def _joined(sections: list[list], kept: int) -> str:
    """HTML of the opening and the first ``kept`` sections, with the footnotes they cite."""
    import copy

    import lxml.html
    elements = [element for section in sections[: kept + 1] for element in section]
    notes = [e for e in elements if "footnote" in (e.get("class") or "").split()]
    elements = [e for e in elements if e not in notes]
    for section in sections[kept + 1:]:
        notes += [e for e in section if "footnote" in (e.get("class") or "").split()]
    html = "".join(lxml.html.tostring(e, encoding="unicode") for e in elements)
    for note_block in notes:
        note_block = copy.deepcopy(note_block)
        cited = set(re.findall(r'id="fnref-([^"]+)"', html))
        for item in note_block.xpath(".//li[@id]"):
            if item.get("id").removeprefix("fn-") not in cited:
                item.drop_tree()
        if note_block.xpath(".//li"):
            html += lxml.html.tostring(note_block, encoding="unicode")
    return html


# --- Lines no longer than 998 bytes ---------------------------------------------------------------

_TOKENS = re.compile(
    r"(?P<comment><!--.*?-->)"
    r"|(?P<tag></?[A-Za-z][^\s/>]*(?:\s+[^\s=/>]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*\s*/?>)"
    r"|(?P<other><![^>]*>)"
    r"|(?P<text>[^<]+|<)", re.DOTALL)
_ATTRIBUTE = re.compile(r"""(\s+)([^\s=/>]+)(\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?""")
_PRESERVED = {"pre", "textarea"}


def fold_long_lines(html: str, limit: int = LINE_LIMIT) -> str:
    """Break lines over ``limit`` bytes where a line break changes nothing a reader sees.

    Safe places: a space in text (outside <pre>), the space between two attributes, and
    after a ';' in a style attribute. Comments (Outlook's conditional ones), URLs and
    other attribute values are never broken.
    """
    pieces: list[str] = []
    breakable: list[int] = []      # indices in pieces of separators that may become "\n"
    line = 0                       # bytes on the current output line
    preserved = 0

    def add(text: str, separator: bool = False) -> None:
        nonlocal line
        if separator:
            breakable.append(len(pieces))
        pieces.append(text)
        if "\n" in text:
            line = len(text.rsplit("\n", 1)[1].encode("utf-8"))
            breakable.clear()
            if separator:
                breakable.append(len(pieces) - 1)
            return
        line += len(text.encode("utf-8"))
        while line > limit and breakable:
            index = breakable.pop()
            pieces[index] = "\n" if pieces[index] == " " else pieces[index] + "\n"
            line = sum(len(p.encode("utf-8")) for p in pieces[index + 1:])
            breakable[:] = [i for i in breakable if i > index]

    for token in _TOKENS.finditer(html):
        kind, value = token.lastgroup, token.group()
        if kind == "text":
            if preserved:
                add(value)
                continue
            for index, word in enumerate(value.split(" ")):
                if index:
                    add(" ", separator=True)
                if word:
                    add(word)
        elif kind == "tag":
            name = re.match(r"</?([A-Za-z][^\s/>]*)", value).group(1).lower()
            if name in _PRESERVED:
                preserved += -1 if value.startswith("</") else 1
            head = re.match(r"</?[A-Za-z][^\s/>]*", value).group()
            add(head)
            rest = value[len(head):]
            position = 0
            for attribute in _ATTRIBUTE.finditer(rest):
                if attribute.start() != position:
                    break
                space, attr_name, assignment = attribute.groups()
                add(" " if space == " " else space, separator=space == " ")
                add(attr_name)
                if assignment and attr_name.lower() == "style":
                    for index, declaration in enumerate(re.split(r"(?<=;)", assignment)):
                        if index and declaration:
                            add("", separator=True)
                        if declaration:
                            add(declaration)
                elif assignment:
                    add(assignment)
                position = attribute.end()
            add(rest[position:])
        else:
            add(value)
    return "".join(pieces)


# --- The plain-text part --------------------------------------------------------------------------

def render_text(article: Article, site: Site, body_html: str, shortened: Shortening | None = None) -> str:
    """The plain-text part: a real rendering, links as numbered references, 78 columns."""
    settings, blocks = site.settings, site.blocks
    wrap = textwrap.TextWrapper(width=TEXT_WIDTH, break_long_words=False, break_on_hyphens=False)
    rule = "=" * TEXT_WIDTH
    body, links = html_to_plain(body_html)
    parts = [
        settings.clinic_name.upper() + (f" | {settings.clinic_location}" if settings.clinic_location else ""),
        rule, "", *wrap.wrap(article.title), "", *wrap.wrap(article.description), "",
        _boxed(blocks.crisis.title, blocks.crisis.text + "\nCall 988 (tel:988) or text 988 (sms:988).", wrap),
        "", body.rstrip(), "",
    ]
    if shortened:
        url = settings.article_web_address(article.slug)
        parts += [*wrap.wrap(f"Continue reading: {article.title} <{url}>" if url else
                             f"This is the first part of the guide. For the full guide, call us at "
                             f"{settings.clinic_phone}."), ""]
    if links:
        parts += ["Links:", *(f"[{number}] {url}" for number, url in enumerate(links, start=1)), ""]
    parts += [
        f"Questions about treatment? Call {settings.clinic_name} at {settings.clinic_phone}.", "",
        rule, "", *wrap.wrap(blocks.disclaimer.title.upper()), *_paragraphs(blocks.disclaimer.text, wrap), "",
        *wrap.wrap(f"{settings.clinic_name}"
                   + (f", {settings.clinic_location}" if settings.clinic_location else "")
                   + f", {settings.clinic_phone}"),
    ]
    address = footer_postal_address(settings)
    if address:
        parts += wrap.wrap(address)
    if settings.newsletter.unsubscribe_url:
        parts += ["", f"Unsubscribe: {settings.newsletter.unsubscribe_url}"]
    text = "\n".join(line.rstrip() for line in "\n".join(parts).splitlines())
    return _without_controls(re.sub(r"\n{3,}", "\n\n", text).rstrip() + "\n")


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


# --- The ready-to-send message --------------------------------------------------------------------

def usable_unsubscribe_url(url: str) -> bool:
    """An address a recipient's mail program can use itself: https:// or mailto:, no merge tag."""
    if not url or re.search(r"\s|\*\||\|\*|\{\{|\}\}|%%", url):
        return False
    parts = urlsplit(url)
    if parts.scheme == "https":
        return bool(parts.hostname)
    return parts.scheme == "mailto" and "@" in parts.path


def message_bytes(edition: Edition, article: Article, site: Site) -> bytes:
    """multipart/alternative, text first and HTML last (clients show the last part they can),
    UTF-8, with a boundary derived from the content so the same source gives the same file."""
    from email.message import EmailMessage
    from email.policy import SMTP

    settings = site.settings
    message = EmailMessage(policy=SMTP)
    message["Subject"] = article.newsletter_subject
    if settings.sender_address:
        name, address = parseaddr(settings.sender_address)
        message["From"] = formataddr((name or settings.clinic_name, address))
    unsubscribe = settings.newsletter.unsubscribe_url
    if usable_unsubscribe_url(unsubscribe):
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        if unsubscribe.startswith("https://"):
            # RFC 8058 one-click unsubscribe is defined for an HTTPS address only.
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(edition.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(edition.html, subtype="html", charset="utf-8", cte="quoted-printable")
    message["Content-Language"] = article.lang  # after set_content, which clears Content-* headers
    digest = hashlib.sha256((edition.text + "\0" + edition.html).encode("utf-8")).hexdigest()
    # "=_" never occurs in quoted-printable text, so the boundary cannot collide with the body.
    message.set_boundary(f"=_{digest[:40]}")
    return message.as_bytes()


def read_message(path: Path):
    from email import policy
    from email.parser import BytesParser
    with path.open("rb") as file:
        return BytesParser(policy=policy.default).parse(file)


def message_parts(message) -> tuple[str, str] | None:
    """The text and HTML parts of a built message, or None when it is not shaped as built."""
    if message.get_content_type() != "multipart/alternative":
        return None
    parts = list(message.iter_parts())
    if [part.get_content_type() for part in parts] != ["text/plain", "text/html"]:
        return None
    return parts[0].get_content(), parts[1].get_content()


# --- Proof ----------------------------------------------------------------------------------------

def verify(article: Article, site: Site, files: list[Path], shown_as: Path) -> None:
    """Both blocks, visible, in the HTML, the text and both parts of the message; the crisis block
    before the article and before Gmail could clip it."""
    html_path, text_path, eml_path = files[:3]
    html = html_path.read_bytes()
    _verify_html(html, "the HTML", site, shown_as, article)
    text_shown = shown_as.with_suffix(".txt")
    _verify_text(text_path.read_text(encoding="utf-8"), "the plain-text part", site, text_shown)
    verify_message(eml_path, site, shown_as.with_suffix(".eml"), article, proven_html=html.decode("utf-8"))


def verify_message(eml_path: Path, site: Site, shown_as: Path, article: Article | None = None,
                   proven_html: str | None = None) -> None:
    """The message's two parts carry both blocks. An HTML part identical to ``proven_html`` (the HTML
    file, proven a moment ago) has the same verdict, and is not examined twice."""
    parts = message_parts(read_message(eml_path))
    if parts is None:
        raise RequiredBlockFailure(
            shown_as, f"{NAME}: the message is not multipart/alternative with a text and an HTML part",
            hint="rebuild it with 'invoke build --only newsletter'")
    text, html = parts
    _verify_text(text, "the message's text part", site, shown_as)
    if proven_html is None or html.replace("\r\n", "\n") != proven_html.replace("\r\n", "\n"):
        _verify_html(html.encode("utf-8"), "the message's HTML part", site, shown_as, article)


def _verify_html(raw: bytes, where: str, site: Site, shown_as: Path, article: Article | None) -> None:
    import lxml.etree
    import lxml.html

    from .proof.markup import text_pieces
    try:
        html = raw.decode("utf-8")
        document = lxml.html.document_fromstring(html)
        early = _html_text(raw[:CRISIS_WITHIN].decode("utf-8", "ignore"))
    except (UnicodeDecodeError, lxml.etree.ParserError) as error:
        raise proof.unreadable(NAME, shown_as, "HTML document", error) from None
    proof.require_text(NAME, f"the first {CRISIS_WITHIN:,} bytes of {where}", early, site.blocks.crisis, shown_as)
    visibility = email_visibility(document, site)
    for block in site.blocks:
        proof.require_in_markup(visibility, block, product=NAME, where=where, shown_as=shown_as)
    # Classic Outlook renders what its conditional comments show it, and honours mso-hide.
    outlook = lxml.html.document_fromstring(outlook_view(html))
    outlook_visibility = email_visibility(outlook, site, media_queries=False)
    for block in site.blocks:
        proof.require_in_markup(outlook_visibility, block, product=NAME, where=f"{where} as classic Outlook shows it",
                                shown_as=shown_as)
    if article is not None:
        pieces = text_pieces(document.body, {block.id: block.key for block in site.blocks})
        proof.require_before(NAME, where, pieces, site.blocks.crisis, proof.opening_words(article.plain_text),
                             "the article", shown_as)


def email_visibility(document, site: Site, *, media_queries: bool = True):
    """The HTML's styles as an email client applies them: its inlined styles, its <style> (with the
    media queries tried one by one, or none for classic Outlook) and the bgcolor attributes."""
    from .proof.cascade import Declaration, Stylesheet, cached_stylesheet
    from .proof.markup import Visibility
    layouts = site.project.layouts
    sheets = [Stylesheet.parse(style.text or "", "the <style> in the HTML") for style in document.iter("style")]
    if not media_queries:
        for sheet in sheets:
            sheet.rules = [(selector, rule) for selector, rule in sheet.rules if not rule.conditions]
            sheet.conditions = set()
    sources = [cached_stylesheet((layouts / name).read_text(encoding="utf-8"), f"layouts/{name}")
               for name in ("newsletter/newsletter.css", "newsletter/responsive.css")]

    def hints(element):
        colour = element.etree_element.get("bgcolor")
        return [Declaration("background-color", colour.strip().lower(), (), False,
                            "a bgcolor attribute in layouts/newsletter/newsletter.html")] if colour else []

    return Visibility(document, sheets, html=True, inline_origin="a style attribute in the HTML", sources=sources,
                      hints=hints)


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


def shortening(html_path: Path) -> Shortening | None:
    """Whether a built newsletter was cut to fit HTML_BUDGET (read from its x-shortened meta)."""
    head = html_path.read_bytes()[:4096].decode("utf-8", "ignore")
    match = re.search(r'<meta name="x-shortened" content="(\d+) of (\d+) sections">', head)
    return Shortening(int(match.group(1)), int(match.group(2))) if match else None
