"""The web edition: a static page per article and edition in build/site/, the page every QR code,
"Read the guide" button and download lands on.

Addresses are stable: an article at ``<slug>/index.html``, an edition at ``<lang>/<slug>/index.html``,
its downloads (the handouts and the guide, copied from this build) beside it. No script runs, nothing is
fetched from elsewhere: the folder can be copied to any static host as it is.
"""

from __future__ import annotations

from pathlib import Path

from ..contract import Product
from .address import PAGE, folder_of
from .library import WebIndex


class Web(Product):
    name = "web"
    folder = "site"
    preview = ""
    # Its own folder, and those of the products it copies: a page states their sizes and page counts,
    # so it is built again whenever they are.
    layouts = ("web", "handout", "guide")
    reads_built = ("handout", "guide")
    suffixes = (".html",)  # its pictures and downloads lie beside each page, in the page's folder
    hosted = True
    renderers = ("jinja2", "lxml", "pypdf")

    def rendered_with(self, layouts: Path, variant: str) -> list[Path]:
        return sorted(path for path in (layouts / "web").glob("*") if path.is_file())

    def output_names(self, slug: str, variant: str) -> list[str]:
        return [folder_of(slug) + PAGE]

    def build(self, article, site, workdir: Path, variant: str) -> list[Path]:
        """The page, its pictures and its downloads, in the page's own folder."""
        from .address import page_address
        from .page import alternates, copy_downloads, faq_of, page_body, structured_data
        from .shell import render_page

        folder = folder_of(article.name)
        target = workdir / folder
        target.mkdir(parents=True)
        body_html, pictures = page_body(article, site, target)
        downloads = copy_downloads(article, site, target)
        depth = folder.count("/")
        address = page_address(site, folder)
        html = render_page(
            site,
            "web/page.html",
            depth,
            lang=article.lang,
            title=f"{article.title} | {site.settings.clinic_name}",
            description=article.description,
            article=article,
            body_html=body_html,
            downloads=downloads,
            alternates=alternates(article, site, depth),
            canonical=address or "./",
            structured_data=structured_data(article, site, address, faq_of(article.body_html)),
        )
        page = target / PAGE
        page.write_text(html, encoding="utf-8")
        return [page, *pictures, *(target / item.file_name for item in downloads)]

    def verify(self, site, files: list[Path], shown_as: Path, subject=None) -> None:
        from .verify import verify

        verify(subject, site, files, shown_as)

    def witness_pages(self, site, files: list[Path], workdir: Path):
        from .verify import witness_pages

        return witness_pages(site, files)

    def whose(self, files: list[Path], article) -> str | None:
        """The page's heading (id article-title) is the article's title."""
        import lxml.html

        page = lxml.html.document_fromstring(files[0].read_bytes())
        found = page.xpath('//h1[@id="article-title"]')
        heading = " ".join(found[0].text_content().split()) if found else ""
        expected = " ".join(article.title.split())
        return None if heading == expected else f"{files[0].name} is the page of '{heading}', not of '{expected}'"

    def library_rows(self, site):
        """Every address the products link inside the site lands on a built page; vnu on every page."""
        from .gate import address_row, vnu_row

        return [row for row in (address_row(site), vnu_row(site)) if row is not None]

    def warm_up(self, site) -> None:
        import lxml.html  # noqa: F401
        import pypdf  # noqa: F401

    def describe(self, file_name: str) -> str:
        return "Web page" if file_name.endswith(PAGE) else file_name


PRODUCTS = {"web": Web(), "web index": WebIndex()}
