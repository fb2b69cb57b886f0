"""What each product was built from, so a build redoes only what changed.

A product is rebuilt when a content hash of anything it depends on differs from
the last successful build: its source and images, the required blocks, the
layouts it uses (its own folder and the shared partials), the fonts, the
settings, and the pipeline's own code. Modification times are not trusted
(a checkout or a copy changes them without changing anything).
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cached_property
from pathlib import Path

STATE_FILE = ".publishing-state.json"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _hash_files(root: Path, paths) -> str:
    """Files by their place under ``root`` (not where the project lies, so a moved copy is the same) and content."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def fingerprint_of(parts: dict[str, str]) -> str:
    """One digest of every input a product was built from."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


class InputFingerprints:
    """What each product is built from, input by input (see ``parts``); the shared part is hashed once.

    The build records these parts beside each product (BuildState) and the gate recomputes them, so
    both give one account of what a product depends on, and a difference names what changed."""

    def __init__(self, site):
        self.site = site
        self._layouts: dict[tuple[str, ...], dict[str, str]] = {}

    @cached_property
    def _common(self) -> dict[str, str]:
        from .resources import FONT_FACES, font_dir

        project = self.site.folders
        package = Path(__file__).resolve().parent
        parts = {"code": _hash_files(package, package.rglob("*.py"))}
        # The safety text and the message catalogs, file by file: a change is named by its file.
        for path in sorted(project.required_dir.rglob("*.md")):
            parts[f"file:{path.relative_to(project.root)}"] = _digest(path.read_bytes())
        for path in sorted(p for p in (project.layouts / "locale").rglob("*") if p.is_file()):
            parts[f"file:{path.relative_to(project.root)}"] = _digest(path.read_bytes())
        parts.update(self._folder("_partials"))
        # Font files are large and never edited: their names and sizes stand for them.
        parts["fonts"] = _digest(repr([(f, (font_dir() / f).stat().st_size) for f, _, _ in FONT_FACES]).encode())
        for name, value in self.site.settings.fingerprint_parts().items():
            parts[f"setting:{name}"] = _digest(value.encode())
        parts["SOURCE_DATE_EPOCH"] = os.environ.get("SOURCE_DATE_EPOCH", "")
        return parts

    def _folder(self, folder: str) -> dict[str, str]:
        layouts = self.site.folders.layouts
        files = [p for p in (layouts / folder).rglob("*") if p.is_file()]
        return {f"folder:layouts/{folder}/": _hash_files(layouts, files)}

    def _layouts_of(self, folders: tuple[str, ...]) -> dict[str, str]:
        if folders not in self._layouts:
            self._layouts[folders] = {k: v for folder in folders for k, v in self._folder(folder).items()}
        return self._layouts[folders]

    def _pictures(self, images: list[Path] | None) -> str:
        sources = self.site.folders.sources
        pictures = hashlib.sha256()
        for image in images or ():
            name = image.relative_to(sources) if image.is_relative_to(sources) else image
            pictures.update(f"{name}\0".encode() + (image.read_bytes() if image.is_file() else b"(missing)"))
        return pictures.hexdigest()[:16]

    def parts(self, product, variant: str, source: Path, images: list[Path] | None = None) -> dict[str, str]:
        """Every input of one variant of one product of one article (images as its last build found them)."""
        return {
            **self._common,
            **self._layouts_of(product.layouts),
            "variant": variant,
            "source": _digest(source.read_bytes()),
            "images": self._pictures(images),
        }

    def parts_of_several(self, product, variant: str, reads: list[Path], images: list[Path]) -> dict[str, str]:
        """Every input of a product made of several files (a newsletter issue, the combined guide): each
        file it read by its own name, so a change names the article, and a file gone or added shows."""
        root = self.site.folders.root
        parts = {
            **self._common,
            **self._layouts_of(product.layouts),
            "variant": variant,
            "images": self._pictures(images),
        }
        for path in reads:
            parts[f"file:{os.path.relpath(path, root)}"] = _digest(path.read_bytes()) if path.is_file() else "(missing)"
        return parts

    def of(self, product, variant: str, source: Path, images: list[Path] | None = None) -> str:
        """The fingerprint of one variant of one product of one article."""
        return fingerprint_of(self.parts(product, variant, source, images))


class BuildState:
    """build/.publishing-state.json: per source and product, the fingerprint, the inputs it was made of
    and the files last built; and each source's slug with the hash of the bytes it was read from (see
    catalogue.py). Paths are kept relative to build/, so a copied or moved project keeps its record."""

    VERSION = 3

    def __init__(self, path: Path, entries: dict, slugs: dict | None = None):
        self.path = path
        self.out = path.parent
        self.entries = entries
        self.slugs: dict[str, list[str]] = slugs if slugs is not None else {}
        self._slugs_before = json.dumps(self.slugs, sort_keys=True)
        self.changed = False
        self._names: dict[Path, str] = {}
        self._paths: dict[str, Path] = {}

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
        # Asked a dozen times per source in a build with nothing to do (os.path.relpath makes both paths
        # absolute each time): remembered, as a path's place under build/ does not change in a run.
        if path not in self._names:
            self._names[path] = os.path.relpath(path, self.out)
        return self._names[path]

    def _path(self, name: str) -> Path:
        if name not in self._paths:  # as _name: a dozen times per source, the same answer in a run
            self._paths[name] = Path(os.path.normpath(os.path.join(self.out, name)))
        return self._paths[name]

    def entry(self, source: Path, key: str) -> dict | None:
        """What the last build of one product of ``source`` recorded, if it did."""
        entry = self.entries.get(self._name(source), {}).get(key)
        return entry if isinstance(entry, dict) else None

    def up_to_date(self, source: Path, key: str, fingerprint: str) -> bool:
        """True when nothing the product depends on changed and its files are still there."""
        entry = self.entry(source, key)
        return (
            entry is not None
            and entry.get("fingerprint") == fingerprint
            and all(f.is_file() for f in self.files(source, key))
        )

    def images(self, source: Path, key: str) -> list[Path]:
        """The images the last build of this product found in the article."""
        return [self._path(p) for p in (self.entry(source, key) or {}).get("images", [])]

    def files(self, source: Path, key: str) -> list[Path]:
        return [self._path(f) for f in (self.entry(source, key) or {}).get("files", [])]

    def reads(self, source: Path, key: str) -> list[Path]:
        """The files a product of several articles was made of, as its last build recorded them."""
        return [self._path(p) for p in (self.entry(source, key) or {}).get("reads", [])]

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
        self.entries.setdefault(self._name(source), {})[key] = {
            "fingerprint": fingerprint_of(inputs),
            "inputs": inputs,
            "files": [self._name(f) for f in files],
            "images": [self._name(i) for i in images],
            **({"reads": [self._name(r) for r in reads]} if reads is not None else {}),
            **facts,
        }
        self.changed = True

    def forget(self, source: Path, key: str) -> None:
        if self.entries.get(self._name(source), {}).pop(key, None) is not None:
            self.changed = True

    def save(self) -> None:
        if not self.changed and json.dumps(self.slugs, sort_keys=True) == self._slugs_before:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        document = {"version": self.VERSION, "products": self.entries, "slugs": self.slugs}
        temporary.write_text(json.dumps(document, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(temporary, self.path)
