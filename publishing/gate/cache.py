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
        """The entry for ``unit`` if it was made for ``key``, by this user's gate (signed), and is whole;
        anything else is a miss, checked again: never a crash, never a verdict someone else wrote."""
        from .trust import signed_by_this_user

        entry = self.entries.get(unit)
        if (
            isinstance(entry, dict)
            and entry.get("key") == key
            and signed_by_this_user(unit, entry)
            and _whole(unit, entry)
        ):
            self.used[unit] = entry
            self.reused += 1
            return entry
        return None

    def put(self, unit: str, key: str, **result) -> None:
        from .trust import signature

        entry = {"key": key, **result}
        mac = signature(unit, entry)
        if mac is not None:  # without a private key nothing is kept that a later run would believe
            entry["mac"] = mac
        self.used[unit] = entry
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


_ROW_TEXT = ("article", "product", "check", "status", "detail")


# What each kind of entry holds besides its key (see run_checks): the rows, or EPUBCheck's one row, and a flag.
_SHAPES = {
    "source": ("rows", "loaded"),
    "product": ("rows", "proven"),
    "epubcheck": ("row", None),
    "witness": ("row", None),
}


def _whole(unit: str, entry: dict) -> bool:
    """Whether an entry has the shape the gate reads back for its kind: rows of the Row fields, its flag
    true or false."""
    shape = _SHAPES.get(unit.split(":", 1)[0])
    if shape is None:
        return False
    rows_key, flag = shape
    rows = entry.get(rows_key)
    rows = [rows] if rows_key == "row" else rows
    if not isinstance(rows, list) or (flag is not None and not isinstance(entry.get(flag), bool)):
        return False
    return all(
        isinstance(row, dict)
        and set(row) == {*_ROW_TEXT, "facts"}
        and isinstance(row["facts"], dict)
        and all(isinstance(row[name], str) for name in _ROW_TEXT)
        and row["status"] in ("pass", "warn", "fail")
        for row in rows
    )


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

    @cached_property
    def catalogs(self) -> str:
        """The message catalogs: an article in a language whose catalog lacks a word does not load."""
        root = self.site.folders.layouts
        return self._tree(root, [p for p in (root / "locale").rglob("*") if p.is_file()])

    @cached_property
    def library(self) -> str:
        """What a source's link check reads of the other sources: which articles there are, under which
        slug, language and title (an article's text alone changes none of it)."""
        found = self.site.catalogue
        sources = self.site.folders.sources
        return self.of(
            *(
                repr((str(s.relative_to(sources)), found.slugs.get(s), found.editions.get(s, ""), found.titles.get(s)))
                for s in found.sources
                if s not in found.refused
            )
        )

    @cached_property
    def tools(self) -> str:
        """Which validators the checks ran with: the Python packages installed (their names carry their
        versions), the Node packages, Java and Chromium."""
        import shutil
        import sys

        names = []
        for folder in sys.path:
            try:
                names += [n for n in os.listdir(folder or ".") if n.endswith((".dist-info", ".egg-info"))]
            except OSError:
                continue
        root = self.site.folders.root
        programs = []
        for program in ("java", "chromium", "chromedriver"):
            found = shutil.which(program)
            stat = Path(found).resolve().stat() if found else None
            programs.append(f"{program}:{stat.st_size}:{stat.st_mtime_ns}" if stat else f"{program}:-")
        return self.of(
            *sorted(names),
            *programs,
            self.file(root / "package-lock.json"),
            self.file(root / "node_modules" / ".package-lock.json"),
        )
