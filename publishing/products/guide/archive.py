"""The EPUB archive rewritten as reading systems and reproducible builds need it."""

from __future__ import annotations

import io
import zipfile


def reproducible(epub_bytes: bytes, date_time: tuple, lang: str) -> bytes:
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
