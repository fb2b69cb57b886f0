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

from .inputs import SHARED, Account, InputFingerprints, fingerprint_of

__all__ = ["STATE_FILE", "BuildState", "InputFingerprints", "fingerprint_of"]  # the build takes all four here

STATE_FILE = ".publishing-state.json"


class BuildState:
    """build/.publishing-state.json: per source and product, the fingerprint, the inputs it was made of
    and the files last built; and each source's slug with the hash of the bytes it was read from (see
    catalogue.py). Paths are kept relative to build/, so a copied or moved project keeps its record.
    The inputs every article's product of a kind shares (inputs.Account) are kept once, by their digest:
    a library of 10,000 editions has a record of a few MB, not of 300."""

    # 5: the shared inputs kept once (4: inputs named by their place in the project, slugs by file
    # name). An older record is not read: everything is built once, never taken as up to date.
    VERSION = 5

    def __init__(self, path: Path, entries: dict, slugs: dict | None = None, shared: dict | None = None):
        self.path = path
        self.out = path.parent
        self.entries = entries
        self.slugs: dict[str, list[str]] = slugs if slugs is not None else {}
        self.shared: dict[str, dict] = shared if shared is not None else {}
        self._slugs_before = json.dumps(self.slugs, sort_keys=True)
        self.changed = False
        # A no-op build of 10,000 editions asks for each name and path several times: worked out once
        # (os.path and pathlib were most of its time).
        self._names: dict[Path, str] = {}
        self._paths_of: dict[str, Path] = {}

    @classmethod
    def load(cls, out: Path) -> BuildState:
        path = out / STATE_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if not isinstance(data, dict) or data.get("version") != cls.VERSION:
            return cls(path, {})  # an older pipeline's record: build everything once
        products, slugs, shared = data.get("products"), data.get("slugs"), data.get("shared")
        return cls(
            path,
            products if isinstance(products, dict) else {},
            slugs if isinstance(slugs, dict) else {},
            shared if isinstance(shared, dict) else {},
        )

    def _name(self, path: Path) -> str:
        if (name := self._names.get(path)) is None:
            name = self._names[path] = os.path.relpath(path, self.out)
        return name

    def _path(self, name: str) -> Path:
        if (path := self._paths_of.get(name)) is None:
            path = self._paths_of[name] = Path(os.path.normpath(os.path.join(self.out, name)))
        return path

    def entry(self, source: Path, key: str) -> dict | None:
        """What the last build of one product of ``source`` recorded, if it did."""
        entries = self.entries.get(self._name(source))
        entry = entries.get(key) if isinstance(entries, dict) else None
        return entry if isinstance(entry, dict) else None

    def up_to_date(self, source: Path, key: str, fingerprint: str, present=None) -> bool:
        """True when nothing the product depends on changed and its files are still there (``present``:
        the names of the files in a folder of build/, listed once, where the build has them listed)."""
        entry = self.entry(source, key)
        files = entry.get("files") if entry is not None else None
        return (
            entry is not None
            and entry.get("fingerprint") == fingerprint
            and isinstance(files, list)  # a damaged record of what it wrote vouches for nothing
            and bool(files)
            and all(isinstance(f, str) and self._is_file(f, present) for f in files)
        )

    def _is_file(self, name: str, present) -> bool:
        folder, slash, rest = name.rpartition("/")
        if present is not None and slash and rest and not {"", ".", ".."} & set(folder.split("/")):
            return rest in present(folder)
        return self._path(name).is_file()  # anywhere else (a damaged or hand-edited record): asked

    def inputs(self, source: Path, key: str) -> dict | None:
        """Every input the last build of one product recorded, part by part (the shared ones restored);
        None when the record names shared inputs it no longer holds (a damaged or hand-edited record)."""
        recorded = self.own_inputs(source, key)
        if SHARED not in recorded:
            return recorded
        shared = self.shared.get(recorded[SHARED]) if isinstance(recorded[SHARED], str) else None
        own = {name: value for name, value in recorded.items() if name != SHARED}
        return {**shared, **own} if isinstance(shared, dict) else None

    def own_inputs(self, source: Path, key: str) -> dict:
        """The inputs as the record keeps them: an article's own, and the shared ones by their digest."""
        recorded = (self.entry(source, key) or {}).get("inputs")
        return recorded if isinstance(recorded, dict) else {}

    def images(self, source: Path, key: str) -> list[Path]:
        """The images the last build of this product found in the article."""
        return self._paths(source, key, "images")

    def files(self, source: Path, key: str) -> list[Path]:
        return self._paths(source, key, "files")

    def reads(self, source: Path, key: str) -> list[Path]:
        """The files a product of several articles was made of, as its last build recorded them."""
        return self._paths(source, key, "reads")

    def pictures_and_reads(self) -> list[Path]:
        """Every picture and every file read that any product's record names (unchanged.py surveys them:
        a picture may lie anywhere in the project)."""
        names = {
            name
            for entries in self.entries.values()
            if isinstance(entries, dict)
            for entry in entries.values()
            if isinstance(entry, dict)
            for kind in ("images", "reads")
            if isinstance(entry.get(kind), list)
            for name in entry[kind]
            if isinstance(name, str)
        }
        return [self._path(name) for name in sorted(names)]

    def _paths(self, source: Path, key: str, kind: str) -> list[Path]:
        """A list of paths the record keeps; a damaged one is no paths (so no product is up to date)."""
        names = (self.entry(source, key) or {}).get(kind, [])
        return [self._path(n) for n in names if isinstance(n, str)] if isinstance(names, list) else []

    def record(
        self,
        source: Path,
        key: str,
        inputs: dict[str, str] | Account,
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
        if isinstance(inputs, Account):
            self.shared[inputs.shared_digest] = inputs.shared
            fingerprint, kept = inputs.fingerprint, {SHARED: inputs.shared_digest, **inputs.own}
        else:
            fingerprint, kept = fingerprint_of(inputs), inputs
        self.entries[self._name(source)][key] = {
            "fingerprint": fingerprint,
            "inputs": kept,
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

    def _kept(self) -> dict[str, dict]:
        """The shared inputs some product's record still names (an old layout's are let go)."""
        named = {
            str(entry["inputs"].get(SHARED))  # a damaged record's digest may be anything: named by its text
            for entries in self.entries.values()
            if isinstance(entries, dict)
            for entry in entries.values()
            if isinstance(entry, dict) and isinstance(entry.get("inputs"), dict)
        }
        return {digest: parts for digest, parts in self.shared.items() if digest in named}

    def save(self) -> None:
        if not self.changed and json.dumps(self.slugs, sort_keys=True) == self._slugs_before:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        document = {"version": self.VERSION, "products": self.entries, "slugs": self.slugs, "shared": self._kept()}
        temporary.write_text(json.dumps(document, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(temporary, self.path)
