"""The EPUB 3 patient guide (ebooklib): clean under EPUBCheck, reproducible, accessible."""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from pathlib import Path

from . import required
from .article import Article
from .site import Site
from .templates import render

NAME = "guide"
FOLDER = "guides"
SUFFIX = ".epub"

# A fixed namespace, so an article's identifier is the same on every build.
IDENTIFIER_NAMESPACE = uuid.UUID("5b0f3c1e-8a52-4c51-9d3e-6f1d2a7b9c40")


def output_names(article: Article) -> list[str]:
    return [f"{article.slug}{SUFFIX}"]


def identifier(slug: str) -> str:
    return f"urn:uuid:{uuid.uuid5(IDENTIFIER_NAMESPACE, slug)}"


def build(article: Article, site: Site, workdir: Path) -> list[Path]:
    from ebooklib import epub

    layouts, settings = site.project.layouts, site.settings
    book = epub.EpubBook()
    book.set_identifier(identifier(article.slug))
    book.set_title(article.title)
    book.set_language(article.lang)
    book.add_author(article.author)
    book.add_metadata("DC", "description", article.description)
    book.add_metadata("DC", "publisher", settings.clinic_name)
    if article.category:
        book.add_metadata("DC", "subject", article.category)
    date = article.date
    book.add_metadata("DC", "date", date.strftime("%Y-%m-%d"))
    for prop, value in accessibility_metadata(article):
        book.add_metadata(None, "meta", value, {"property": prop})

    style = epub.EpubItem(uid="style", file_name="style.css", media_type="text/css",
                          content=(layouts / "guide/guide.css").read_bytes())
    book.add_item(style)

    context = dict(article=article, settings=settings, blocks=site.blocks)
    documents = [
        ("cover", "Cover", "cover.xhtml", "guide/cover.xhtml"),
        ("crisis", site.blocks.crisis.title, "crisis.xhtml", "guide/crisis.xhtml"),
        ("article", article.title, "article.xhtml", "guide/article.xhtml"),
        ("end", site.blocks.disclaimer.title, "about.xhtml", "guide/end.xhtml"),
    ]
    items = []
    for uid, title, file_name, template in documents:
        item = epub.EpubHtml(uid=uid, title=title, file_name=file_name, lang=article.lang)
        item.set_content(render(layouts, template, **context))
        item.add_link(href="style.css", rel="stylesheet", type="text/css")
        book.add_item(item)
        items.append(item)
    for image in article.images:
        book.add_item(epub.EpubImage(uid=f"img-{len(book.items)}", file_name=image.src,
                                     media_type=_media_type(image.path), content=image.path.read_bytes()))

    cover, crisis, body, end = items
    book.toc = [
        epub.Link("crisis.xhtml", site.blocks.crisis.title, "toc-crisis"),
        (epub.Link("article.xhtml", article.title, "toc-article"),
         [epub.Link(f"article.xhtml#{h.id}", h.title, f"toc-{h.id}") for h in article.headings if h.level == 2]),
        epub.Link("about.xhtml", site.blocks.disclaimer.title, "toc-end"),
    ]
    book.add_item(epub.EpubNcx())
    nav = epub.EpubNav(title="Contents")
    nav.add_link(href="style.css", rel="stylesheet", type="text/css")
    book.add_item(nav)
    book.spine = [cover, nav, crisis, body, end]
    book.guide = [{"type": "cover", "href": "cover.xhtml", "title": "Cover"}]

    buffer = io.BytesIO()
    epub.write_epub(buffer, book, {"mtime": date, "epub3_pages": False, "play_order": {"enabled": True}})
    target = workdir / output_names(article)[0]
    target.write_bytes(_reproducible(buffer.getvalue(), date.timetuple()[:6]))
    return [target]


def accessibility_metadata(article: Article) -> list[tuple[str, str]]:
    """EPUB Accessibility 1.1 metadata, derived from what the book contains."""
    has_images = bool(article.images)
    metadata = [("schema:accessMode", "textual")]
    if has_images:
        metadata.append(("schema:accessMode", "visual"))
    metadata += [
        ("schema:accessModeSufficient", "textual"),
        ("schema:accessibilityFeature", "structuralNavigation"),
        ("schema:accessibilityFeature", "tableOfContents"),
        ("schema:accessibilityFeature", "readingOrder"),
        ("schema:accessibilityFeature", "displayTransformability"),
    ]
    if has_images:
        metadata.append(("schema:accessibilityFeature", "alternativeText"))
    metadata += [
        ("schema:accessibilityHazard", "none"),
        ("schema:accessibilitySummary",
         "A text guide with headings in order, a table of contents and no fixed layout; "
         + ("every image has a text description; " if has_images else "")
         + "text size and fonts follow the reader's settings. No flashing, sound or motion."),
        ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"),
    ]
    return metadata


def _media_type(path: Path) -> str:
    return {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
            ".svg": "image/svg+xml", ".webp": "image/webp"}.get(path.suffix.lower(), "application/octet-stream")


def _reproducible(epub_bytes: bytes, date_time: tuple) -> bytes:
    """Rewrite the archive with fixed entry times (ebooklib stamps the clock), mimetype first."""
    date_time = max(date_time, (1980, 1, 1, 0, 0, 0))
    source = zipfile.ZipFile(io.BytesIO(epub_bytes))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(entry, data, compresslevel=9 if entry.compress_type else None)
    return out.getvalue()


def document_texts(epub_path: Path) -> list[tuple[str, str]]:
    """(file name, text) of every content document, in spine order, read from the EPUB itself."""
    import lxml.etree as etree
    with zipfile.ZipFile(epub_path) as archive:
        container = etree.fromstring(archive.read("META-INF/container.xml"))
        opf_path = container.find(".//{*}rootfile").get("full-path")
        opf = etree.fromstring(archive.read(opf_path))
        base = opf_path.rsplit("/", 1)[0] + "/" if "/" in opf_path else ""
        manifest = {item.get("id"): item.get("href") for item in opf.iter("{*}item")}
        texts = []
        for itemref in opf.iter("{*}itemref"):
            href = manifest[itemref.get("idref")]
            tree = etree.fromstring(archive.read(base + href))
            body = tree.find("{*}body")
            texts.append((href, " ".join("".join(body.itertext()).split()) if body is not None else ""))
        return texts


def verify(article: Article, site: Site, files: list[Path], shown_as: Path) -> None:
    """The crisis text in the first document after the cover, the disclaimer in the last."""
    documents = [(name, text) for name, text in document_texts(files[0]) if not re.search(r"(cover|nav)\.xhtml$", name)]
    first_name, first = documents[0]
    last_name, last = documents[-1]
    required.require(NAME, f"the first document ({first_name})", first, site.blocks.crisis, shown_as)
    required.require(NAME, f"the last document ({last_name})", last, site.blocks.disclaimer, shown_as)
