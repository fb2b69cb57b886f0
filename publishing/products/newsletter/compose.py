"""The newsletter's HTML: the template rendered, the article body made email-safe, the CSS inlined,
and the article cut at a section when the message would pass the budget."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ...article import Article
from ...bidi import hold_phone_numbers, isolate_html
from ...characters import without_invisible
from ...errors import PublishingError
from ...languages import direction
from ...links import Links
from ...site import Site
from .fold import fold_long_lines
from .footer import footer_postal_address
from .limits import HTML_BUDGET, IMAGE_WIDTH
from .plaintext import render_text


@dataclass(frozen=True)
class Shortening:
    """How much of the article a shortened newsletter carries."""

    kept: int  # sections (each begins with an h2) kept after the opening
    total: int


@dataclass(frozen=True)
class HostedImage:
    """An image the HTML links at image_base_url, and the bytes to upload there. It is written
    beside the newsletter at the same path (build/newsletters/images/...): one folder to upload."""

    path: str  # relative to image_base_url: its path under sources/, e.g. images/connections.png
    data: bytes


@dataclass(frozen=True)
class Envelope:
    """What the shell of every email shows around its content (layouts/newsletter/_email.html)."""

    lang: str
    subject: str
    preheader: str
    online_url: str = ""  # "read online" at the top, where the clinic gives the address
    online_label: str = ""


@dataclass(frozen=True)
class Edition:
    """One newsletter as it is sent: both parts, the images it links, and whether it was cut."""

    html: str
    text: str
    images: tuple[HostedImage, ...]
    shortened: Shortening | None


def compose(article: Article, site: Site) -> Edition:
    """Render both parts; cut the article at an h2 when the HTML would pass HTML_BUDGET. The teaser
    style (front matter ``newsletter: {style: teaser}``) keeps only the opening."""
    body, images = email_body(article, site)
    sections = _sections(body)
    total = len(sections) - 1  # sections[0] is the opening, before the first h2
    teaser = article.newsletter_style == "teaser" and total > 0

    def page(kept: int) -> tuple[str, Shortening | None]:
        shortened = Shortening(kept, total) if kept < total else None
        return render_html(article, site, _joined(sections, kept), shortened, teaser=teaser), shortened

    html, shortened = page(0 if teaser else total)
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
                article.source,
                f"newsletter: even the opening before the first '##' heading makes "
                f"{_size(page(0)[0]):,} bytes of HTML, over the {HTML_BUDGET:,}-byte budget",
                hint="shorten the opening or start a '##' section earlier, so the email can be cut there",
            )
        html, shortened = page(low)
    text = render_text(
        article, site, _joined(sections, shortened.kept if shortened else total), shortened, teaser=teaser
    )
    return Edition(html=html, text=text, images=images, shortened=shortened)


PREHEADER_LENGTH = 110  # what inboxes show after the subject, at most


def preheader(article: Article, site: Site) -> str:
    """The front matter's preheader, else a line that adds to the subject: what the article covers,
    from its section titles (the description is the first thing the email shows, so never that)."""
    if article.newsletter_preheader:
        return article.newsletter_preheader
    titles = ""
    for title in (heading.title for heading in article.headings if heading.level == 2):
        addition = ("" if not titles else " · ") + title
        if len(site._("Inside: %(sections)s", sections=titles + addition)) > PREHEADER_LENGTH:
            break
        titles += addition
    # No sections to name: who it comes from (the guide's own subtitle), never the article's first
    # words, which would then come before the crisis block.
    if titles:
        return site._("Inside: %(sections)s", sections=titles)
    return site._("A guide for patients from %(clinic)s", clinic=site.settings.clinic_name)


def _size(html: str) -> int:
    """Bytes of the file as written, with CRLF line ends."""
    return len(html.encode("utf-8")) + html.count("\n")


def render_html(
    article: Article, site: Site, body_html: str, shortened: Shortening | None, *, teaser: bool = False
) -> str:
    settings = site.settings
    online = settings.online_address(article.slug, article.edition)
    envelope = Envelope(
        lang=article.lang,
        subject=article.newsletter_subject,
        preheader=preheader(article, site),
        online_url=online,
        online_label=site._("Read this guide on our website") if online else "",
    )
    return render_email(
        "newsletter/newsletter.html",
        site,
        envelope,
        article=article,
        body_html=body_html,
        shortened=shortened,
        teaser=teaser,
        continue_url=settings.article_web_address(article.slug, article.edition),
    )


def render_email(template: str, site: Site, envelope: Envelope, **context) -> str:
    """One email's HTML: the template in its shell, the CSS inlined, long lines folded."""
    import css_inline

    layouts, settings = site.folders.layouts, site.settings
    page = site.render(
        template,
        email=envelope,
        settings=settings,
        blocks=site.blocks,
        responsive_css=_without_comments((layouts / "newsletter/responsive.css").read_text(encoding="utf-8")),
        unsubscribe_url=settings.newsletter.unsubscribe_url,
        postal_address=footer_postal_address(settings),
        **context,
    )
    if direction(site.language) == "rtl":
        page = isolate_html(page)  # numbers and addresses left to right in Farsi and Arabic text
    else:
        page = hold_phone_numbers(page)  # each phone number on one line, as isolate_html holds them
    inliner = css_inline.CSSInliner(
        inline_style_tags=False,
        keep_style_tags=True,  # the <style> in <head> holds only media queries
        load_remote_stylesheets=False,  # never the network at build time
        extra_css=(layouts / "newsletter/newsletter.css").read_text(encoding="utf-8"),
    )
    return fold_long_lines(without_invisible(inliner.inline(_html5_as_div(page)))).rstrip("\n") + "\n"


def _without_comments(css: str) -> str:
    """Comments explain the stylesheet to us; they are only bytes in an inbox."""
    return re.sub(r"/\*.*?\*/\s*", "", css, flags=re.DOTALL).strip()


_SECTIONING = re.compile(r"<(/?)(aside|section)\b")


def _html5_as_div(page: str) -> str:
    """Classic Outlook drops the styles of HTML5 elements: the partials' <aside> and <section>
    become <div> with the landmark role the element had (they carry aria-labelledby)."""
    return _SECTIONING.sub(lambda m: "</div" if m.group(1) else '<div role="region"', page)


def email_body(article: Article, site: Site):
    """The article body as an lxml <div> for email, and the images it links at image_base_url.

    Images get absolute https addresses, width and height; SVG is rasterised to PNG
    (no email client shows SVG reliably). Without image_base_url an image is replaced by
    its description. Figures become divs (HTML5 elements lose their styles in classic
    Outlook).
    """
    import lxml.html

    settings = site.settings
    fragment = lxml.html.fragment_fromstring(without_invisible(article.body_html) or "<p></p>", create_parent="div")
    Links(site, article).resolve(fragment)
    if (fragment.text or "").strip():  # text before any element (pasted HTML): a paragraph, so it is kept
        opening = lxml.html.Element("p")
        opening.text, fragment.text = fragment.text, None
        fragment.insert(0, opening)
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
            # The attributes size it in Outlook; on a phone a fixed-width picture would widen the whole
            # table (and push the crisis card off the screen): it shrinks to the column, never beyond
            # its own width.
            element.set("style", f"width: 100%; max-width: {shown}px; height: auto")
        else:
            # No public address for images yet: show what the image would say.
            stand_in = lxml.html.Element("p", {"class": "image-alt"})
            stand_in.text = element.get("alt", "")
            stand_in.tail = element.tail
            element.getparent().replace(element, stand_in)
    return fragment, tuple(hosted[path] for path in sorted(hosted))


def _hosted_image(image, site: Site) -> HostedImage:
    """The file to upload for one image: its own bytes, or a PNG at twice its shown width for SVG."""
    relative = image.path.relative_to(site.folders.sources.resolve()).as_posix()
    if image.path.suffix.lower() != ".svg":
        return HostedImage(relative, image.path.read_bytes())
    return HostedImage(relative + ".png", rasterise_svg(image.path, image.line, site))


def rasterise_svg(path: Path, line: int | None, site: Site) -> bytes:
    """PNG of an SVG at twice its shown width (sharp on high-density screens); never the network."""
    try:
        import cairosvg
    except (ImportError, OSError) as error:  # OSError: the cairo library itself is missing
        raise PublishingError(
            path,
            f"newsletter: cannot rasterise SVG for email ({error})",
            line=line,
            hint="install CairoSVG and the cairo library (./install), or save the figure as PNG",
        ) from None
    data = path.read_bytes()
    try:
        # unsafe=False: references to other files and URLs inside the SVG are not fetched.
        natural = cairosvg.svg2png(bytestring=data, unsafe=False)
        width, _ = _pixel_size(natural)
        # An opaque white ground: dark lines on a transparent PNG vanish in dark mode.
        return cairosvg.svg2png(
            bytestring=data, unsafe=False, output_width=2 * min(width, IMAGE_WIDTH), background_color="#ffffff"
        )
    except Exception as error:  # cairosvg raises many kinds on a broken file
        raise PublishingError(
            path,
            f"newsletter: the SVG cannot be drawn: {error}",
            hint="open it in an editor and save it again as plain SVG",
        ) from None


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
    for section in sections[kept + 1 :]:
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


def shortening(html_path: Path) -> Shortening | None:
    """Whether a built newsletter was cut to fit HTML_BUDGET (read from its x-shortened meta)."""
    head = html_path.read_bytes()[:4096].decode("utf-8", "ignore")
    match = re.search(r'<meta name="x-shortened" content="(\d+) of (\d+) sections">', head)
    return Shortening(int(match.group(1)), int(match.group(2))) if match else None


def compose_issue(issue, site: Site) -> Edition:
    """A newsletter issue's two parts: the introduction, then a card for each article."""
    from .issue import cards
    from .plaintext import render_issue_text

    issue_cards = cards(issue, site)
    # Its web view, where the clinic gave its web address: the web edition's page of the issue.
    web = site.settings.web_address
    online = f"{web.rstrip('/')}/issues/{issue.slug}/" if web else ""
    envelope = Envelope(
        lang=issue.lang,
        subject=issue.newsletter_subject,
        preheader=issue.preheader,
        online_url=online,
        online_label=site._("Read this newsletter on our website") if online else "",
    )
    html = render_email("newsletter/issue.html", site, envelope, issue=issue, cards=issue_cards)
    if _size(html) > HTML_BUDGET:
        raise PublishingError(
            issue.source,
            f"newsletter issue: {len(issue_cards)} articles make {_size(html):,} bytes of HTML, over the "
            f"{HTML_BUDGET:,}-byte budget (Gmail clips at about 102 KB)",
            hint="send fewer articles in this issue and the rest in the next",
        )
    return Edition(html=html, text=render_issue_text(issue, issue_cards, site), images=(), shortened=None)
