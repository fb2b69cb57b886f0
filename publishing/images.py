"""What a picture is, judged from its bytes: never from its name or a server's Content-Type.

Every image an article shows (and every image `invoke fetch-images` saves) is decoded here before
any product embeds it: a raster image must be a PNG, JPEG, GIF or WebP that Pillow decodes whole,
at most MAX_PIXELS (a 30000x30000 "decompression bomb" is 900 megapixels, a few KB on disk and
gigabytes in memory). An SVG is refused, not cleaned, when it holds anything that runs or reaches
outside the file: a reader's app (or Chromium opening the shipped file) would otherwise run its
scripts and fetch its references. Refusing keeps the clinic's file byte for byte what ships, and
what a cleaner cannot judge it would have to guess about.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

MAX_PIXELS = 40_000_000  # 40 megapixels: a full-page photo at 600 ppi is about 34
RASTER_FORMATS = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp"}
MAX_SVG_ELEMENTS = 20_000
MAX_SVG_USES = 500  # <use> of <use> of ... multiplies: a few hundred bytes can draw billions of shapes

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
# Namespaces drawing programs write that draw nothing and reach nothing (Inkscape, Illustrator, RDF).
_HARMLESS_NAMESPACES = {
    SVG,
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://creativecommons.org/ns#",
    "http://purl.org/dc/elements/1.1/",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.inkscape.org/namespaces/inkscape",
}
_FORBIDDEN_ELEMENTS = {"script", "foreignObject", "iframe", "embed", "object", "handler", "listener"}
_URL = re.compile(r"url\s*\(\s*(['\"]?)\s*(?P<target>[^)'\"]*)", re.IGNORECASE)
_IMPORT = re.compile(r"@import|expression\s*\(|javascript:", re.IGNORECASE)
# An address in any attribute (an animation's to=, values=...): SVG can set href by animating it.
_ADDRESS = re.compile(r"(?:^|[\s;,(])(?:[a-z][a-z0-9+.-]*:)?//|(?:javascript|data|file|https?|ftp):", re.IGNORECASE)


class ImageProblem(ValueError):
    """Why a file cannot be shown as a picture (the caller says where it is used)."""


def image_kind(data: bytes) -> str:
    """The file's real kind, as a suffix (".png", ".svg"...), after checking it whole; else ImageProblem."""
    if _looks_like_xml(data):
        check_svg(data)
        return ".svg"
    return RASTER_FORMATS[check_raster(data)]


def check_image_file(path: Path) -> str:
    """``image_kind`` of a file, whose suffix must say what it is (an e-reader goes by the name)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImageProblem(f"cannot be read ({error.strerror})") from None
    kind = image_kind(data)
    suffix = path.suffix.lower().replace(".jpeg", ".jpg")
    if suffix != kind:
        raise ImageProblem(f"is a {kind[1:].upper()} file named {path.suffix or 'without a suffix'}")
    return kind


def check_raster(data: bytes) -> str:
    """The Pillow format of a raster image decoded whole and bounded in pixels; else ImageProblem."""
    from PIL import Image, ImageFile, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as picture:
            kind = picture.format or ""
            if kind not in RASTER_FORMATS:
                raise ImageProblem(f"is a {kind or 'kind of'} image, not PNG, JPEG, GIF or WebP")
            width, height = picture.size
            # Judged from the header, before anything is decoded.
            if width * height > MAX_PIXELS:
                raise ImageProblem(
                    f"is {width}x{height} pixels, {width * height / 1e6:.0f} megapixels (at most "
                    f"{MAX_PIXELS // 1_000_000}), too large to decode safely"
                )
            # Every byte of the first frame: a truncated file fails here, even where WeasyPrint (imported
            # in this process) told Pillow to accept truncated files.
            accepting, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
            try:
                picture.load()
            finally:
                ImageFile.LOAD_TRUNCATED_IMAGES = accepting
    except ImageProblem:
        raise
    except Image.DecompressionBombError as error:  # Pillow's own limit, judged from the header too
        pixels = re.search(r"\((\d+) pixels\)", str(error))
        size = f"{int(pixels[1]) / 1e6:.0f} megapixels" if pixels else "too many pixels"
        raise ImageProblem(f"is {size} (at most {MAX_PIXELS // 1_000_000}), too large to decode safely") from None
    except UnidentifiedImageError:
        raise ImageProblem("is not a picture (not a PNG, JPEG, GIF, WebP or SVG file)") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageProblem(f"is damaged and cannot be decoded ({error})") from None
    return kind


def _looks_like_xml(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg"))


def check_svg(data: bytes) -> None:
    """Refuse an SVG that runs anything or refers outside itself; say what and where."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise ImageProblem(f"is not a well-formed SVG file ({error})") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise ImageProblem("declares a DOCTYPE (entities can expand or read files)")
    if root.tag != f"{{{SVG}}}svg":
        raise ImageProblem("is not an SVG picture (its root element is not <svg>)")
    for sibling in (*root.itersiblings(preceding=True), *root.itersiblings()):
        if isinstance(sibling, etree._ProcessingInstruction):
            raise ImageProblem(
                f"carries a processing instruction <?{sibling.target} ...?> (a stylesheet from elsewhere)"
            )
    count = uses = 0
    for node in root.iter():
        count += 1
        if count > MAX_SVG_ELEMENTS:
            raise ImageProblem(f"has more than {MAX_SVG_ELEMENTS} elements")
        if isinstance(node, etree._ProcessingInstruction):
            raise ImageProblem(f"carries a processing instruction <?{node.target} ...?> (a stylesheet from elsewhere)")
        if not isinstance(node.tag, str):
            continue  # a comment
        _check_element(node, node.sourceline)
        uses += etree.QName(node).localname == "use"
        if uses > MAX_SVG_USES:
            raise ImageProblem(f"has more than {MAX_SVG_USES} <use> elements")


def _check_element(node, line: int | None) -> None:
    from lxml import etree

    name = etree.QName(node)
    where = f"<{name.localname}> on its line {line}" if line else f"<{name.localname}>"
    if name.namespace not in _HARMLESS_NAMESPACES:
        raise ImageProblem(f"has an element from another language ({where}, {name.namespace or 'no namespace'})")
    if name.namespace == SVG and name.localname in _FORBIDDEN_ELEMENTS:
        raise ImageProblem(f"has a {where}, which runs code or shows another document")
    if name.localname == "style":
        _check_style("".join(node.itertext()), where)
    for attribute, value in node.attrib.items():
        local = etree.QName(attribute).localname
        if local.lower().startswith("on"):
            raise ImageProblem(f"has an event handler {local}= ({where}), which runs code")
        if local == "href" and not value.strip().startswith("#"):
            shown = value if len(value) < 60 else value[:57] + "..."
            raise ImageProblem(f"refers to '{shown}' ({where}); an SVG may refer only inside itself (#id)")
        _check_style(value, f"{local}= of {where}")
        if local != "href" and etree.QName(attribute).namespace is None and _ADDRESS.search(value):
            raise ImageProblem(f"has an address in {local}= of {where}; an SVG may refer only inside itself")


def _check_style(text: str, where: str) -> None:
    if _IMPORT.search(text):
        raise ImageProblem(f"has @import, expression() or javascript: in {where}")
    for match in _URL.finditer(text):
        if not match["target"].strip().startswith("#"):
            raise ImageProblem(f"refers to url({match['target'].strip()}) in {where}; only url(#id) is allowed")


def picture_problem(source: Path, src: str, path: Path, line: int | None) -> None:
    """Every picture an article shows decoded (an SVG read for what it runs or fetches) before any product
    embeds it; a problem is the article's error at the line that shows it."""
    from .errors import PublishingError

    try:
        check_image_file(path)
    except ImageProblem as problem:
        raise PublishingError(
            source,
            f"image '{src}' {problem}",
            line=line,
            hint="save the drawing again as plain SVG, without scripts or links to other files, or export it as PNG"
            if path.suffix.lower() == ".svg"
            else "open it in an image editor and export it again as PNG or JPEG (a picture from a web page: "
            "save the image itself, not the page)",
        ) from None
