"""The print-ready PDF handout (WeasyPrint): Letter, tagged PDF/UA-1, fonts embedded."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

from . import required
from .article import Article
from .errors import PublishingError
from .resources import allowed_roots, font_face_css, local_path
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


def output_names(article: Article, variant: str = "office") -> list[str]:
    return [f"{article.slug}{VARIANTS[variant][2]}{SUFFIX}"]


def build(article: Article, site: Site, workdir: Path, variant: str = "office") -> list[Path]:
    """Render the handout into ``workdir``; return the file written."""
    weasyprint = _weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    layouts = site.project.layouts
    html = render(layouts, "handout/handout.html", article=article, settings=site.settings,
                  blocks=site.blocks, variant=variant, qr_code=None,
                  date=article.date.strftime("%Y-%m-%dT%H:%M:%SZ") if article.date else "")
    ProjectFetcher, Refused = _fetcher_types()
    fetcher = ProjectFetcher(allowed_roots(site.project.sources, layouts))
    fonts = FontConfiguration()
    sheet, pdf_variant, _ = VARIANTS[variant]
    css = [font_face_css(), (layouts / "handout/handout.css").read_text(encoding="utf-8")]
    if sheet:
        css.append((layouts / "handout" / sheet).read_text(encoding="utf-8"))
    if site.settings.paper_size != "letter":
        css.append(f"@page {{ size: {site.settings.page_size}; }}")
    stylesheets = [weasyprint.CSS(string=text, font_config=fonts, url_fetcher=fetcher,
                                  base_url=(layouts / "handout").as_uri() + "/") for text in css]
    target = workdir / output_names(article, variant)[0]
    try:
        document = weasyprint.HTML(string=html, base_url=article.source.parent.as_uri() + "/",
                                   url_fetcher=fetcher)
        document.write_pdf(target, stylesheets=stylesheets, font_config=fonts,
                           pdf_variant=pdf_variant, pdf_tags=True)
    except Refused as refused:
        raise PublishingError(article.source, refused.error.message, hint=refused.error.hint) from None
    return [target]


def verify(article: Article, site: Site, files: list[Path], shown_as: Path) -> None:
    """Prove both required blocks are in the PDF: the crisis on page 1, the disclaimer on the last."""
    pages = page_texts(files[0])
    required.require(NAME, "page 1", pages[0], site.blocks.crisis, shown_as)
    required.require(NAME, f"the last page (page {len(pages)})", pages[-1], site.blocks.disclaimer, shown_as)


def page_texts(pdf: Path) -> list[str]:
    """The text of each page, extracted from the PDF itself."""
    from pypdf import PdfReader
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    return [page.extract_text() or "" for page in PdfReader(pdf).pages]


def _weasyprint():
    import weasyprint
    return weasyprint


@functools.cache
def _fetcher_types():
    """WeasyPrint's fetcher types, built on first use so importing this module stays cheap."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class Refused(FatalURLFetchingError):
        """Stops the rendering: WeasyPrint turns ordinary fetch errors into mere warnings."""

        def __init__(self, error: PublishingError):
            super().__init__(str(error))
            self.error = error

    class ProjectFetcher(URLFetcher):
        """Serve only files inside sources/, layouts/ and the shipped fonts; never the network."""

        def __init__(self, roots):
            super().__init__(allowed_protocols={"file"}, fail_on_errors=True)
            self.roots = roots

        def fetch(self, url, headers=None):
            try:
                path = local_path(url, self.roots)
            except PublishingError as error:
                raise Refused(error) from None
            return URLFetcherResponse(url, body=path.read_bytes())

    return ProjectFetcher, Refused
