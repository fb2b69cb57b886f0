"""The EPUB 3 patient guide (ebooklib): one per article, and the combined guide that binds several.

Clean under EPUBCheck (not even a usage message) and Ace by DAISY, the same bytes from the
same source, and accessibility metadata derived from what the book holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ... import proof
from ...errors import PublishingError, RequiredBlockFailure
from ..contract import Product

SUFFIX = ".epub"
COMBINED_SLUG = "patient-guide"
STYLESHEET = "guide/guide.css"  # in layouts/; the book carries it as style.css


@dataclass(frozen=True)
class Bundle:
    """The articles the combined guide binds, in reading order."""

    articles: tuple
    source: Path  # the folder they came from: what the build reports the bundle by
    slug: str = COMBINED_SLUG
    edition: str = ""  # a translation's language: the combined guide of that language's editions
    lang: str = ""  # the language tag the book declares (an article's)

    @property
    def name(self) -> str:
        return f"{self.slug}.{self.edition}" if self.edition else self.slug


class Guide(Product):
    name = "guide"
    folder = "guides"
    layouts = ("guide",)
    renderers = ("jinja2", "ebooklib", "lxml", "PIL")

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
        with Epub(files[0], product=self.name, shown_as=shown_as) as book:
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

        with Epub(files[0], product=self.name, shown_as=files[0]) as book:
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


class CombinedGuide(Guide):
    """Every article (or those named) bound into one book: `invoke guide --bundle`."""

    name = "combined guide"
    per_article = False

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

    def gate_subjects(self, site) -> list[tuple[str, Path | None, bool]]:
        """Made on request: checked when it was made."""
        editions = sorted(set(site.catalogue.editions.values()))
        return [(COMBINED_SLUG, None, False), *((f"{COMBINED_SLUG}.{edition}", None, False) for edition in editions)]

    def subject_language(self, slug: str, source: Path | None) -> str | None:
        """patient-guide.es is the Spanish editions' book: the name this product gave it."""
        return slug.partition(".")[2] or None

    def describe(self, file_name: str) -> str:
        return "Combined patient guide"


def bundle_articles(site, slugs: list[str] | None) -> tuple[list, list[PublishingError]]:
    """The articles to bind, in the order asked for (default: every article, as discovered), each with
    its translations (every language gets its own combined guide), and every mistake found on the way,
    so one run reports them all."""
    from ...catalogue import load_articles

    articles, load_errors = load_articles(site)
    if not slugs:
        return articles, load_errors
    by_slug: dict[str, list] = {}
    for article in articles:
        by_slug.setdefault(article.slug, []).append(article)
    wanted = list(dict.fromkeys(slugs))
    missing = [slug for slug in wanted if slug not in by_slug]
    errors = list(load_errors)
    if missing:
        # A listed article may be one that failed to load: show why, beside what is missing.
        failed = {error.path.stem for error in load_errors if error.path is not None}
        errors += [
            PublishingError(
                site.folders.sources,
                f"no article with the slug '{slug}'",
                hint=f"choose from {', '.join(sorted(by_slug)) or '(none)'}",
            )
            for slug in missing
            if slug not in failed
        ]
    return [article for slug in wanted for article in by_slug.get(slug, [])], errors


def by_edition(articles: list) -> dict[str, list]:
    """The articles of each language's combined guide: "" for the default language, "es" for Spanish."""
    groups: dict[str, list] = {}
    for article in articles:
        groups.setdefault(article.edition, []).append(article)
    return dict(sorted(groups.items()))


def build_bundle(site, articles: list, edition: str = "", *, asked: list[str] | None = None):
    """The combined guide of ``articles`` (all in one language), through the same staging, proof and move
    as every product; what it was made of recorded in the build state, for the gate (``asked``: the
    slugs --articles named; none: every article)."""
    from ...product_build import build_product
    from ...staging import Staging
    from ...state import BuildState, InputFingerprints

    product = PRODUCTS["combined guide"]
    bundle = Bundle(tuple(articles), site.folders.sources, edition=edition, lang=articles[0].lang if edition else "")
    try:
        outcome = build_product(site, product, bundle)
    finally:
        Staging.tidy(site)
    if outcome.ok:  # a failed one leaves the previous book in build/, and its record stands for it
        variant = product.default_variant
        reads = [article.source for article in articles]
        inputs = InputFingerprints(site).parts_of_several(product, variant, reads, outcome.images)
        state = BuildState.load(site.folders.out)
        where, key = product.recorded_as(site, bundle.name, None, variant)
        state.record(
            where, key, inputs, outcome.files, outcome.images, reads=reads, every=not asked, articles=asked or []
        )
        state.save()
    return outcome


PRODUCTS = {"guide": Guide(), "combined guide": CombinedGuide()}
