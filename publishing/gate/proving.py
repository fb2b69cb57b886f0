"""The gate's product checks, on every core: for each variant's files, the build's proof of the required
blocks, then (where it passed) the product's identity, the blocks' approval, the product's own rows and
the second witness's."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import PublishingError
from ..products import ALL_PRODUCTS
from ..row import Row
from ..site import Site
from .safety import approval_row

if TYPE_CHECKING:
    from . import _Unit

_SITE: Site | None = None  # what forked workers check against (set before they are forked)


def check_products(site: Site, units: list[_Unit], articles: list):
    """Yield (unit, (rows, proven)) as each product check finishes: in worker processes when it pays."""
    global _SITE
    _SITE = site
    tasks = [
        (
            unit.product.name if unit.product else "",
            unit.variant,
            unit.slug,
            unit.files,
            article if not isinstance(article, PublishingError) else None,
            _language_of(site, unit, article),
        )
        for unit, article in zip(units, articles, strict=True)
    ]
    jobs = min(os.cpu_count() or 1, len(units))
    if jobs <= 1:
        for unit, task in zip(units, tasks, strict=True):
            yield unit, _check_product(*task)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    site.load_blocks()
    for product in {unit.product for unit in units if unit.product}:
        product.warm_up(site)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        # What EPUBCheck reads first (the guides): quick, and each one proven goes on to EPUBCheck at once.
        order = sorted(range(len(units)), key=lambda i: not _for_epubcheck(units[i]))
        futures = {pool.submit(_check_product, *tasks[i]): units[i] for i in order}
        for future in as_completed(futures):
            yield futures[future], future.result()


def _for_epubcheck(unit: _Unit) -> bool:
    return unit.product is not None and bool(unit.product.epubcheck_files(unit.files))


def _language_of(site: Site, unit: _Unit, article) -> str:
    """The language a product is proven in: its article's, else what the product named its subject in
    (a newsletter issue's 'lang:', a combined guide's edition: Named.lang), never a guess from a file name."""
    if article is not None and not isinstance(article, PublishingError):
        return article.lang
    return unit.lang or site.settings.default_lang


def _check_product(name: str, variant: str, slug: str, files: list[Path], article, lang: str) -> tuple[list[Row], bool]:
    """The required blocks' proof on one variant's files (in the product's language: its blocks), then
    the product's own checks."""
    assert _SITE is not None
    site = _SITE.in_language(lang)
    product = ALL_PRODUCTS[name]
    label = product.label(variant)
    try:
        product.verify(site, files, files[0], article if product.per_article else None)
    except PublishingError as error:
        return [Row(slug, label, "required blocks", "fail", str(error))], False
    from .identity import identity_row
    from .witnessed import witness_row

    identity = identity_row(product, slug, label, files, article) if product.per_article else None
    return [
        Row(
            slug, label, "required blocks", "pass", "disclaimer and crisis information found in the built file, visible"
        ),
        *([identity] if identity else []),
        approval_row(site, slug, label),
        *product.gate_rows(slug, label, files),
        # The second opinion, from a real renderer in this worker (one browser per worker, kept for
        # every file it checks): only on a file the proof passed, since a refused one fails already.
        witness_row(site, product, variant, slug, files),
    ], True
