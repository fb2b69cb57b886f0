"""One product of one subject: built into a private staging folder, its required blocks proven from
the files written, and only then moved into build/ (``build_product``).

Every product comes through here: each article's (build.py) and the combined guide, bound on request
(products/guide). Here, apart from build.py, so that the guide's package need not import the build
that drives the products."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import PublishingError
from .staging import Staging, collect_warnings

if TYPE_CHECKING:
    from .products import Product, Subject
    from .site import Site


@dataclass
class Outcome:
    """What happened to one product of one article."""

    source: Path
    product: str
    files: list[Path] = field(default_factory=list)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    up_to_date: bool = False  # nothing it depends on changed: not built again
    variant: str = ""  # the product's variant ("" or its default: the plain product)
    images: list[Path] = field(default_factory=list)
    articles: int = 0  # how many articles it shows (one, or a bundle's or an issue's)

    @property
    def ok(self) -> bool:
        return self.error is None


def variant_of(product: Product, asked: str | None) -> str:
    """The variant asked for (`--variant`) where the product has it, else its default."""
    return asked if asked in product.variants else product.default_variant


def build_product(site: Site, product: Product, subject: Subject, variant: str | None = None) -> Outcome:
    """Build one product of ``subject`` (an article, an issue, the combined guide's bundle) in staging,
    prove its required blocks from the files written, and only then move them into build/."""
    variant = variant_of(product, variant)
    images = [image.path for article in subject.articles for image in article.images]
    outcome = Outcome(
        source=subject.source, product=product.name, images=images, variant=variant, articles=len(subject.articles)
    )
    started = time.perf_counter()
    destination = site.folders.out / product.folder
    try:
        with Staging(site) as workdir, collect_warnings() as warnings:
            _build_verify_move(site, product, subject, variant, workdir, destination, outcome)
        outcome.warnings = warnings
    except OSError as error:  # a full disk, a read-only build/: nothing half-written reached build/
        from .files import CANNOT_WRITE, cannot_write

        if error.errno not in CANNOT_WRITE:
            raise
        outcome.files, outcome.error = [], str(cannot_write(None, error, "build/"))
    outcome.seconds = time.perf_counter() - started
    return outcome


def _build_verify_move(
    site: Site, product: Product, subject: Subject, variant: str, workdir: Path, destination: Path, outcome: Outcome
) -> None:
    from .files import move_into_place
    from .site import MissingLanguage

    try:
        # In the subject's language: its required blocks, its words, its dates; never English instead.
        site = site.in_language(subject.lang or site.settings.default_lang)
        try:
            site.load_blocks()
        except MissingLanguage as missing:
            raise missing.naming(subject.source) from None
        files = product.build(subject, site, workdir, variant)
        article = subject.articles[0] if product.per_article else None  # an article's product: the article
        product.verify(site, files, destination / files[0].relative_to(workdir), article)
    except PublishingError as error:
        outcome.error = str(error)
    except Exception as error:  # a renderer that cannot lay out the layouts: a failed product, with a log
        from .failure import renderer_failure

        failed = renderer_failure(site, product, subject, variant, error)
        if failed is None:
            raise  # the pipeline's own bug keeps its traceback
        outcome.error = str(failed)
    else:
        destination.mkdir(parents=True, exist_ok=True)
        # A product may write into subfolders (the newsletter's images/): keep them.
        outcome.files = [destination / file.relative_to(workdir) for file in files]
        for file, target in zip(files, outcome.files, strict=True):
            target.parent.mkdir(parents=True, exist_ok=True)
            move_into_place(file, target)
