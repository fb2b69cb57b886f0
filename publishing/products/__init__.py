"""The product contract, and the registry of products.

A product turns an article (or several, for the combined guide) into files. It declares who
it is at the top, as Sphinx builders declare ``name`` and ``format``, and the build drives
every product the same way (build.py): ``build`` writes into a private staging folder,
``verify`` proves from the written files that both required blocks are there and visible,
and only then are the files moved into ``build/<folder>/``. Nothing outside a product's
own package asks which product it is: callers read what the product declares.

To add a product: a package here with a ``Product`` subclass, its name in ``_MODULES``,
its layouts in ``layouts/<name>/``, its tests in ``tests/``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
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

    def subject_language(self, slug: str, source: Path | None) -> str | None:
        """For a product of several articles: the language tag its subject declares (None: the
        default language), read from the subject itself, never guessed from a file name."""
        return None

    def source_rows(self, source: Path, site: Site) -> list[Row]:
        """For a product of several articles with a source of its own: the gate's checks of it."""
        return []

    def warm_up(self, site: Site) -> None:
        """Import, before worker processes are forked, what building needs."""

    def describe(self, file_name: str) -> str:
        """What a person calls one of its files (the preview's link text)."""
        return self.name


# Product name -> its package, imported on first use: a build with nothing to do never needs one.
_MODULES = {
    "handout": "handout",
    "guide": "guide",
    "newsletter": "newsletter",
    "combined guide": "guide",
    "newsletter issue": "newsletter",
}


class _Registry(Mapping[str, Product]):
    def __init__(self, names: tuple[str, ...]):
        self.names = names
        self._products: dict[str, Product] = {}

    def __getitem__(self, name: str) -> Product:
        if name not in self.names:
            raise KeyError(name)
        if name not in self._products:
            module = importlib.import_module(f"{__package__}.{_MODULES[name]}")
            self._products[name] = module.PRODUCTS[name]
        return self._products[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


# What `invoke build` makes for every article, in this order.
PRODUCTS: Mapping[str, Product] = _Registry(("handout", "guide", "newsletter"))
# Everything the pipeline makes, those of several articles included.
ALL_PRODUCTS: Mapping[str, Product] = _Registry(tuple(_MODULES))
