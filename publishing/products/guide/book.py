"""One EPUB, from one article or several: its package, documents, contents and accessibility metadata.

ebooklib assembles the package; the archive is then rewritten for reproducibility (archive.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import itertools
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ...article import Article
from ...bidi import isolate_html
from ...characters import without_invisible as _xml
from ...errors import PublishingError
from ...ids import CONTACT, CRISIS, DISCLAIMER, NOTES_TITLE
from ...languages import direction
from ...links import Links
from ...site import Site
from .accessibility import accessibility_metadata
from .archive import reproducible
from .cover import cover_png

# A fixed namespace, so a book's identifier is the same on every build.
IDENTIFIER_NAMESPACE = uuid.UUID("5b0f3c1e-8a52-4c51-9d3e-6f1d2a7b9c40")


COVER_IMAGE = "cover.png"


def contact_title(site: Site) -> str:
    return site._("Questions? Talk with us")


def uncategorised(site: Site) -> str:
    """The contents' heading for the articles that name no category."""
    return site._("More articles")


def grouped(articles: list[Article]) -> list[Article]:
    """The articles with each category's together, the categories in the order their first article
    comes (file-name order, or the order staff give with --articles); uncategorised ones last."""
    order: dict[str, int] = {}
    for article in articles:
        order.setdefault(article.category, len(order))
    rank = {category: (category == "", index) for category, index in order.items()}
    return sorted(articles, key=lambda article: rank[article.category])


# The end document keeps its name: staff and tests know "about.xhtml" as the guide's last page.
FIXED_DOCUMENTS = ("cover.xhtml", "crisis.xhtml", "nav.xhtml", "about.xhtml")
# The blocks and the contact have documents of their own: a link to them from a chapter goes there.
PAGE_IDS = {
    CRISIS: f"crisis.xhtml#{CRISIS}",
    DISCLAIMER: f"about.xhtml#{DISCLAIMER}",
    CONTACT: f"about.xhtml#{CONTACT}",
}


# The media types EPUB 3.3 reading systems must show; anything else would need a fallback.
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}


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
    subtitle: str  # the line under the title on the cover
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

    def groups(self, others: str) -> list[tuple[str, list[Chapter]]]:
        """The chapters by category, in the order the categories first come (see ``grouped``); those
        without one under ``others``."""
        groups: dict[str, list[Chapter]] = {}
        for chapter in self.chapters:
            groups.setdefault(chapter.article.category or others, []).append(chapter)
        return list(groups.items())

    @property
    def languages(self) -> list[str]:
        return list(dict.fromkeys([self.lang, *(article.lang for article in self.articles)]))


def epub_bytes(book: Book, site: Site) -> bytes:
    """The finished EPUB: ebooklib's archive with its gaps filled, entries in a fixed order and time."""
    from ebooklib import epub

    images = _image_names(book, site)
    epub_book = epub.EpubBook()
    _describe(epub_book, book, site)
    _add_resources(epub_book, book, site, images)
    cover, crisis, chapters, end = _add_documents(epub_book, book, site, images)
    _add_navigation(epub_book, book, site, [cover, crisis], [*chapters, end])
    buffer = io.BytesIO()
    options = {
        "mtime": book.date,
        "epub3_pages": False,
        "play_order": {"enabled": True},
        "landmark_title": site._("Guide"),  # the heading of the landmarks list in nav.xhtml
    }
    epub.write_epub(buffer, epub_book, options)
    return reproducible(buffer.getvalue(), book.date.timetuple()[:6], book.lang, direction(book.lang))


def _describe(epub_book, book: Book, site: Site) -> None:
    """The package's metadata: who, what, when, in which languages, and how accessible."""
    settings = site.settings
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
    for prop, value in accessibility_metadata(book, settings.accessibility_review, site):
        if prop == "a11y:certifierReport":  # a link to the report, as EPUB Accessibility 1.1 writes it
            epub_book.add_metadata(None, "link", None, {"rel": prop, "href": value})
        else:
            epub_book.add_metadata(None, "meta", value, {"property": prop})
    # Older reading systems (EPUB 2) find the cover image by this meta, EPUB 3 ones by the manifest.
    epub_book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})


def _add_resources(epub_book, book: Book, site: Site, images: dict[Path, str]) -> None:
    """The stylesheet, the cover picture and the articles' images, in this order in the manifest."""
    from ebooklib import epub

    epub_book.add_item(
        epub.EpubItem(
            uid="style",
            file_name="style.css",
            media_type="text/css",
            content=(site.folders.layouts / "guide/guide.css").read_bytes(),
        )
    )
    cover_image = epub.EpubCover(uid="cover-image", file_name=COVER_IMAGE)
    cover_image.content = cover_png(book.title, book.subtitle, site.settings)
    epub_book.add_item(cover_image)
    for path, name in images.items():
        epub_book.add_item(
            epub.EpubImage(
                uid=f"image-{len(epub_book.items)}",
                file_name=name,
                media_type=IMAGE_TYPES[path.suffix.lower()],
                content=path.read_bytes(),
            )
        )


def _add_documents(epub_book, book: Book, site: Site, images: dict[Path, str]):
    """The cover, the crisis information, one document per article and the end matter."""
    from ebooklib import epub

    settings, blocks = site.settings, site.blocks
    context = dict(settings=settings, blocks=blocks, contact_title=contact_title(site))

    def document(uid: str, title: str, file_name: str, template: str, lang: str = book.lang, **extra):
        item = epub.EpubHtml(uid=uid, title=_xml(title), file_name=file_name, lang=lang)
        markup = site.render(f"guide/{template}", **context, **extra)
        # Numbers and addresses held left to right in Farsi and Arabic text (publishing/bidi.py).
        item.set_content(_xml(isolate_html(markup) if direction(lang) == "rtl" else markup))
        # A relative link (not add_item's manifest path), so the sheet resolves from any document.
        item.add_link(href="style.css", rel="stylesheet", type="text/css")
        epub_book.add_item(item)
        return item

    cover = document(
        "cover",
        site._("Cover"),
        "cover.xhtml",
        "cover.xhtml",
        book=book,
        cover_image=COVER_IMAGE,
        cover_alt=cover_alt(book, settings.clinic_name, site),
    )
    crisis = document("crisis", blocks.crisis.title, "crisis.xhtml", "crisis.xhtml")
    chapters = [
        document(
            f"chapter-{number}",
            chapter.article.title,
            chapter.file_name,
            "article.xhtml",
            lang=chapter.article.lang,
            article=chapter.article,
            id_prefix=chapter.id_prefix,
            body_html=chapter_body(chapter, images, site, {c.article.slug: c.file_name for c in book.chapters}),
        )
        for number, chapter in enumerate(book.chapters, start=1)
    ]
    end = document("end", site._("About this guide"), "about.xhtml", "end.xhtml", articles=book.articles)
    return cover, crisis, chapters, end


def _add_navigation(epub_book, book: Book, site: Site, opening: list, reading: list) -> None:
    """The contents (nav.xhtml and the NCX), the reading order and the landmarks: the crisis
    information right after the cover, before even the contents, and where reading starts."""
    from ebooklib import epub

    epub_book.toc = _table_of_contents(book, site)
    epub_book.add_item(epub.EpubNcx())
    contents = site._("Contents")
    nav = epub.EpubNav(title=contents)
    nav.add_link(href="style.css", rel="stylesheet", type="text/css")
    epub_book.add_item(nav)
    # The crisis information comes right after the cover, before even the contents.
    epub_book.spine = [*opening, nav, *reading]
    epub_book.guide = [
        {"type": "cover", "href": "cover.xhtml", "title": site._("Cover")},
        {"type": "toc", "href": "nav.xhtml", "title": contents},
        # Where reading starts (EPUB 3 'bodymatter' landmark too): the crisis information,
        # so a reader app that opens books there never skips it.
        {"type": "text", "href": "crisis.xhtml", "title": _xml(site.blocks.crisis.title)},
    ]


def _table_of_contents(book: Book, site: Site) -> list:
    """Crisis, the articles, then the end matter. One article: its sections (h2, and h3 under them).
    Several: two levels at most, so a ten-article guide stays a page a reader can scan: the chapters
    under their categories when there are several categories, else each chapter with its h2 sections."""
    from ebooklib import epub

    numbers = itertools.count(1)

    def link(href: str, title: str):
        return epub.Link(href, _xml(title), f"toc-{next(numbers)}")

    def sections(chapter: Chapter, deepest: int) -> list:
        entries: list[list] = []
        for heading in chapter.article.headings:
            if heading.level > deepest:
                continue
            entry = link(f"{chapter.file_name}#{chapter.id_prefix}{heading.id}", heading.title)
            if heading.level == 3 and entries:
                entries[-1][1].append(entry)
            else:
                entries.append([entry, []])
        return [(entry, nested) if nested else entry for entry, nested in entries]

    def chapter_entry(chapter: Chapter, deepest: int, *, at_title: bool = False):
        # Under a category entry (which opens the group's first chapter) a chapter points at its title:
        # two entries for one target would trip older readers' NCX (different playOrder).
        href = f"{chapter.file_name}#{chapter.id_prefix}article-title" if at_title else chapter.file_name
        top = link(href, chapter.article.title)
        children = sections(chapter, deepest) if deepest else []
        return (top, children) if children else top

    blocks = site.blocks
    toc: list = [link("crisis.xhtml", blocks.crisis.title)]
    groups = book.groups(uncategorised(site))
    if len(book.chapters) == 1:
        toc.append(chapter_entry(book.chapters[0], 3))
    elif len(groups) > 1:
        for category, chapters in groups:
            toc.append((link(chapters[0].file_name, category), [chapter_entry(c, 0, at_title=True) for c in chapters]))
    else:
        toc += [chapter_entry(chapter, 2) for chapter in book.chapters]
    toc.append(link("about.xhtml", contact_title(site)))
    toc.append(link(f"about.xhtml#{blocks.disclaimer.id}", blocks.disclaimer.title))
    return toc


def chapter_body(chapter: Chapter, images: dict[Path, str], site: Site, chapters: dict[str, str]) -> str:
    """The article's body for its chapter: ids prefixed, images renamed, notes marked for readers."""
    import lxml.html

    article = chapter.article
    fragment = lxml.html.fragment_fromstring(_xml(article.body_html), create_parent="div")
    prefix = chapter.id_prefix
    Links(site, article, sms=False, chapters=chapters, id_prefix=prefix, page_ids=PAGE_IDS).resolve(fragment)
    if prefix:
        for element in fragment.iter():
            if element.get("id"):
                element.set("id", prefix + element.get("id"))
    sources = {image.src: image.path for image in article.images}
    for image in fragment.iter("img"):
        image.set("src", quote(images[sources[image.get("src")]]))
    # Reading systems show a note in a pop-up when the reference and the note say what they are: as
    # Standard Ebooks marks them, a section of endnotes whose items are each an endnote.
    for note_ref in fragment.xpath("//a[contains(concat(' ', @class, ' '), ' footnote-ref ')]"):
        note_ref.set("epub:type", "noteref")
        note_ref.set("role", "doc-noteref")
    for notes in fragment.xpath("//div[contains(concat(' ', @class, ' '), ' footnote ')]"):
        notes.tag = "section"
        notes.set("epub:type", "footnotes")
        notes.set("role", "doc-endnotes")
        # A visible heading, as Standard Ebooks gives its endnotes, in place of the rule above them.
        heading = lxml.html.Element("h2", {"class": "notes-title", "id": f"{prefix}{NOTES_TITLE}"})
        heading.text = site._("Notes")
        for rule in notes.findall("hr"):
            notes.remove(rule)
        notes.insert(0, heading)
        notes.set("aria-labelledby", f"{prefix}{NOTES_TITLE}")
        # Each note is marked inside its list item (a list item may only be a list item to ARIA):
        # the note reference's target, a footnote to reading systems and to assistive technology.
        for item in notes.xpath("./ol/li"):
            note = lxml.html.Element("div", {"id": item.get("id", ""), "epub:type": "footnote", "role": "doc-footnote"})
            item.attrib.pop("id", None)
            note.text, item.text = item.text, None
            for child in list(item):
                note.append(child)
            item.append(note)
    for back_link in fragment.xpath("//a[contains(concat(' ', @class, ' '), ' footnote-backref ')]"):
        back_link.set("role", "doc-backlink")
    # Callouts are set apart for assistive technology too: an aside with the note role.
    for callout in fragment.xpath("//div[contains(concat(' ', @class, ' '), ' admonition ')]"):
        callout.tag = "aside"
        callout.set("role", "note")
        title = callout.find("p")
        if title is not None and "admonition-title" in (title.get("class") or "").split():
            callout.set("aria-label", " ".join(title.text_content().split()))
    # A table wider than a phone scrolls inside its own box, never the page.
    for table in list(fragment.iter("table")):
        box = lxml.html.Element("div", {"class": "table-scroll"})
        table.addprevious(box)
        box.append(table)  # moves the table, with its tail
        box.tail, table.tail = table.tail, None
    return html.escape(fragment.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in fragment
    )


def _image_names(book: Book, site: Site) -> dict[Path, str]:
    """Each image file once, named by its path inside sources/; a clash gets the content's hash."""
    reserved = {name.lower() for name in (*FIXED_DOCUMENTS, "style.css", "toc.ncx", "content.opf", COVER_IMAGE)}
    reserved |= {chapter.file_name.lower() for chapter in book.chapters}
    names: dict[Path, str] = {}
    sources = site.folders.sources.resolve()
    for article in book.articles:
        for image in article.images:
            if image.path in names:
                continue
            suffix = image.path.suffix.lower()
            if suffix not in IMAGE_TYPES:
                raise PublishingError(
                    article.source,
                    f"image '{image.src}' is not a PNG, JPEG, GIF, WebP or SVG file, which every e-reader can show",
                    line=image.line,
                    hint="save it as a PNG or JPEG and link that file",
                )
            relative = image.path.relative_to(sources) if image.path.is_relative_to(sources) else Path(image.path.name)
            # Only characters that need no escaping in a URL or a zip entry name.
            name = "/".join(re.sub(r"[^A-Za-z0-9._-]+", "-", part) for part in relative.parts)
            if name.lower() in reserved:
                digest = hashlib.sha256(image.path.read_bytes()).hexdigest()[:10]
                name = f"images/{Path(name).stem}-{digest}{suffix}"
            reserved.add(name.lower())
            names[image.path] = name
    return names


def cover_alt(book: Book, clinic_name: str, site: Site) -> str:
    return site._(
        "Cover: %(title)s. %(subtitle)s, from %(clinic)s.", title=book.title, subtitle=book.subtitle, clinic=clinic_name
    )
