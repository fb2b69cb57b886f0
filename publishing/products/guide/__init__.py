"""The EPUB 3 patient guide (ebooklib): one per article, and the combined guide that binds several.

Clean under EPUBCheck (not even a usage message) and Ace by DAISY, the same bytes from the
same source, and accessibility metadata derived from what the book holds.
"""

from __future__ import annotations

from pathlib import Path

from ... import proof
from ...errors import RequiredBlockFailure
from ..contract import Named, Product
from .bundle import COMBINED_SLUG

SUFFIX = ".epub"
STYLESHEET = "guide/guide.css"  # in layouts/; the book carries it as style.css


class Guide(Product):
    name = "guide"
    folder = "guides"
    layouts = ("guide",)
    renderers = ("jinja2", "ebooklib", "lxml", "PIL")
    suffixes = (SUFFIX,)

    def output_names(self, slug: str, variant: str) -> list[str]:
        return [f"{slug}{SUFFIX}"]

    def build(self, article, site, workdir: Path, variant: str) -> list[Path]:
        from .book import Book, Chapter, epub_bytes, identifier

        book = Book(
            identifier=identifier(article.name),
            title=article.title,
            subtitle=site._("A guide for patients"),
            description=article.description,
            lang=article.lang,
            chapters=(Chapter(article, "article.xhtml"),),
        )
        target = workdir / self.output_names(article.name, variant)[0]
        target.write_bytes(epub_bytes(book, site))
        return [target]

    def verify(self, site, files: list[Path], shown_as: Path, subject=None) -> None:
        """A reading system opens the book on the crisis information and ends it with the disclaimer,
        both visible."""
        from ...proof.cascade import cached_stylesheet
        from ...proof.epub import Epub

        blocks = site.blocks
        source_css = cached_stylesheet(
            (site.folders.layouts / STYLESHEET).read_text(encoding="utf-8"), f"layouts/{STYLESHEET}"
        )
        with Epub(files[0], product=self.name, shown_as=shown_as, rebuild=self.rebuild_command("")) as book:
            readable = [name for name, linear in book.spine if linear and name != "cover.xhtml"]
            first, last = readable[0], readable[-1]
            for name, block, which in ((first, blocks.crisis, "first"), (last, blocks.disclaimer, "last")):
                _, visibility = book.visibility(name, {"style.css": source_css.origin}, [source_css])
                proof.require_in_markup(
                    visibility,
                    block,
                    product=self.name,
                    where=f"the {which} document ({name})",
                    shown_as=shown_as,
                    lines=proof.card_lines(site, block),
                )
            # Reading systems open a book at its start-of-reading landmark: there, the crisis information.
            for what, start in (
                ("start-of-reading landmark (bodymatter)", book.landmark("bodymatter")),
                ("EPUB 2 guide's 'text' reference", book.guide.get("text", first)),
            ):
                if start != first:
                    raise RequiredBlockFailure(
                        shown_as,
                        f"{self.name}: the {what} opens the book on {start or 'nothing'}, after the "
                        f"{blocks.crisis.name} ({first})",
                        hint="point it at the crisis page, so a reader app that opens books there shows it first",
                    )

    def witness_pages(self, site, files: list[Path], workdir: Path):
        """Chromium renders the documents that hold a block, unpacked, on a phone's page, light and dark."""
        import zipfile

        from ...proof.epub import READING_WIDTH, Epub
        from ...sighting import Sighting, WitnessPage

        with Epub(files[0], product=self.name, shown_as=files[0], rebuild=self.rebuild_command("")) as book:
            readable = [name for name, linear in book.spine if linear and name != "cover.xhtml"]
            base = book.base
        with zipfile.ZipFile(files[0]) as archive:
            for member in archive.namelist():
                if member.startswith(("/", "\\")) or ".." in member.split("/"):
                    continue  # never written outside the folder
                archive.extract(member, workdir)
        folder = workdir / base if base else workdir
        pages = []
        for name, block in ((readable[0], site.blocks.crisis), (readable[-1], site.blocks.disclaimer)):
            sighting = Sighting(block.id, block.name, proof.card_lines(site, block))
            pages.append(WitnessPage("browser", folder / name, name, (sighting,), widths=(int(READING_WIDTH),)))
        return pages

    def warm_up(self, site) -> None:
        """Import ebooklib, lxml and Pillow before worker processes are forked."""
        import ebooklib.epub  # noqa: F401
        import lxml.html  # noqa: F401
        from PIL import Image, ImageDraw, ImageFont  # noqa: F401

    def describe(self, file_name: str) -> str:
        return "EPUB guide"

    def whose(self, files: list[Path], article) -> str | None:
        """The package carries the identifier made from the article's name."""
        import re
        import zipfile

        from .book import identifier

        with zipfile.ZipFile(files[0]) as book:
            package = next((name for name in book.namelist() if name.endswith(".opf")), None)
            if package is None:
                return f"{files[0].name} has no package document"
            opf = book.read(package).decode("utf-8", "replace")
        found = re.search(r"<dc:identifier[^>]*>([^<]*)</dc:identifier>", opf)
        expected = identifier(article.name)
        if not found or found.group(1).strip() != expected:
            return f"{files[0].name} is identified as {found.group(1).strip() if found else 'nothing'}, not {expected}"
        return None

    def epubcheck_files(self, files: list[Path]) -> list[Path]:
        """The book: an EPUB a reading system or a store would refuse is no guide, whatever it holds."""
        return files[:1]


class CombinedGuide(Guide):
    """Every article (or those named) bound into one book: `invoke guide --bundle`."""

    name = "combined guide"
    per_article = False
    # A name no article may take: the book's file is named by it (catalogue.py refuses it).
    reserved = {COMBINED_SLUG: "the combined guide's name (build/guides/patient-guide.epub)"}

    def build(self, bundle, site, workdir: Path, variant: str) -> list[Path]:
        from .book import Book, Chapter, epub_bytes, grouped, identifier

        articles = grouped(list(bundle.articles))
        clinic = site.settings.clinic_name
        titles = "; ".join(article.title for article in articles)
        book = Book(
            identifier=identifier("bundle:" + self.output_names(bundle.name, variant)[0]),  # no slug has a colon
            title=site._("%(clinic)s Patient Guide", clinic=clinic),
            subtitle=site.words.ngettext("%(num)s article for patients", "%(num)s articles for patients", len(articles))
            if len(articles) > 1
            else site._("A guide for patients"),
            description=site._(
                "Patient education from %(clinic)s, in one book: %(titles)s", clinic=clinic, titles=titles
            ),
            lang=bundle.lang or site.settings.default_lang,
            # Slugs hold no "--", so "<slug>--<id>" can never equal another chapter's id.
            chapters=tuple(
                Chapter(article, f"chapter-{article.slug}.xhtml", f"{article.slug}--") for article in articles
            ),
        )
        target = workdir / self.output_names(bundle.name, variant)[0]
        target.write_bytes(epub_bytes(book, site))
        return [target]

    def rebuild_command(self, variant: str) -> str:
        return "invoke guide --bundle"

    def recorded_as(self, site, slug: str, source: Path | None, variant: str) -> tuple[Path, str]:
        """Under the folder of articles it binds, one record per language's book."""
        return site.folders.sources, f"{self.state_key(variant)}:{slug}"

    def made_of(self, site, slug: str, source: Path | None, entry: dict) -> list[Path]:
        """Bound from every article: every article of its language now, a new one included; bound from
        those named (--articles): the same ones."""
        if not entry.get("every"):
            return super().made_of(site, slug, source, entry)
        edition = slug.partition(".")[2]
        found = site.catalogue
        return [path for path in found.accepted if found.editions.get(path, "") == edition]

    def update_command(self, entry: dict) -> str:
        asked = entry.get("articles") or []
        return "invoke guide --bundle" + (f" --articles {','.join(asked)}" if asked and not entry.get("every") else "")

    def subjects(self, site) -> list[Named]:
        """One book per language of the library, made on request: checked when it was made."""
        editions = sorted(set(site.catalogue.editions.values()))
        return [
            Named(COMBINED_SLUG, None, required=False),
            *(Named(f"{COMBINED_SLUG}.{edition}", None, edition, required=False) for edition in editions),
        ]

    def on_request(self, site, asked: list[str]):
        """`invoke guide --bundle [--articles a,b]`: one book per language of the articles asked for
        (none: every article), each with its translations; nothing is built while any is missing or
        does not load."""
        from .bundle import build_bundle, bundle_articles, by_edition

        chosen, errors = bundle_articles(site, asked or None)
        if errors:
            return [], errors
        return [
            build_bundle(site, self, bound, edition, asked=asked) for edition, bound in by_edition(chosen).items()
        ], []

    def describe(self, file_name: str) -> str:
        return "Combined patient guide"


PRODUCTS = {"guide": Guide(), "combined guide": CombinedGuide()}
