"""What each product was built from, so a build redoes only what changed.

A product is rebuilt when anything it depends on differs from the last successful build: the inputs
are the one account in inputs.py (its source and images, the articles it links to, the required
blocks, its language's message catalog, the layouts it uses, the fonts, the settings, the pipeline's
code), which the gate reads too. Modification times are not trusted (a checkout or a copy changes them
without changing anything).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .inputs import InputFingerprints, fingerprint_of

__all__ = ["STATE_FILE", "BuildState", "InputFingerprints", "fingerprint_of"]  # the build takes all four here

STATE_FILE = ".publishing-state.json"


class BuildState:
    """build/.publishing-state.json: per source and product, the fingerprint, the inputs it was made of
    and the files last built; and each source's slug with the hash of the bytes it was read from (see
    catalogue.py). Paths are kept relative to build/, so a copied or moved project keeps its record."""

    # 4: inputs named by their place in the project (inputs.py), slugs by file name. An older record is
    # not read: everything is built once, never taken as up to date.
    VERSION = 4

    def __init__(self, path: Path, entries: dict, slugs: dict | None = None):
        self.path = path
        self.out = path.parent
        self.entries = entries
        self.slugs: dict[str, list[str]] = slugs if slugs is not None else {}
        self._slugs_before = json.dumps(self.slugs, sort_keys=True)
        self.changed = False

    @classmethod
    def load(cls, out: Path) -> BuildState:
        path = out / STATE_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if not isinstance(data, dict) or data.get("version") != cls.VERSION:
            return cls(path, {})  # an older pipeline's record: build everything once
        products, slugs = data.get("products"), data.get("slugs")
        return cls(path, products if isinstance(products, dict) else {}, slugs if isinstance(slugs, dict) else {})

    def _name(self, path: Path) -> str:
        return os.path.relpath(path, self.out)

    def _path(self, name: str) -> Path:
        return Path(os.path.normpath(self.out / name))

    def entry(self, source: Path, key: str) -> dict | None:
        """What the last build of one product of ``source`` recorded, if it did."""
        entries = self.entries.get(self._name(source))
        entry = entries.get(key) if isinstance(entries, dict) else None
        return entry if isinstance(entry, dict) else None

    def up_to_date(self, source: Path, key: str, fingerprint: str) -> bool:
        """True when nothing the product depends on changed and its files are still there."""
        entry = self.entry(source, key)
        files = entry.get("files") if entry is not None else None
        return (
            entry is not None
            and entry.get("fingerprint") == fingerprint
            and isinstance(files, list)  # a damaged record of what it wrote vouches for nothing
            and bool(files)
            and all(isinstance(f, str) for f in files)
            and all(f.is_file() for f in self.files(source, key))
        )

    def images(self, source: Path, key: str) -> list[Path]:
        """The images the last build of this product found in the article."""
        return self._paths(source, key, "images")

    def files(self, source: Path, key: str) -> list[Path]:
        return self._paths(source, key, "files")

    def reads(self, source: Path, key: str) -> list[Path]:
        """The files a product of several articles was made of, as its last build recorded them."""
        return self._paths(source, key, "reads")

    def _paths(self, source: Path, key: str, kind: str) -> list[Path]:
        """A list of paths the record keeps; a damaged one is no paths (so no product is up to date)."""
        names = (self.entry(source, key) or {}).get(kind, [])
        return [self._path(n) for n in names if isinstance(n, str)] if isinstance(names, list) else []

    def record(
        self,
        source: Path,
        key: str,
        inputs: dict[str, str],
        files: list[Path],
        images: list[Path],
        *,
        reads: list[Path] | None = None,
        **facts: object,
    ) -> None:
        """``reads``: for a product of several articles, the files it was made of; ``facts``: what else
        its product needs to know of how it was made (the combined guide: whether it bound every article)."""
        if not isinstance(self.entries.get(self._name(source)), dict):
            self.entries[self._name(source)] = {}  # none yet, or a damaged record: replaced
        self.entries[self._name(source)][key] = {
            "fingerprint": fingerprint_of(inputs),
            "inputs": inputs,
            "files": [self._name(f) for f in files],
            "images": [self._name(i) for i in images],
            **({"reads": [self._name(r) for r in reads]} if reads is not None else {}),
            **facts,
        }
        self.changed = True

    def forget(self, source: Path, key: str) -> None:
        entries = self.entries.get(self._name(source))
        if isinstance(entries, dict) and entries.pop(key, None) is not None:
            self.changed = True

    def save(self) -> None:
        if not self.changed and json.dumps(self.slugs, sort_keys=True) == self._slugs_before:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        document = {"version": self.VERSION, "products": self.entries, "slugs": self.slugs}
        temporary.write_text(json.dumps(document, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(temporary, self.path)
