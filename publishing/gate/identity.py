"""Whether a product in build/ is its own article's: another article's handout copied under this one's
name carries the other's blocks too, so the required blocks' proof passes it; its identity does not.

A check of identity only, stable across edits of the article (issue 29 adds "built from these inputs
now", where the version mark belongs): the handout's title is the article's, the guide's package
carries the identifier made from the article's name, and the newsletter's subject is the article's,
in the HTML, the .eml and the .txt alike.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..row import Row


def identity_row(slug: str, label: str, files: list[Path], article) -> Row | None:
    """A row saying whose product this is, or None for a product of several articles."""
    if article is None:
        return None
    problem = _mismatch(files, article)
    if problem:
        return Row(
            slug,
            label,
            "is this article's",
            "fail",
            f"{problem}: it is not the product of {article.source.name} as it is now; "
            "rebuild it ('invoke build --force'), and never copy products between articles",
        )
    return Row(slug, label, "is this article's", "pass", "names this article")


def _mismatch(files: list[Path], article) -> str | None:
    suffix = files[0].suffix
    try:
        if suffix == ".pdf":
            return _pdf(files[0], article)
        if suffix == ".epub":
            return _epub(files[0], article)
        if suffix == ".html" and files[0].name == "index.html":
            return _web_page(files[0], article)
        if suffix == ".html":
            return _newsletter(files, article)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        return f"{files[0].name} cannot be read to tell whose it is ({error})"
    return f"{files[0].name} is a kind of product the identity check cannot judge"  # fail closed


def _pdf(path: Path, article) -> str | None:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        title = " ".join(str(document.get_metadata_dict().get("Title", "")).split())
    except pypdfium2.PdfiumError as error:
        return f"{path.name} cannot be read ({error})"
    finally:
        document.close()
    expected = " ".join(article.title.split())
    if title != expected:
        return f"{path.name} is the handout of '{title}', not of '{expected}'"
    return None


def _epub(path: Path, article) -> str | None:
    import re

    from ..products.guide.book import identifier

    with zipfile.ZipFile(path) as book:
        names = book.namelist()
        package = next((name for name in names if name.endswith(".opf")), None)
        if package is None:
            return f"{path.name} has no package document"
        opf = book.read(package).decode("utf-8", "replace")
    found = re.search(r"<dc:identifier[^>]*>([^<]*)</dc:identifier>", opf)
    expected = identifier(article.name)
    if not found or found.group(1).strip() != expected:
        return f"{path.name} is identified as {found.group(1).strip() if found else 'nothing'}, not {expected}"
    return None


def _newsletter(files: list[Path], article) -> str | None:
    import lxml.html

    from ..products.newsletter.message import message_parts, read_message

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


def _web_page(path: Path, article) -> str | None:
    """A web edition's page: its heading (id article-title) is the article's title."""
    import lxml.html

    page = lxml.html.document_fromstring(path.read_bytes())
    found = page.xpath('//h1[@id="article-title"]')
    heading = " ".join(found[0].text_content().split()) if found else ""
    expected = " ".join(article.title.split())
    if heading != expected:
        return f"{path.name} is the page of '{heading}', not of '{expected}'"
    return None
