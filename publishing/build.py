"""Discover articles, build each product into a staging folder, verify it, then move it into place.

A product reaches build/ only after the required blocks were found in the built
file itself; a failed or interrupted build leaves the previous products intact
(Pelican's way: isolate articles, record failures, exit non-zero at the end).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from . import guide, handout, newsletter
from .article import Article, load_article
from .errors import PublishingError
from .site import Site

PRODUCTS: dict[str, ModuleType] = {module.NAME: module for module in (handout, guide, newsletter)}


@dataclass
class Outcome:
    """What happened to one product of one article."""

    source: Path
    product: str
    files: list[Path] = field(default_factory=list)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


def discover(sources: Path) -> list[Path]:
    """Every article in ``sources``: Markdown files not starting with '_' (those are partial sources)."""
    if not sources.is_dir():
        raise PublishingError(sources, "the sources folder does not exist",
                              hint="create it, or pass --sources with the folder that holds the articles")
    return sorted(p for p in sources.glob("*.md") if not p.name.startswith(("_", ".")))


def parse_only(only: str | None) -> list[str]:
    """'handout,guide' -> ['handout', 'guide'], in registry order; empty means every product."""
    if not only:
        return list(PRODUCTS)
    wanted = [name.strip() for name in only.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in PRODUCTS]
    if unknown:
        raise PublishingError(None, f"unknown product '{unknown[0]}'",
                              hint=f"choose from {', '.join(PRODUCTS)}")
    return [name for name in PRODUCTS if name in wanted]


def build_all(site: Site, products: list[str], *, variant: str = "office",
              on_outcome=lambda outcome: None) -> list[Outcome]:
    """Build ``products`` for every article; one article's mistake never stops the others."""
    outcomes: list[Outcome] = []
    for source in discover(site.project.sources):
        for outcome in build_article(site, source, products, variant=variant):
            on_outcome(outcome)
            outcomes.append(outcome)
    return outcomes


def build_article(site: Site, source: Path, products: list[str], *, variant: str = "office") -> list[Outcome]:
    try:
        article = load_article(source, site.settings, site.project.sources)
    except PublishingError as error:
        return [Outcome(source=source, product=name, error=str(error)) for name in products]
    return [build_product(site, article, name, variant=variant) for name in products]


def build_product(site: Site, article: Article, name: str, *, variant: str = "office") -> Outcome:
    module = PRODUCTS[name]
    outcome = Outcome(source=article.source, product=name)
    started = time.perf_counter()
    destination = site.project.out / module.FOLDER
    options = {"variant": variant} if name == "handout" else {}
    with _staging(site) as workdir, _collect_warnings() as warnings:
        try:
            files = module.build(article, site, workdir, **options)
            module.verify(article, site, files, destination / files[0].name)
        except PublishingError as error:
            outcome.error = str(error)
        else:
            destination.mkdir(parents=True, exist_ok=True)
            for file in files:
                os.replace(file, destination / file.name)
            outcome.files = [destination / file.name for file in files]
    outcome.warnings = warnings
    outcome.seconds = time.perf_counter() - started
    return outcome


class _staging:
    """A private folder beside build/ (same file system, so the final move is an atomic rename)."""

    def __init__(self, site: Site):
        self.root = site.project.out.parent / ".build-tmp"

    def __enter__(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(dir=self.root))
        return self.path

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        try:
            self.root.rmdir()
        except OSError:
            pass  # another build is using it, or it holds a killed build's leftovers


class _collect_warnings(logging.Handler):
    """Record what WeasyPrint (and friends) warn about, to show it with the product."""

    LOGGERS = ("weasyprint",)

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def __enter__(self) -> list[str]:
        for name in self.LOGGERS:
            logger = logging.getLogger(name)
            logger.addHandler(self)
            logger.propagate = False
        return self.messages

    def __exit__(self, *exc) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).removeHandler(self)
