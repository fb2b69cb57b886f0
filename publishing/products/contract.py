"""The product contract: what every product declares and does (the registry of products is
publishing/products/__init__.py).

Here, apart from the registry, because the registry imports each product's package and every product's
package subclasses ``Product``: the two in one module would import each other."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from ..row import Row
    from ..sighting import WitnessPage
    from ..site import Site


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
    # Products whose built files it reads (the web edition copies the handout and the guide as its
    # downloads): the build makes it after every other product of the same run.
    reads_built: ClassVar[tuple[str, ...]] = ()
    # For a product of several articles: the product whose build makes it too (the web edition's index
    # pages with its article pages); "" for one made by a command of its own.
    made_with: ClassVar[str] = ""

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

    def build(self, subject: Any, site: Site, workdir: Path, variant: str) -> list[Path]:
        """Write the files into ``workdir``; raise PublishingError for a mistake in the sources."""
        raise NotImplementedError

    def verify(self, site: Site, files: list[Path], shown_as: Path, subject: Any = None) -> None:
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

    def gate_subjects(self, site: Site) -> list[tuple[str, Path | None, bool]]:
        """For a product of several articles: what `invoke check` looks for in build/, as (slug, its
        source or None, whether it must have been built)."""
        return []

    def load_subject(self, site: Site, slug: str, source: Path | None) -> Any:
        """For a product made with another (``made_with``): one of its ``gate_subjects``, loaded, or the
        PublishingError that stops it."""
        raise NotImplementedError

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

    def subject_language(self, slug: str, source: Path | None) -> str | None:
        """For a product of several articles: the language tag its subject declares (None: the
        default language), read from the subject itself, never guessed from a file name."""
        return None

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
