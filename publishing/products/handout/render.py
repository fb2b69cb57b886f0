"""The handout's layout: the template rendered, WeasyPrint laying it out with the project's fonts
and stylesheets, a fetcher that serves only the project's files."""

from __future__ import annotations

import atexit
import functools
import io
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from ...article import Article
from ...bidi import in_running_text, isolate_html
from ...errors import PublishingError
from ...languages import counter_style, direction, script
from ...linebreaks import keep_korean_words_whole
from ...links import Links
from ...resources import allowed_roots, font_face_css, local_path
from ...site import Site
from .fonts import refuse_stray_glyphs, warn_about_fallback_fonts
from .tagging import finisher, for_tagging, tag_notes

# variant -> (extra stylesheet in layouts/handout/, PDF variant, file-name infix)
VARIANT_SETTINGS = {
    "office": (None, "pdf/ua-1", ""),
    "large-print": ("large-print.css", "pdf/ua-1", ".large-print"),
    "print-shop": ("print-shop.css", "pdf/x-4", ".print-shop"),
}


# Images the build makes itself (the QR code) are served under this scheme from memory,
# so the fetcher never needs to write a temporary file or open anything outside the project.
GENERATED_SCHEME = "generated"


@dataclass(frozen=True)
class QrCode:
    """A QR code to the clinic's online guide, as an SVG the fetcher serves from memory."""

    target: str
    svg: bytes
    name: str = "qr-code.svg"

    @property
    def url(self) -> str:
        return f"{GENERATED_SCHEME}:{self.name}"


def qr_code(settings, slug: str, edition: str = "", cmyk: bool = False) -> QrCode | None:
    """The QR code to the article online; none when the clinic has given no address (never an invented URL).
    ``cmyk``: for a press, in 100 % K on unprinted paper instead of sRGB black on white."""
    target = settings.article_web_address(slug, edition)
    if not target:
        return None
    import segno

    # Level M survives a smudge or a fold; pure black on white prints on any office printer.
    code = segno.make(target, error="m", micro=False, boost_error=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", border=4, omitsize=True, xmldecl=False, dark="#000", light="#fff")
    svg = buffer.getvalue()
    if cmyk:
        from .press_colour import qr_svg_in_cmyk

        svg = qr_svg_in_cmyk(svg)
    return QrCode(target=target, svg=svg)


def render_pdf(article: Article, site: Site, target: Path, variant: str, qr_place: str = "title") -> None:
    """Lay the article out with WeasyPrint and write the PDF of one variant to ``target``; the QR code
    (when the clinic has a web address) in the title band, or with ``qr_place="end"`` beside the
    address in the end matter."""
    weasyprint = _weasyprint()
    layouts = site.folders.layouts
    qr = qr_code(site.settings, article.slug, article.edition, cmyk=variant == "print-shop")
    html = site.render(
        "handout/handout.html",
        page_label=page_label_css(site),
        article=article,
        settings=site.settings,
        blocks=site.blocks,
        variant=variant,
        qr_code=qr,
        qr_place=qr_place,
        body_html=for_tagging(Links(site, article).resolve_html(article.body_html)),
        date=article.date.strftime("%Y-%m-%dT%H:%M:%SZ") if article.date else "",
    )
    html = unbroken_phone(html, site.settings)
    if direction(site.language) == "rtl":
        html = isolate_html(html, joiners=False)  # numbers and addresses left to right in Farsi and Arabic text
    elif script(site.tag) == "Kore":
        html = keep_korean_words_whole(html)  # lines break between Korean words, never inside one
    ProjectFetcher, Refused = _fetcher_types()
    generated = {qr.url: (qr.svg, "image/svg+xml")} if qr else {}
    fetcher = ProjectFetcher(allowed_roots(site.folders.sources, layouts), generated)
    pdf_variant = VARIANT_SETTINGS[variant][1]
    fonts, profiles, stylesheets = _site_stylesheets(site, variant)
    try:
        options = {"stylesheets": stylesheets, "pdf_variant": pdf_variant, "pdf_tags": True}
        document = weasyprint.HTML(
            string=html, base_url=article.source.parent.as_uri() + "/", url_fetcher=fetcher
        ).render(font_config=fonts, color_profiles=profiles, **options)
        if pdf_variant.startswith("pdf/x"):
            _stable_document_id(document, f"{article.slug}{VARIANT_SETTINGS[variant][2]}:{html}")
        document.write_pdf(target, finisher=functools.partial(_finish, words=site.words), **options)
    except Refused as refused:
        raise PublishingError(article.source, refused.error.message, hint=refused.error.hint) from None
    refuse_stray_glyphs(target, site.tag, article.source)
    warn_about_fallback_fonts(
        {font.name.decode().lstrip("/").split("+")[-1] for font in document.fonts.values()}, html, site.tag
    )


def _finish(document, pdf, words) -> None:
    """WeasyPrint's PDF finished in memory before it is written: the tag tree, then the colour
    profiles' streams (the print shop's output intent) compressed once per process."""
    from .press_colour import profiles_compressed_once

    finisher(document, pdf, words)
    profiles_compressed_once(pdf)


def unbroken_phone(html: str, settings) -> str:
    """The clinic's phone number held on one line wherever the page shows it (a span the stylesheet
    sets nowrap): "(310) / 280-4440" split across lines is misdialled, in the crisis card as in the
    article, and a Korean or Chinese line breaks wherever it likes. Only running text is touched, never
    an attribute, the head or a style, nor a number already held."""
    from markupsafe import escape

    phone = str(escape(settings.clinic_phone))
    if not phone.strip():
        return html
    held = '<span class="phone">'

    def in_text(match: re.Match) -> str:
        opened = match.string[match.string.rfind("<", 0, match.start() + 1) : match.start() + 1]
        # A link's own text is left as it is: the stylesheet keeps a tel: link on one line, and a span
        # inside it would take the link's annotation out of its Link tag (PDF/UA).
        if opened == held or re.match(r"<a[\s>]", opened):
            return match[0]
        return ">" + match[1].replace(phone, f"{held}{phone}</span>")

    return in_running_text(html, in_text)


# Stand-ins for the page numbers in the footer's message: the CSS counters take their place.
_PAGE, _PAGES = "\x00page\x00", "\x00pages\x00"


def page_label_css(site: Site) -> str:
    """The footer's "Page 1 of 3" in the site's language, as a CSS value of strings and counters:
    "Page " counter(page) " of " counter(pages)."""
    label = site._("Page %(page)s of %(pages)s", page=_PAGE, pages=_PAGES)
    style = counter_style(site.language)  # the language's digits, as its dates have them: ۳ in Farsi
    counter = (lambda name: f"counter({name})") if style == "decimal" else (lambda name: f"counter({name}, {style})")
    parts = []
    for part in re.split("(\x00pages?\x00)", label):
        if part == _PAGE:
            parts.append(counter("page"))
        elif part == _PAGES:
            parts.append(counter("pages"))
        elif part:
            parts.append(_css_string(part))
    return " ".join(parts)


def _css_string(text: str) -> str:
    """A CSS string that cannot end the <style> element or the declaration it stands in."""
    escaped = "".join(ch if ch.isalnum() or ch in " .,:;!?()'-" or ord(ch) > 127 else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'


def _site_stylesheets(site: Site, variant: str):
    """(fonts, colour profiles, stylesheets) for one variant.

    Stylesheets are parsed once per process; one that declares a colour profile (the print
    shop's) is parsed for every handout, since WeasyPrint's profile object writes different
    bytes once it has been used, and the same source must give the same file."""
    layouts = site.folders.layouts
    sheet = VARIANT_SETTINGS[variant][0]
    css = [font_face_css(site.tag), (layouts / "handout/handout.css").read_text(encoding="utf-8")]
    # A language's own rules (Vietnamese set in its designated font throughout), when the layouts have them.
    if (own := layouts / "handout" / f"lang-{site.language}.css").is_file():
        css.append(own.read_text(encoding="utf-8"))
    extra = (layouts / "handout" / sheet).read_text(encoding="utf-8") if sheet else ""
    if extra and "@color-profile" not in extra:
        css.append(extra)
        extra = ""
    if site.settings.paper_size != "letter":
        css.append(f"@page {{ size: {site.settings.page_size}; }}")
    roots = allowed_roots(site.folders.sources, layouts)
    fonts, sheets = _stylesheets(tuple(css), layouts, roots)
    profiles: dict = {}  # filled by @color-profile rules (the print shop's CMYK output intent)
    if extra:
        sheets = [*sheets, _stylesheet(extra, layouts, roots, fonts, profiles)]
    return fonts, profiles, sheets


@functools.lru_cache(maxsize=8)
def _stylesheets(css: tuple[str, ...], layouts: Path, roots: tuple[Path, ...]):
    """Parse the stylesheets and load the fonts once per process, not once per article (~30 ms each).

    The CSS needs only the shipped fonts and layouts/, so a fetcher without the article's
    generated images serves it."""
    from weasyprint.text.fonts import FontConfiguration

    _weasyprint()
    fonts = FontConfiguration()
    return fonts, [_stylesheet(text, layouts, roots, fonts, {}) for text in css]


def _stylesheet(text: str, layouts: Path, roots: tuple[Path, ...], fonts, profiles: dict):
    ProjectFetcher, _ = _fetcher_types()
    return _weasyprint().CSS(
        string=text,
        font_config=fonts,
        color_profiles=profiles,
        url_fetcher=ProjectFetcher(roots, {}),
        base_url=(layouts / "handout").as_uri() + "/",
    )


# Release the cached font configurations while the interpreter still works: left to the final
# teardown, WeasyPrint's FontConfiguration.__del__ prints "Exception ignored" noise.
atexit.register(_stylesheets.cache_clear)


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
    tag_notes(weasyprint)
    from .press_colour import draw_crop_marks_in_registration

    draw_crop_marks_in_registration(weasyprint)
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
                    raise Refused(
                        PublishingError(
                            None,
                            f"refused to fetch '{url}': this build made no such image",
                            hint="link images by a relative path inside sources/",
                        )
                    )
                body, media_type = self.generated[url]
                return URLFetcherResponse(url, body=body, headers={"Content-Type": media_type})
            try:
                path = local_path(url, self.roots)
            except PublishingError as error:
                raise Refused(error) from None
            return URLFetcherResponse(url, body=path.read_bytes())

    return ProjectFetcher, Refused
