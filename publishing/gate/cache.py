"""What the gate checked last time, so that nothing is checked twice.

Every check's rows are kept against a content hash of exactly what it read, from the one account
of inputs the build state keeps too (inputs.py): the built files, the source and the articles it
links to, the required blocks, the message catalog of its language, the settings, the layouts, the
pipeline's own code, each validator's version and, for the review policy, today's date. A result
is reused only when that hash is the same, so a changed or damaged file is always checked again;
modification times are never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cached_property
from pathlib import Path

from ..inputs import InputFingerprints, fingerprint_of, program_version

CACHE_FILE = ".gate-cache.json"


class GateCache:
    VERSION = 2  # 2: keys from inputs.py, slugs by file name; an older cache is checked again, not read

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
    """The gate's cache keys: the one account of inputs (inputs.py, which the build state and the
    freshness check read too) and the validators each check runs with. Each file is read once per run."""

    def __init__(self, site, inputs: InputFingerprints | None = None):
        self.site = site
        self.inputs = inputs or InputFingerprints(site)

    def file(self, path: Path) -> str:
        return self.inputs.file(path)

    def of(self, *parts: str) -> str:
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def source_key(self, source: Path, original: Path | None, today: str) -> str:
        """What a source's checks read: the source (a translation's original too), the pictures and other
        files beside the articles, the articles it links to, its language's catalog, the required
        blocks, the settings, the code, the validators and, for the review policy, today's date."""
        inputs = self.inputs
        return fingerprint_of(
            {
                **inputs.common,
                **inputs.catalogs(inputs.language_of(source)),
                **inputs.links(source),
                **self.validators,
                "source": inputs.file(source),
                "original": f"{inputs.name(original)}:{inputs.file(original)}" if original else "",
                "sources": self.sources_besides_articles,
                "today": today,
            }
        )

    def product_key(self, product, variant: str, files: list[Path], source: Path | None, witness: str) -> str:
        """What a product's checks read: its files and its article's source, and what the build made it
        with (layouts, fonts, its language's catalog: what the messages name), the validators."""
        inputs = self.inputs
        language = inputs.language_of(source) if source is not None and product.per_article else None
        return fingerprint_of(
            {
                **inputs.made,
                **inputs.layouts(product.layouts),
                **inputs.catalogs(language),
                **self.validators,
                "witness": witness,
                "product": product.name,
                "variant": variant,
                "files": " ".join(inputs.file(f) for f in files),
                "source": inputs.file(source) if source else "",
            }
        )

    @cached_property
    def sources_besides_articles(self) -> str:
        """Images and other files an article may refer to (what it shows is checked with the source)."""
        sources = self.site.folders.sources
        return self.inputs.tree(sources, [p for p in sources.rglob("*") if p.is_file() and p.suffix != ".md"])

    @cached_property
    def validators(self) -> dict[str, str]:
        """Each validator's version as this machine has it (a new one checks again; it builds nothing):
        EPUBCheck, its Java runner, Java, Chromium and chromedriver (the witness), the Python packages
        (PDFium, the proofs' libraries: their folder names carry their versions), the Node packages."""
        import sys

        from . import epubcheck
        from .needs import find_chromium

        packages = []
        for folder in sys.path:
            try:
                packages += [n for n in os.listdir(folder or ".") if n.endswith((".dist-info", ".egg-info"))]
            except OSError:
                continue
        jar, root, code = epubcheck.jar(), self.inputs.root, Path(__file__).resolve().parent
        return {
            "validator:epubcheck": f"{jar.stat().st_size}" if jar else "(none)",
            "validator:java-runner": self.inputs.tree(code, code.rglob("*.java")),
            "validator:java": program_version(_which("java")),
            "validator:chromium": program_version(find_chromium()),
            "validator:chromedriver": program_version(_which("chromedriver")),
            "validator:python-packages": self.of(*sorted(packages)),
            "validator:node-packages": self.file(root / "package-lock.json")
            + self.file(root / "node_modules" / ".package-lock.json"),
        }

    @cached_property
    def tools(self) -> str:
        """The validators as one digest (EPUBCheck's cache key)."""
        return fingerprint_of(self.validators)


def _which(program: str) -> Path | None:
    import shutil

    found = shutil.which(program)
    return Path(found) if found else None
