"""The product contract (its class ``Product`` is in contract.py), and the registry of products.

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

from .contract import Product

__all__ = ["ALL_PRODUCTS", "PRODUCTS", "Product"]


# Product name -> its package, imported on first use: a build with nothing to do never needs one.
_MODULES = {
    "handout": "handout",
    "guide": "guide",
    "newsletter": "newsletter",
    "web": "web",
    "combined guide": "guide",
    "newsletter issue": "newsletter",
    "web index": "web",
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
PRODUCTS: Mapping[str, Product] = _Registry(("handout", "guide", "newsletter", "web"))
# Everything the pipeline makes, those of several articles included.
ALL_PRODUCTS: Mapping[str, Product] = _Registry(tuple(_MODULES))
