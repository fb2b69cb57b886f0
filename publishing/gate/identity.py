"""Whether a product in build/ is its own article's: another article's handout copied under this one's
name carries the other's blocks too, so the required blocks' proof passes it; its identity does not.

A check of identity only, stable across edits of the article (freshness.py says "built from these
inputs now", where the version mark belongs). Each product says how its files name their article
(``Product.whose``: the handout's title, the guide's identifier, the newsletter's subject).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..products import Product
from ..row import Row


def identity_row(product: Product, slug: str, label: str, files: list[Path], article) -> Row | None:
    """A row saying whose product this is, or None for a product of several articles."""
    if article is None:
        return None
    try:
        problem = product.whose(files, article)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        problem = f"{files[0].name} cannot be read to tell whose it is ({error})"
    if problem:
        return Row(
            slug,
            label,
            "is this article's",
            "fail",
            f"{problem}: it is not the product of {article.source.name} as it is now; "
            "rebuild it ('invoke build --force'), and never copy products between articles",
        )
    return Row(slug, label, "is this article's", "pass", "names this article")
