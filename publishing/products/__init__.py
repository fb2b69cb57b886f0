"""The product contract (its class ``Product`` is in contract.py), and the registry of products.

A product turns its subjects (an article, several for the combined guide, an issue) into files. It
declares who it is at the top, as Sphinx builders declare ``name`` and ``format``, names its own
subjects (``subjects``), and the build drives every product the same way (build.py): ``build``
writes into a private staging folder, ``verify`` proves from the written files that both required
blocks are there and visible, and only then are the files moved into ``build/<folder>/``. Nothing
outside a product's own package asks which product it is: callers read what the product declares.

To add a product: a package here with a ``Product`` subclass and a ``PRODUCTS`` dict, its name in
``PACKAGES``, its layouts in ``layouts/<name>/``, its tests in ``tests/`` (docs/products.md).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping

from .contract import Named, Product, Subject

__all__ = ["ALL_PRODUCTS", "PACKAGES", "PRODUCTS", "Named", "Product", "Subject", "reserved_names", "source_rules"]

# The one list of products: each package's PRODUCTS, in this order, make the registry. Imported on
# first use: a command that needs no product never loads one.
PACKAGES = ("handout", "guide", "newsletter", "web")


class _Registry(Mapping[str, Product]):
    """Every product of the packages that ``keep`` keeps, by name, in the packages' order."""

    def __init__(self, keep: Callable[[Product], bool]):
        self._keep = keep
        self._products: dict[str, Product] | None = None

    @property
    def products(self) -> dict[str, Product]:
        if self._products is None:
            found: dict[str, Product] = {}
            for package in PACKAGES:
                found.update(importlib.import_module(f"{__package__}.{package}").PRODUCTS)
            ordered = sorted(found.values(), key=lambda product: not product.per_article)  # each article's first
            self._products = {product.name: product for product in ordered if self._keep(product)}
        return self._products

    def __getitem__(self, name: str) -> Product:
        return self.products[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.products)

    def __len__(self) -> int:
        return len(self.products)


# What `invoke build` makes for every article, in this order.
PRODUCTS: Mapping[str, Product] = _Registry(lambda product: product.per_article)
# Everything the pipeline makes, those of several articles included.
ALL_PRODUCTS: Mapping[str, Product] = _Registry(lambda product: True)


def reserved_names() -> dict[str, str]:
    """The names products keep for their own files, which no article may take as its slug, and why."""
    return {name: why for product in ALL_PRODUCTS.values() for name, why in product.reserved.items()}


def cannot_print(character: str) -> str | None:
    """The first product of every article that cannot show ``character`` (None: every one can)."""
    return next((product.name for product in PRODUCTS.values() if not product.printable(character)), None)


def source_rules() -> dict:
    """What the products ask of every source, for the catalogue (catalogue.py): the names they keep for
    themselves, and which characters they can show."""
    return {"reserved": reserved_names(), "cannot_print": cannot_print}
