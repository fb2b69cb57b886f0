"""The EPUB 3 patient guide (ebooklib): one per article, or every article bound into one book.

Clean under EPUBCheck (not even a usage message) and Ace by DAISY, the same bytes
from the same source, and accessibility metadata derived from what the book holds.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import html
import io
import itertools
import os
import re
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from . import proof
from .article import Article
from .errors import PublishingError, RequiredBlockFailure
from .resources import font_dir
from .site import Site
from .templates import render

NAME = "guide"
FOLDER = "guides"
SUFFIX = ".epub"
BUNDLE_NAME = f"patient-guide{SUFFIX}"

# A fixed namespace, so a book's identifier is the same on every build.
IDENTIFIER_NAMESPACE = uuid.UUID("5b0f3c1e-8a52-4c51-9d3e-6f1d2a7b9c40")

COVER_IMAGE = "cover.png"
CONTACT_TITLE = "Questions? Talk with us"
# The end document keeps its name: staff and tests know "about.xhtml" as the guide's last page.
FIXED_DOCUMENTS = ("cover.xhtml", "crisis.xhtml", "nav.xhtml", "about.xhtml")

# The media types EPUB 3.3 reading systems must show; anything else would need a fallback.
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".svg": "image/svg+xml", ".webp": "image/webp"}


VARIANTS = ("standard",)


def output_names(article: Article, variant: str = "standard") -> list[str]:
    return [f"{article.slug}{SUFFIX}"]


def identifier(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(IDENTIFIER_NAMESPACE, name)}"


@dataclass(frozen=True)
class Chapter:
    """One article inside a book: its document, and the prefix that keeps its ids unique in the book."""

    article: Article
    file_name: str
    id_prefix: str = ""


@dataclass(frozen=True)
class Book:
    """What one EPUB holds, whether one article or the bound guide."""

    identifier: str
    title: str
    kind: str               # the line under the title on the cover
    description: str
    lang: str
    chapters: tuple[Chapter, ...]

    @property
    def articles(self) -> list[Article]:
        return [chapter.article for chapter in self.chapters]

    @property
    def date(self) -> dt.datetime:
        # The newest article dates the book: reproducible, never the clock (see dates.py).
        return max(article.date for article in self.articles)

    @property
    def languages(self) -> list[str]:
        return list(dict.fromkeys([self.lang, *(article.lang for article in self.articles)]))


def warm_up(site: Site) -> None:
    """Import ebooklib, lxml and Pillow before worker processes are forked."""
    import ebooklib.epub  # noqa: F401
    import lxml.html  # noqa: F401
    from PIL import Image, ImageDraw, ImageFont  # noqa: F401


def build(article: Article, site: Site, workdir: Path) -> list[Path]:
    """Write one article's guide into ``workdir``; return the file written."""
    book = Book(identifier=identifier(article.slug), title=article.title, kind="A guide for patients",
                description=article.description, lang=article.lang,
                chapters=(Chapter(article, "article.xhtml"),))
    target = workdir / output_names(article)[0]
    target.write_bytes(epub_bytes(book, site))
    return [target]


def build_bundle(articles: list[Article], site: Site, workdir: Path) -> list[Path]:
    """Write the combined patient guide, one chapter per article, into ``workdir``."""
    clinic = site.settings.clinic_name
    titles = "; ".join(article.title for article in articles)
    book = Book(
        identifier=identifier("bundle:" + BUNDLE_NAME),  # no slug has a colon, so no article shares it
        title=f"{clinic} Patient Guide",
        kind=f"{len(articles)} articles for patients" if len(articles) > 1 else "A guide for patients",
        description=f"Patient education from {clinic}, in one book: {titles}",
        lang=site.settings.default_lang,
        # Slugs hold no "--", so "<slug>--<id>" can never equal another chapter's id.
        chapters=tuple(Chapter(article, f"chapter-{article.slug}.xhtml", f"{article.slug}--")
                       for article in articles),
    )
    target = workdir / BUNDLE_NAME
    target.write_bytes(epub_bytes(book, site))
    return [target]


def epub_bytes(book: Book, site: Site) -> bytes:
    """The finished EPUB: ebooklib's archive with its gaps filled, entries in a fixed order and time."""
    from ebooklib import epub

    layouts, settings, blocks = site.project.layouts, site.settings, site.blocks
    images = _image_names(book, site)
    epub_book = epub.EpubBook()
    epub_book.set_identifier(book.identifier)
    epub_book.set_title(_xml(book.title))
    epub_book.set_language(book.lang)
    for language in book.languages[1:]:
        epub_book.add_metadata("DC", "language", language)
    for number, author in enumerate(dict.fromkeys(article.author for article in book.articles), start=1):
        epub_book.add_author(_xml(author), uid=f"creator-{number}")
    epub_book.add_metadata("DC", "description", _xml(book.description))
    epub_book.add_metadata("DC", "publisher", settings.clinic_name)
    for category in dict.fromkeys(article.category for article in book.articles if article.category):
        epub_book.add_metadata("DC", "subject", _xml(category))
    epub_book.add_metadata("DC", "date", book.date.strftime("%Y-%m-%d"))
    for prop, value in accessibility_metadata(book, settings.clinic_name):
        epub_book.add_metadata(None, "meta", value, {"property": prop})
    # Older reading systems (EPUB 2) find the cover image by this meta, EPUB 3 ones by the manifest.
    epub_book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})

    epub_book.add_item(epub.EpubItem(uid="style", file_name="style.css", media_type="text/css",
                                     content=(layouts / "guide/guide.css").read_bytes()))
    cover_image = epub.EpubCover(uid="cover-image", file_name=COVER_IMAGE)
    cover_image.content = cover_png(book.title, book.kind, settings)
    epub_book.add_item(cover_image)
    for path, name in images.items():
        epub_book.add_item(epub.EpubImage(uid=f"image-{len(epub_book.items)}", file_name=name,
                                          media_type=IMAGE_TYPES[path.suffix.lower()], content=path.read_bytes()))

    context = dict(settings=settings, blocks=blocks, contact_title=CONTACT_TITLE)

    def document(uid: str, title: str, file_name: str, template: str, lang: str = book.lang, **extra):
        item = epub.EpubHtml(uid=uid, title=_xml(title), file_name=file_name, lang=lang)
        item.set_content(_xml(render(layouts, f"guide/{template}", **context, **extra)))
        # A relative link (not add_item's manifest path), so the sheet resolves from any document.
        item.add_link(href="style.css", rel="stylesheet", type="text/css")
        epub_book.add_item(item)
        return item

    cover = document("cover", "Cover", "cover.xhtml", "cover.xhtml", book=book, cover_image=COVER_IMAGE,
                     cover_alt=cover_alt(book, settings.clinic_name))
    crisis = document("crisis", blocks.crisis.title, "crisis.xhtml", "crisis.xhtml")
    chapters = [document(f"chapter-{number}", chapter.article.title, chapter.file_name, "article.xhtml",
                         lang=chapter.article.lang, article=chapter.article, id_prefix=chapter.id_prefix,
                         body_html=chapter_body(chapter, images))
                for number, chapter in enumerate(book.chapters, start=1)]
    end = document("end", "About this guide", "about.xhtml", "end.xhtml")

    epub_book.toc = _table_of_contents(book, blocks)
    epub_book.add_item(epub.EpubNcx())
    nav = epub.EpubNav(title="Contents")
    nav.add_link(href="style.css", rel="stylesheet", type="text/css")
    epub_book.add_item(nav)
    # The crisis information comes right after the cover, before even the contents.
    epub_book.spine = [cover, crisis, nav, *chapters, end]
    epub_book.guide = [{"type": "cover", "href": "cover.xhtml", "title": "Cover"},
                       {"type": "toc", "href": "nav.xhtml", "title": "Contents"},
                       # Where reading starts (EPUB 3 'bodymatter' landmark too): the crisis information,
                       # so a reader app that opens books there never skips it.
                       {"type": "text", "href": "crisis.xhtml", "title": _xml(blocks.crisis.title)}]

    buffer = io.BytesIO()
    epub.write_epub(buffer, epub_book, {"mtime": book.date, "epub3_pages": False,
                                        "play_order": {"enabled": True}})
    return _reproducible(buffer.getvalue(), book.date.timetuple()[:6], book.lang)


def _table_of_contents(book: Book, blocks) -> list:
    """Crisis, each article with its sections (h2, and h3 under them), then the end matter."""
    from ebooklib import epub
    numbers = itertools.count(1)

    def link(href: str, title: str):
        return epub.Link(href, _xml(title), f"toc-{next(numbers)}")

    toc: list = [link("crisis.xhtml", blocks.crisis.title)]
    for chapter in book.chapters:
        sections: list[list] = []
        for heading in chapter.article.headings:
            entry = link(f"{chapter.file_name}#{chapter.id_prefix}{heading.id}", heading.title)
            if heading.level == 3 and sections:
                sections[-1][1].append(entry)
            else:
                sections.append([entry, []])
        children = [(entry, nested) if nested else entry for entry, nested in sections]
        top = link(chapter.file_name, chapter.article.title)
        toc.append((top, children) if children else top)
    toc.append(link("about.xhtml", CONTACT_TITLE))
    toc.append(link(f"about.xhtml#{blocks.disclaimer.id}", blocks.disclaimer.title))
    return toc


def chapter_body(chapter: Chapter, images: dict[Path, str]) -> str:
    """The article's body for its chapter: ids prefixed, images renamed, notes marked for readers."""
    import lxml.html

    article = chapter.article
    fragment = lxml.html.fragment_fromstring(_xml(article.body_html), create_parent="div")
    prefix = chapter.id_prefix
    if prefix:
        for element in fragment.iter():
            if element.get("id"):
                element.set("id", prefix + element.get("id"))
            href = element.get("href")
            if href and href.startswith("#") and len(href) > 1:
                element.set("href", "#" + prefix + href[1:])
    sources = {image.src: image.path for image in article.images}
    for image in fragment.iter("img"):
        image.set("src", quote(images[sources[image.get("src")]]))
    # Reading systems show a note in a pop-up when the reference and the notes say what they are.
    for note_ref in fragment.xpath("//a[contains(concat(' ', @class, ' '), ' footnote-ref ')]"):
        note_ref.set("epub:type", "noteref")
        note_ref.set("role", "doc-noteref")
    for notes in fragment.xpath("//div[contains(concat(' ', @class, ' '), ' footnote ')]"):
        notes.set("epub:type", "endnotes")
        notes.set("role", "doc-endnotes")
    for back_link in fragment.xpath("//a[contains(concat(' ', @class, ' '), ' footnote-backref ')]"):
        back_link.set("role", "doc-backlink")
    return html.escape(fragment.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in fragment)


# Characters XML cannot hold (C0 controls but tab and line ends, U+FFFE/U+FFFF, lone surrogates) and
# the C1 controls: invisible when pasted, and lxml refuses the first kind outright.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


def _image_names(book: Book, site: Site) -> dict[Path, str]:
    """Each image file once, named by its path inside sources/; a clash gets the content's hash."""
    reserved = {name.lower() for name in (*FIXED_DOCUMENTS, "style.css", "toc.ncx", "content.opf", COVER_IMAGE)}
    reserved |= {chapter.file_name.lower() for chapter in book.chapters}
    names: dict[Path, str] = {}
    sources = site.project.sources.resolve()
    for article in book.articles:
        for image in article.images:
            if image.path in names:
                continue
            suffix = image.path.suffix.lower()
            if suffix not in IMAGE_TYPES:
                raise PublishingError(article.source, f"image '{image.src}' is not a PNG, JPEG, GIF, WebP or SVG "
                                      "file, which every e-reader can show", line=image.line,
                                      hint="save it as a PNG or JPEG and link that file")
            relative = image.path.relative_to(sources) if image.path.is_relative_to(sources) \
                else Path(image.path.name)
            # Only characters that need no escaping in a URL or a zip entry name.
            name = "/".join(re.sub(r"[^A-Za-z0-9._-]+", "-", part) for part in relative.parts)
            if name.lower() in reserved:
                digest = hashlib.sha256(image.path.read_bytes()).hexdigest()[:10]
                name = f"images/{Path(name).stem}-{digest}{suffix}"
            reserved.add(name.lower())
            names[image.path] = name
    return names


def cover_alt(book: Book, clinic_name: str) -> str:
    return f"Cover: {book.title}. {book.kind}, from {clinic_name}."


def accessibility_metadata(book: Book, evaluator: str) -> list[tuple[str, str]]:
    """EPUB Accessibility 1.1 metadata, derived from what the book contains."""
    bodies = [article.body_html for article in book.articles]
    pictures = sum(len(article.images) for article in book.articles)
    tables = sum(body.count("<table") for body in bodies)
    notes = sum(body.count('class="footnote-ref"') for body in bodies)
    # Every book has its cover picture (with a text alternative), so visual is always a mode.
    metadata = [
        ("schema:accessMode", "textual"),
        ("schema:accessMode", "visual"),
        ("schema:accessModeSufficient", "textual"),
        ("schema:accessModeSufficient", "textual,visual"),
        ("schema:accessibilityFeature", "alternativeText"),
        ("schema:accessibilityFeature", "ARIA"),
        ("schema:accessibilityFeature", "displayTransformability"),
        ("schema:accessibilityFeature", "readingOrder"),
        ("schema:accessibilityFeature", "structuralNavigation"),
        ("schema:accessibilityFeature", "tableOfContents"),
        ("schema:accessibilityHazard", "none"),
    ]
    holds = f"{len(book.chapters)} articles" if len(book.chapters) > 1 else "one article"
    extras = [f"{count} {noun}{'s' if count > 1 else ''} {what}" for count, noun, what in (
        (pictures, "picture", "described in text"), (tables, "table", "with header cells"),
        (notes, "note", "linked to and from the text")) if count]
    summary = (f"This guide holds {holds}" + (f", with {_listed(extras)}" if extras else "") + ". "
               "Headings mark every section and the table of contents lists them; the cover picture has a text "
               "description. There is no fixed layout: text size, font, spacing and colours follow the reader's "
               "settings. Phone numbers are links. Nothing flashes, moves or makes sound.")
    metadata += [
        ("schema:accessibilitySummary", summary),
        ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"),
        # The publisher makes the claim, on the strength of EPUBCheck and Ace in its tests.
        ("a11y:certifiedBy", evaluator),
    ]
    return metadata


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# --- The cover image -----------------------------------------------------------------------------

COVER_SIZE = (1600, 2400)          # 2:3, the shape stores and reading systems expect
TEAL, TINT, INK, MUTED, PALE = "#1d4f5c", "#eaf2f3", "#1b1f23", "#4a5560", "#dbe9ec"
SUN = ("#d3e3e6", "#b7d0d5", "#8fb3bb")
# Each colour of text and the background it is drawn on, for the steps of its anti-aliased edges.
TEXT_ON = ((TEAL, TINT), (INK, TINT), (MUTED, TINT), (PALE, TEAL))
EDGE_STEPS = 6


@functools.cache
def _cover_palette():
    """The cover's 32 colours: its flat colours and the anti-aliasing steps between each text colour
    and its background. Mapping to a palette known in advance takes 13 ms where choosing one from
    the pixels takes 50 (most of a guide's build), and it is the same for every cover."""
    from PIL import Image, ImageColor
    colours = [ImageColor.getrgb(colour) for colour in (TEAL, TINT, INK, MUTED, PALE, *SUN)]
    for text, background in TEXT_ON:
        ink, paper = ImageColor.getrgb(text), ImageColor.getrgb(background)
        for step in range(1, EDGE_STEPS + 1):
            share = step / (EDGE_STEPS + 1)
            colours.append(tuple(round(i * share + p * (1 - share)) for i, p in zip(ink, paper)))
    palette = Image.new("P", (1, 1))
    palette.putpalette([value for colour in colours for value in colour])
    return palette


def cover_png(title: str, kind: str, settings) -> bytes:
    """The cover, drawn from one template for every book: the clinic, the title, what the book is."""
    from PIL import Image, ImageDraw, ImageFont

    def font(face: str, size: int):
        # The basic layout engine everywhere, so a machine with libraqm draws the same pixels.
        return ImageFont.truetype(str(font_dir() / f"AtkinsonHyperlegible-{face}.ttf"), size,
                                  layout_engine=ImageFont.Layout.BASIC)

    width, height = COVER_SIZE
    margin = 150
    image = Image.new("RGB", COVER_SIZE, TINT)
    draw = ImageDraw.Draw(image)

    draw.text((margin, 230), settings.clinic_name.upper(), font=font("Bold", 76), fill=TEAL)
    draw.rectangle((margin, 360, margin + 260, 374), fill=TEAL)

    # The largest size at which the title fits its area, wrapped at word boundaries.
    area_top, area_bottom, line_gap = 560, 1420, 1.18
    for size in range(170, 71, -6):
        title_font = font("Bold", size)
        lines = _wrap(title, title_font, width - 2 * margin)
        if len(lines) * size * line_gap <= area_bottom - area_top:
            break
    y = area_top
    for line in lines:
        draw.text((margin, y), line, font=title_font, fill=INK)
        y += round(size * line_gap)
    draw.text((margin, y + 60), kind, font=font("Regular", 72), fill=MUTED)

    # A sun rising over the band: calm, and the same on every cover, whatever the title's length.
    band_top = height - 420
    centre = width - margin - 300
    for radius, colour in zip((360, 260, 160), SUN):
        draw.pieslice((centre - radius, band_top - radius, centre + radius, band_top + radius), 180, 360,
                      fill=colour)
    draw.rectangle((0, band_top, width, height), fill=TEAL)
    if settings.clinic_location:
        location_font = font("Regular", 60)
        for number, line in enumerate(_wrap(settings.clinic_location, location_font, width - 2 * margin)[:2]):
            draw.text((margin, band_top + 150 + number * 80), line, font=location_font, fill=PALE)

    out = io.BytesIO()
    # A few flat colours and their anti-aliasing: 32 indexed colours look the same at a third of the size.
    image.quantize(palette=_cover_palette(), dither=Image.Dither.NONE) \
        .save(out, format="PNG", compress_level=3)  # zlib effort beyond this buys little on flat colours
    return out.getvalue()


def _wrap(text: str, font, width: int) -> list[str]:
    """Words into lines no wider than ``width``; a word wider than a line is split between characters."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if font.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for character in word:
            if font.getlength(current + character) > width and current:
                lines.append(current)
                current = ""
            current += character
    if current:
        lines.append(current)
    return lines


# --- Reproducible archive ------------------------------------------------------------------------

def _reproducible(epub_bytes: bytes, date_time: tuple, lang: str) -> bytes:
    """Rewrite the archive: fixed entry times (ebooklib stamps the clock), mimetype first, stored,
    and the language on the package document (ebooklib leaves it out; Ace reports it as serious)."""
    import lxml.etree as etree

    date_time = min(max(date_time, (1980, 1, 1, 0, 0, 0)), (2107, 12, 31, 23, 59, 58))  # what zip can store
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(epub_bytes)) as source, zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith(".opf"):
                package = etree.fromstring(data)
                package.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
                data = etree.tostring(package, xml_declaration=True, encoding="utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(entry, data, compresslevel=9 if entry.compress_type else None)
    return out.getvalue()


# --- Proof ---------------------------------------------------------------------------------------

def verify(article: Article | None, site: Site, files: list[Path], shown_as: Path) -> None:
    """A reading system opens the book on the crisis information and ends it with the disclaimer, both visible."""
    from .proof.cascade import cached_stylesheet
    from .proof.epub import Epub

    blocks = site.blocks
    source_css = cached_stylesheet((site.project.layouts / "guide/guide.css").read_text(encoding="utf-8"),
                                   "layouts/guide/guide.css")
    with Epub(files[0], product=NAME, shown_as=shown_as) as book:
        readable = [name for name, linear in book.spine if linear and name != "cover.xhtml"]
        first, last = readable[0], readable[-1]
        for name, block in ((first, blocks.crisis), (last, blocks.disclaimer)):
            where = f"the {'first' if block is blocks.crisis else 'last'} document ({name})"
            _, visibility = book.visibility(name, {"style.css": source_css.origin}, [source_css])
            proof.require_in_markup(visibility, block, product=NAME, where=where, shown_as=shown_as)
        # Reading systems open a book at its start-of-reading landmark: there, the crisis information.
        for what, start in (("start-of-reading landmark (bodymatter)", book.landmark("bodymatter")),
                            ("EPUB 2 guide's 'text' reference", book.guide.get("text", first))):
            if start != first:
                raise RequiredBlockFailure(
                    shown_as, f"{NAME}: the {what} opens the book on {start or 'nothing'}, after the "
                    f"{blocks.crisis.name} ({first})",
                    hint="point it at the crisis page, so a reader app that opens books there shows it first")


# --- The combined guide --------------------------------------------------------------------------

def bundle_articles(site: Site, slugs: list[str] | None) -> tuple[list[Article], list[PublishingError]]:
    """The articles to bind, in the order asked for (default: every article, as discovered),
    and every mistake found on the way, so one run reports them all."""
    from .catalogue import load_articles

    articles, load_errors = load_articles(site)
    by_slug = {article.slug: article for article in articles}
    if not slugs:
        return articles, load_errors
    wanted = list(dict.fromkeys(slugs))
    missing = [slug for slug in wanted if slug not in by_slug]
    errors = list(load_errors)
    if missing:
        # A listed article may be one that failed to load: show why, beside what is missing.
        failed = {error.path.stem for error in load_errors if error.path is not None}
        errors += [PublishingError(site.project.sources, f"no article with the slug '{slug}'",
                                   hint=f"choose from {', '.join(sorted(by_slug)) or '(none)'}")
                   for slug in missing if slug not in failed]
    return [by_slug[slug] for slug in wanted if slug in by_slug], errors


def build_bundle_into_place(site: Site, articles: list[Article]) -> Path:
    """Build the combined guide in staging, prove its required blocks, then move it into build/guides/."""
    from .build import Staging

    destination = site.project.out / FOLDER / BUNDLE_NAME
    try:
        with Staging(site) as workdir:
            files = build_bundle(articles, site, workdir)
            verify(None, site, files, destination)
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(files[0], destination)
    finally:
        Staging.tidy(site)
    return destination
