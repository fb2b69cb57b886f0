"""What the gate checked last time, so that nothing is checked twice.

Every check's rows are kept against a content hash of exactly what it read: the built files,
the source, the required blocks, the settings, the layouts it names in its messages, the
pipeline's own code, the validator's version and, for the review policy, today's date. A
result is reused only when that hash is the same, so a changed or damaged file is always
checked again; modification times are never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cached_property
from pathlib import Path

CACHE_FILE = ".gate-cache.json"


class GateCache:
    VERSION = 1

    def __init__(self, path: Path, entries: dict, slugs: dict | None = None):
        self.path = path
        self.entries = entries
        self.slugs: dict[str, list[str]] = slugs or {}  # source -> [hash, slug], for the catalogue
        self.used: dict[str, dict] = {}
        self.reused = 0
        self.checked = 0

    @classmethod
    def load(cls, out: Path, *, fresh: bool = False) -> GateCache:
        path = out / CACHE_FILE
        try:
            data = {} if fresh else json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if not isinstance(data, dict) or data.get("version") != cls.VERSION:
            data = {}
        entries, slugs = data.get("entries"), data.get("slugs")
        return cls(path, entries if isinstance(entries, dict) else {}, slugs if isinstance(slugs, dict) else {})

    def get(self, unit: str, key: str) -> dict | None:
        entry = self.entries.get(unit)
        if isinstance(entry, dict) and entry.get("key") == key:
            self.used[unit] = entry
            self.reused += 1
            return entry
        return None

    def put(self, unit: str, key: str, **result) -> None:
        self.used[unit] = {"key": key, **result}
        self.checked += 1

    def save(self) -> None:
        """Keep what this run used: results of products and articles that are gone are dropped."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        temporary.write_text(
            json.dumps({"version": self.VERSION, "entries": self.used, "slugs": self.slugs}, sort_keys=True),
            encoding="utf-8",
        )
        os.replace(temporary, self.path)


class Digests:
    """Content hashes, each file read once per run."""

    def __init__(self, site):
        self.site = site
        self._files: dict[Path, str] = {}

    def file(self, path: Path) -> str:
        if path not in self._files:
            self._files[path] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "(missing)"
        return self._files[path]

    def of(self, *parts: str) -> str:
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def _tree(self, root: Path, files) -> str:
        """Files by their place under ``root`` (not where the project lies) and their content."""
        return self.of(*(f"{path.relative_to(root)}:{self.file(path)}" for path in sorted(files)))

    @cached_property
    def common(self) -> str:
        """What every check depends on: the code, the required blocks, the settings."""
        package = Path(__file__).resolve().parents[1]
        required = self.site.folders.required_dir
        return self.of(
            self._tree(package, [*package.rglob("*.py"), *package.rglob("*.java")]),
            self._tree(required, required.rglob("*.md")),
            self.site.settings.fingerprint(),
        )

    def layouts(self, folders: tuple[str, ...]) -> str:
        root = self.site.folders.layouts
        return self._tree(
            root,
            [p for folder in ("_partials", "locale", *folders) for p in (root / folder).rglob("*") if p.is_file()],
        )

    @cached_property
    def sources_besides_articles(self) -> str:
        """Images and other files an article may refer to (what it shows is checked with the source)."""
        sources = self.site.folders.sources
        return self._tree(sources, [p for p in sources.rglob("*") if p.is_file() and p.suffix != ".md"])
