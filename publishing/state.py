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


def _hash_files(paths) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


class InputFingerprints:
    """Fingerprints of what products depend on; the shared part is hashed once per build."""

    def __init__(self, site):
        self.site = site
        self._layouts: dict[tuple[str, ...], str] = {}

    @cached_property
    def _common(self) -> str:
        from .resources import FONT_FACES, font_dir

        project = self.site.folders
        package = Path(__file__).resolve().parent
        parts = [
            _hash_files(package.rglob("*.py")),
            _hash_files(project.required_dir.rglob("*.md")),
            _hash_files(p for p in (project.layouts / "_partials").rglob("*") if p.is_file()),
            # The message catalogs: every product prints their words.
            _hash_files(p for p in (project.layouts / "locale").rglob("*") if p.is_file()),
            # Font files are large and never edited: their names and sizes stand for them.
            repr([(file, (font_dir() / file).stat().st_size) for file, _, _ in FONT_FACES]),
            self.site.settings.fingerprint(),
            os.environ.get("SOURCE_DATE_EPOCH", ""),
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def _layouts_of(self, folders: tuple[str, ...]) -> str:
        if folders not in self._layouts:
            layouts = self.site.folders.layouts
            self._layouts[folders] = _hash_files(
                p for folder in folders for p in (layouts / folder).rglob("*") if p.is_file()
            )
        return self._layouts[folders]

    def of(self, product, variant: str, source: Path, images: list[Path] | None = None) -> str:
        """The fingerprint of one variant of one product of one article (images as its last build found them)."""
        digest = hashlib.sha256(f"{self._common}\n{self._layouts_of(product.layouts)}\n{variant}\n".encode())
        digest.update(source.read_bytes())
        for image in images or ():
            digest.update(str(image).encode())
            digest.update(image.read_bytes() if image.is_file() else b"(missing)")
        return digest.hexdigest()


class BuildState:
    """build/.publishing-state.json: per source and product, the fingerprint and files last built;
    and each source's slug with the hash of the bytes it was read from (see catalogue.py)."""

    VERSION = 2

    def __init__(self, path: Path, entries: dict, slugs: dict | None = None):
        self.path = path
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

    # Sources come from discover() inside the resolved sources folder: their paths are already canonical.
    def _entry(self, source: Path, key: str) -> dict | None:
        return self.entries.get(str(source), {}).get(key)

    def up_to_date(self, source: Path, key: str, fingerprint: str) -> bool:
        """True when nothing the product depends on changed and its files are still there."""
        entry = self._entry(source, key)
        return (
            entry is not None
            and entry.get("fingerprint") == fingerprint
            and all(Path(f).is_file() for f in entry.get("files", []))
        )

    def images(self, source: Path, key: str) -> list[Path]:
        """The images the last build of this product found in the article."""
        return [Path(p) for p in (self._entry(source, key) or {}).get("images", [])]

    def files(self, source: Path, key: str) -> list[Path]:
        entry = self._entry(source, key) or {}
        return [Path(f) for f in entry.get("files", [])]

    def record(self, source: Path, key: str, fingerprint: str, files: list[Path], images: list[Path]) -> None:
        self.entries.setdefault(str(source), {})[key] = {
            "fingerprint": fingerprint,
            "files": [str(f) for f in files],
            "images": [str(i) for i in images],
        }
        self.changed = True

    def forget(self, source: Path, key: str) -> None:
        if self.entries.get(str(source), {}).pop(key, None) is not None:
            self.changed = True

    def save(self) -> None:
        if not self.changed and json.dumps(self.slugs, sort_keys=True) == self._slugs_before:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        document = {"version": self.VERSION, "products": self.entries, "slugs": self.slugs}
        temporary.write_text(json.dumps(document, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(temporary, self.path)
