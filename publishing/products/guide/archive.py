"""The EPUB archive rewritten as reading systems and reproducible builds need it."""

from __future__ import annotations

import io
import re
import zipfile


def reproducible(epub_bytes: bytes, date_time: tuple, lang: str, direction: str = "ltr") -> bytes:
    """Rewrite the archive: fixed entry times (ebooklib stamps the clock), mimetype first, stored,
    and the language on the package document (ebooklib leaves it out; Ace reports it as serious).
    A right-to-left book (``direction`` "rtl") says so everywhere reading systems look: dir on the
    package and on every XHTML document, the navigation too (ebooklib's set_direction reaches neither),
    and page-progression-direction on the spine, so pages turn from the left."""
    import lxml.etree as etree

    date_time = min(max(date_time, (1980, 1, 1, 0, 0, 0)), (2107, 12, 31, 23, 59, 58))  # what zip can store
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(epub_bytes)) as source, zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith(".opf"):
                package = etree.fromstring(data)
                package.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
                if direction == "rtl":
                    package.set("dir", "rtl")
                    for spine in package.iter("{*}spine"):
                        spine.set("page-progression-direction", "rtl")
                data = etree.tostring(package, xml_declaration=True, encoding="utf-8")
            elif direction == "rtl" and info.filename.endswith(".xhtml"):
                data = _right_to_left(data, lang)
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(entry, data, compresslevel=9 if entry.compress_type else None)
    return out.getvalue()


def _right_to_left(data: bytes, lang: str) -> bytes:
    """An XHTML document with dir="rtl", lang and xml:lang on its <html>, its text otherwise untouched."""
    head, found, rest = data.partition(b"<html")
    if not found:
        return data
    tag, close, body = rest.partition(b">")
    for name, value in ((b"dir", b"rtl"), (b"lang", lang.encode()), (b"xml:lang", lang.encode())):
        if not re.search(rb"\s" + re.escape(name) + rb"=", tag):
            tag += b" " + name + b'="' + value + b'"'
    return head + found + tag + close + body
