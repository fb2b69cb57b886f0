"""The product contract: what every product declares and does (the registry of products is
publishing/products/__init__.py).

Here, apart from the registry, because the registry imports each product's package and every product's
package subclasses ``Product``: the two in one module would import each other.

A product names its own subjects (``subjects``), as Pelican's generators find their own content: the
build and the gate ask each product what it is made from, never which product it is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol

if TYPE_CHECKING:
    from ..article import Article
    from ..errors import PublishingError
    from ..product_build import Outcome
    from ..row import Row
    from ..sighting import WitnessPage
    from ..site import Site


class Subject(Protocol):
    """What one product is built from, loaded: an article (or one of its editions), a combined guide's
    bundle of articles, a newsletter issue."""

    @property
    def name(self) -> str:
        """What its files are named by: "sleep", "sleep.es", "patient-guide", "2026-12"."""
        ...

    @property
    def source(self) -> Path:
        """What the build reports it by: its own file, or the folder of the articles it binds."""
        ...

    @property
    def lang(self) -> str:
        """The language it is written in ("": the default language)."""
        ...

    @property
    def articles(self) -> Sequence[Article]:
        """The articles it shows (an article: itself), whose pictures it carries."""
        ...


@dataclass(frozen=True)
class Named:
    """A subject as its product names it, before anything is loaded: what the build decides is out of
    date and the gate looks for in build/."""

    name: str  # what its files are named by
    source: Path | None  # its own source (an article's, an issue's); None: bound from several
    lang: str = ""  # the language it declares ("": the default), read from the subject, never its file name
    required: bool = True  # `invoke check` fails when build/ lacks it (False: made on request only)


class Product:
    """What every product declares and does. Subclasses set the class attributes and implement
    ``output_names``, ``build`` and ``verify``."""

    name: ClassVar[str]  # as staff say it: "handout"; also --only's word
    folder: ClassVar[str]  # under build/: "handouts"
    variants: ClassVar[tuple[str, ...]] = ("standard",)  # the first is what a plain build makes
    needs_weasyprint: ClassVar[bool] = False  # decides which worker processes may build it
    layouts: ClassVar[tuple[str, ...]] = ()  # folders of layouts/ it reads, besides _partials/
    per_article: ClassVar[bool] = True  # False: made from several articles, on request
    # How the preview shows it besides a link: "picture" (its first page as the card's picture),
    # "frame" (the page itself at desktop and phone width), or "" (the link only).
    preview: ClassVar[str] = ""
    # The libraries that lay it out, as top-level packages: an exception one of them raises while the
    # product is built or proven is a failed product naming its layouts, with the traceback in a log
    # (publishing/failure.py). Every product renders Jinja templates.
    renderers: ClassVar[tuple[str, ...]] = ("jinja2",)
    # The endings of the files it writes (the gate names any other file in its folder as no product).
    suffixes: ClassVar[tuple[str, ...]] = ()
    # For a product of several articles: the product whose build makes it too (the newsletter issues
    # with the newsletters); "" for one made only on request by its own command (the combined guide).
    made_with: ClassVar[str] = ""
    # Names no article may take as its slug, and why: the product's own files are named by them.
    reserved: ClassVar[dict[str, str]] = {}
    # Products whose built files it reads (the web edition copies the handout and the guide as its
    # downloads): the build makes it after every other product of the same run.
    reads_built: ClassVar[tuple[str, ...]] = ()
    # A folder a static host serves as it is (the web edition): the preview serves it at /<folder>/.
    hosted: ClassVar[bool] = False

    @property
    def default_variant(self) -> str:
        return self.variants[0]

    def state_key(self, variant: str) -> str:
        """How the build state and the preview know one variant of this product."""
        return self.name if variant == self.default_variant else f"{self.name}:{variant}"

    def label(self, variant: str) -> str:
        """How the gate's table names one variant of this product."""
        return self.name if variant == self.default_variant else f"{self.name} ({variant})"

    def rebuild_command(self, variant: str) -> str:
        if variant == self.default_variant:
            return f"invoke build --only {self.name} --force"
        return f"invoke {self.name} --variant {variant} --force"

    def rendered_with(self, layouts: Path, variant: str) -> list[Path]:
        """The layout files one variant is rendered with, what a renderer's failure names: by default
        the files of its layout folders (not their subfolders: colour profiles, fonts)."""
        return sorted(path for folder in self.layouts for path in (layouts / folder).glob("*") if path.is_file())

    def output_names(self, slug: str, variant: str) -> list[str]:
        """The files one variant writes for the subject named ``slug``; the first is the one people open."""
        raise NotImplementedError

    def subjects(self, site: Site) -> list[Named]:
        """What it is made from, in reading order. A product of every article: each accepted article and
        edition of the catalogue (catalogue.py); a product of several overrides it."""
        found = site.catalogue
        return [Named(found.name(source), source, found.editions.get(source, "")) for source in found.accepted]

    def load(self, site: Site, subjects: list[Named]) -> list[Subject | PublishingError]:
        """Each subject loaded, or the mistake that stops it (every mistake of it, at its line). The
        products of every article share one loading (catalogue.py), so the build loads each once."""
        from ..catalogue import load_article_of

        loaded: list[Subject | PublishingError] = []
        for named in subjects:
            assert named.source is not None, "a product of several articles loads its own subjects"
            loaded.append(load_article_of(site, named.source))
        return loaded

    def on_request(self, site: Site, asked: list[str]) -> tuple[list[Outcome], list[PublishingError]]:
        """For a product made only by its own command: build it of the articles ``asked`` for (none: every
        one); the outcomes, or the mistakes that stopped it (then nothing is built)."""
        raise NotImplementedError

    def build(self, subject: Subject, site: Site, workdir: Path, variant: str) -> list[Path]:
        """Write the files into ``workdir``; raise PublishingError for a mistake in the sources."""
        raise NotImplementedError

    def verify(self, site: Site, files: list[Path], shown_as: Path, subject: Article | None = None) -> None:
        """Prove from the files that both required blocks are there, in place and visible; raise
        RequiredBlockFailure when not. ``subject`` (the article) is given when known: the proof
        then also checks the blocks come before its text."""
        raise NotImplementedError

    def witness_pages(self, site: Site, files: list[Path], workdir: Path) -> list[WitnessPage]:
        """What the gate's witness renders to see the required blocks (publishing/sighting.py): the
        product's documents, the blocks on each, at which widths and colour schemes. ``workdir`` is a
        private folder for files the renderer must open (an EPUB's documents, unpacked)."""
        return []

    def gate_rows(self, slug: str, label: str, files: list[Path]) -> list[Row]:
        """The product's own checks for `invoke check`, beyond the required blocks."""
        return []

    def variant_named(self, file_name: str) -> str:
        """Which variant wrote the file ``file_name`` (what a message about that file tells to rebuild)."""
        return self.default_variant

    def whose(self, files: list[Path], article: Article) -> str | None:
        """For a product of one article: None when its files name ``article`` (its title, identifier or
        subject), else what they name instead; read from the files (the gate's "is this article's")."""
        return f"{files[0].name} is a kind of product the identity check cannot judge"  # fail closed

    def epubcheck_files(self, files: list[Path]) -> list[Path]:
        """Which of its files the gate gives EPUBCheck (once their required blocks were proven)."""
        return []

    def printable(self, character: str) -> bool:
        """Whether its files can show ``character`` (an emoji a source names by its shortcode): a product
        with a font of its own says so; others leave it to the reader's."""
        return True

    def thumbnail(self, path: Path) -> bytes:
        """For a product previewed as a picture: a PNG of its first page; ValueError for a file that
        cannot be drawn."""
        raise ValueError("it has no picture")

    def content_type(self, file_name: str) -> str | None:
        """How the preview serves one of its files, when not as its name's usual type."""
        return None

    def recorded_as(self, site: Site, slug: str, source: Path | None, variant: str) -> tuple[Path, str]:
        """For a product of several articles: where the build state keeps the record of what it was made
        of, as (the source it is kept under, its key). An issue's is kept under its own file."""
        assert source is not None, "a product without a source of its own says where its record is"
        return source, self.state_key(variant)

    def made_of(self, site: Site, slug: str, source: Path | None, entry: dict) -> list[Path]:
        """For a product of several articles: the files it would be made of now, which the gate compares
        with those its last build read (``entry``: that build's record; by default, the same files)."""
        import os

        return [Path(os.path.normpath(site.folders.out / name)) for name in entry.get("reads", [])]

    def update_command(self, entry: dict) -> str:
        """What brings it up to date when its inputs changed (``entry``: its last build's record)."""
        return "invoke build"

    def source_rows(self, source: Path, site: Site) -> list[Row]:
        """For a product of several articles with a source of its own: the gate's checks of it."""
        return []

    def library_rows(self, site: Site) -> list[Row]:
        """The product's checks of the library as a whole for `invoke check` (the web edition: the
        addresses the other products link land on its pages; its validator on every page)."""
        return []

    def warm_up(self, site: Site) -> None:
        """Import, before worker processes are forked, what building needs."""

    def describe(self, file_name: str) -> str:
        """What a person calls one of its files (the preview's link text)."""
        return self.name
