"""The print-ready PDF handout (WeasyPrint): Letter or A4, tagged PDF/UA-1, fonts embedded."""

from __future__ import annotations

import atexit
import functools
import io
import logging
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from . import proof
from .article import Article
from .errors import PublishingError, RequiredBlockFailure
from .resources import FONT_FACES, FONT_FAMILY, allowed_roots, font_dir, font_face_css, local_path
from .site import Site
from .templates import render

NAME = "handout"
FOLDER = "handouts"
SUFFIX = ".pdf"

# variant -> (extra stylesheet in layouts/handout/, PDF variant, file-name infix)
VARIANTS = {
    "office": (None, "pdf/ua-1", ""),
    "large-print": ("large-print.css", "pdf/ua-1", ".large-print"),
    "print-shop": ("print-shop.css", "pdf/x-4", ".print-shop"),
}

# Images the build makes itself (the QR code) are served under this scheme from memory,
# so the fetcher never needs to write a temporary file or open anything outside the project.
GENERATED_SCHEME = "generated"

log = logging.getLogger("publishing.handout")


@dataclass(frozen=True)
class QrCode:
    """A QR code to the clinic's online guide, as an SVG the fetcher serves from memory."""

    target: str
    svg: bytes
    name: str = "qr-code.svg"

    @property
    def url(self) -> str:
        return f"{GENERATED_SCHEME}:{self.name}"

    @property
    def alt(self) -> str:
        return f"QR code: scan it with a phone camera to open {self.target}"


def qr_code(settings, slug: str) -> QrCode | None:
    """The QR code to the article online; none when the clinic has given no address (never an invented URL)."""
    target = settings.article_web_address(slug)
    if not target:
        return None
    import segno
    # Level M survives a smudge or a fold; pure black on white prints on any office printer.
    code = segno.make(target, error="m", micro=False, boost_error=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", border=4, omitsize=True, xmldecl=False, dark="#000", light="#fff")
    return QrCode(target=target, svg=buffer.getvalue())


def output_names(article: Article, variant: str = "office") -> list[str]:
    """The files of one variant; the first is the one staff print."""
    return [f"{article.slug}{VARIANTS[variant][2]}{SUFFIX}"]


def build(article: Article, site: Site, workdir: Path, variant: str = "office") -> list[Path]:
    """Render the handout into ``workdir``; return the file written."""
    weasyprint = _weasyprint()
    layouts = site.project.layouts
    qr = qr_code(site.settings, article.slug)
    html = render(layouts, "handout/handout.html", article=article, settings=site.settings,
                  blocks=site.blocks, variant=variant, qr_code=qr,
                  date=article.date.strftime("%Y-%m-%dT%H:%M:%SZ") if article.date else "")
    ProjectFetcher, Refused = _fetcher_types()
    generated = {qr.url: (qr.svg, "image/svg+xml")} if qr else {}
    fetcher = ProjectFetcher(allowed_roots(site.project.sources, layouts), generated)
    pdf_variant = VARIANTS[variant][1]
    fonts, stylesheets = _site_stylesheets(site, variant)
    target = workdir / output_names(article, variant)[0]
    try:
        options = {"stylesheets": stylesheets, "pdf_variant": pdf_variant, "pdf_tags": True}
        document = weasyprint.HTML(string=html, base_url=article.source.parent.as_uri() + "/",
                                   url_fetcher=fetcher).render(font_config=fonts, **options)
        if pdf_variant.startswith("pdf/x"):
            _stable_document_id(document, f"{article.slug}{VARIANTS[variant][2]}:{html}")
        document.write_pdf(target, **options)
    except Refused as refused:
        raise PublishingError(article.source, refused.error.message, hint=refused.error.hint) from None
    _warn_about_fallback_fonts({font.name.decode().lstrip("/").split("+")[-1] for font in document.fonts.values()},
                               html)
    return [target]


def _site_stylesheets(site: Site, variant: str):
    layouts = site.project.layouts
    sheet = VARIANTS[variant][0]
    css = [font_face_css(), (layouts / "handout/handout.css").read_text(encoding="utf-8")]
    if sheet:
        css.append((layouts / "handout" / sheet).read_text(encoding="utf-8"))
    if site.settings.paper_size != "letter":
        css.append(f"@page {{ size: {site.settings.page_size}; }}")
    return _stylesheets(tuple(css), layouts, allowed_roots(site.project.sources, layouts))


@functools.lru_cache(maxsize=8)
def _stylesheets(css: tuple[str, ...], layouts: Path, roots: tuple[Path, ...]):
    """Parse the stylesheets and load the fonts once per process, not once per article (~30 ms each).

    The CSS needs only the shipped fonts and layouts/, so a fetcher without the article's
    generated images serves it."""
    weasyprint = _weasyprint()
    from weasyprint.text.fonts import FontConfiguration
    ProjectFetcher, _ = _fetcher_types()
    fetcher = ProjectFetcher(roots, {})
    fonts = FontConfiguration()
    return fonts, [weasyprint.CSS(string=text, font_config=fonts, url_fetcher=fetcher,
                                  base_url=(layouts / "handout").as_uri() + "/") for text in css]


# Release the cached font configurations while the interpreter still works: left to the final
# teardown, WeasyPrint's FontConfiguration.__del__ prints "Exception ignored" noise.
atexit.register(_stylesheets.cache_clear)


def verify(article: Article, site: Site, files: list[Path], shown_as: Path) -> None:
    """Page 1 shows the crisis information before the article, the last page the disclaimer; both visible
    (every glyph at least 9 pt, the crisis title at least the body size, on the paper, in contrast)."""
    from .proof.pdf import PdfText
    blocks = site.blocks
    with PdfText(files[0], product=NAME, shown_as=shown_as) as pdf:
        last = len(pdf) - 1
        proof.require_in_pdf(pdf, 0, blocks.crisis, product=NAME, where="page 1", shown_as=shown_as,
                             title_at_least=pdf.body_points())
        proof.require_in_pdf(pdf, last, blocks.disclaimer, product=NAME, where=f"the last page (page {last + 1})",
                             shown_as=shown_as)
        # The article's first words must come after the crisis block (they may also occur before it, in the
        # title, when the article is short).
        opening = proof.opening_words(article.plain_text) if article is not None else ""
        crisis_ends = pdf.find(0, blocks.crisis.proof_texts[-1]).stop - 1
        if pdf.find(0, opening) is not None and pdf.find(0, opening, after=crisis_ends) is None:
            raise RequiredBlockFailure(
                shown_as, f"{NAME}: on page 1 the {blocks.crisis.name} comes after the article's text begins",
                hint="the reader must meet it first: place the crisis() macro before the article in the layout")


def pdf_fonts(pdf) -> dict[str, bool]:
    """Each font a PDF uses (subset prefix such as 'ABCDEF+' removed) and whether its file is embedded.

    ``pdf`` is a path or an open pypdf reader. Fonts inside form XObjects (SVG pictures) count too."""
    from pypdf import PdfReader
    reader = pdf if isinstance(pdf, PdfReader) else PdfReader(pdf)
    fonts: dict[str, bool] = {}
    seen: set[int] = set()

    def collect(resources) -> None:
        resources = resources.get_object() if resources is not None else {}
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            name = str(font.get("/BaseFont", "")).lstrip("/").split("+")[-1]
            owner = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = owner.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            fonts[name] = font.get("/Subtype") == "/Type3" or any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
        for reference in resources.get("/XObject", {}).values():
            if reference.idnum not in seen:
                seen.add(reference.idnum)
                collect(reference.get_object().get("/Resources"))

    for page in reader.pages:
        collect(page.get("/Resources"))
    return fonts


def _warn_about_fallback_fonts(used_fonts: set[str], html: str) -> None:
    """Pango silently borrows a glyph the shipped font lacks from whatever the machine has
    (DejaVu here, something else on a clinic PC): say which font and which characters."""
    borrowed = sorted(name for name in used_fonts if not name.startswith("Atkinson-Hyperlegible"))
    if not borrowed:
        return
    import html as html_module
    text = html_module.unescape(re.sub(r"<[^>]*>", " ", html))
    missing = sorted({char for char in text if not char.isspace() and ord(char) not in _font_characters()})
    fallback = ", ".join(borrowed)
    if missing:
        shown = ", ".join(f"'{char}' (U+{ord(char):04X})" for char in missing[:8])
        log.warning("%s is not in %s and prints in a system font (%s): replace it in the source",
                    shown, FONT_FAMILY, fallback)
    else:
        log.warning("a character the layout adds (a hyphen, list marker or quote from CSS) is not in %s "
                    "and prints in a system font (%s): set one the font has in layouts/handout/",
                    FONT_FAMILY, fallback)


@functools.cache
def _font_characters() -> frozenset[int]:
    from fontTools.ttLib import TTFont
    covered: set[int] = set()
    for file, _, _ in FONT_FACES:
        covered.update(TTFont(font_dir() / file, lazy=True).getBestCmap())
    return frozenset(covered)


def _stable_document_id(document, seed: str) -> None:
    """PDF/X needs an xmpMM:DocumentID and WeasyPrint draws a random one; derive it from the
    content instead, so the same source builds the same print-shop file."""
    metadata = document.metadata
    generate = metadata.generate_rdf_metadata
    stable = f"xmp.did:{uuid.uuid5(uuid.NAMESPACE_URL, seed)}"

    def generate_rdf_metadata(*args, **kwargs):
        return re.sub(rb"xmp\.did:[0-9a-f-]{36}", stable.encode(), generate(*args, **kwargs))

    metadata.generate_rdf_metadata = generate_rdf_metadata


@functools.cache
def _weasyprint():
    """WeasyPrint, imported without its 0.2 s search for library names this system does not use.

    WeasyPrint asks cffi for each native library under several names ('libgobject-2.0-0',
    'gobject-2.0-0', ... 'libgobject-2.0.so.0'). For every name the loader cannot open, cffi
    falls back on ctypes.util.find_library, which runs ldconfig, gcc and ld (WeasyPrint issue
    #1125): 57 processes and 40% of the import here. On Linux each list also holds the library's
    soname, which the loader opens directly, so the fallback is turned off for the import."""
    import ctypes.util
    import sys
    if "weasyprint" in sys.modules or sys.platform != "linux":
        import weasyprint
        return weasyprint
    find_library = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        import weasyprint
    except OSError:  # a system whose sonames differ: let find_library look after all
        for name in [name for name in sys.modules if name == "weasyprint" or name.startswith("weasyprint.")]:
            del sys.modules[name]
        ctypes.util.find_library = find_library
        import weasyprint
    finally:
        ctypes.util.find_library = find_library
    return weasyprint


@functools.cache
def _fetcher_types():
    """WeasyPrint's fetcher types, built on first use so importing this module stays cheap."""
    _weasyprint()
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class Refused(FatalURLFetchingError):
        """Stops the rendering: WeasyPrint turns ordinary fetch errors into mere warnings."""

        def __init__(self, error: PublishingError):
            super().__init__(str(error))
            self.error = error

    class ProjectFetcher(URLFetcher):
        """Serve only files inside sources/, layouts/ and the shipped fonts, and the images this
        build generated (``generated:`` URLs, from memory); never the network."""

        def __init__(self, roots, generated=None):
            super().__init__(allowed_protocols={"file"}, fail_on_errors=True)
            self.roots = roots
            self.generated = dict(generated or {})

        def fetch(self, url, headers=None):
            if url.startswith(f"{GENERATED_SCHEME}:"):
                if url not in self.generated:
                    raise Refused(PublishingError(None, f"refused to fetch '{url}': this build made no such image",
                                                  hint="link images by a relative path inside sources/"))
                body, media_type = self.generated[url]
                return URLFetcherResponse(url, body=body, headers={"Content-Type": media_type})
            try:
                path = local_path(url, self.roots)
            except PublishingError as error:
                raise Refused(error) from None
            return URLFetcherResponse(url, body=path.read_bytes())

    return ProjectFetcher, Refused
