"""What a product is made from and what a check of it reads: the one account the build state
(state.py), the gate's cache (gate/cache.py) and its stale-product check (gate/freshness.py) share.

Each input is a named part (``parts``), named by its place in the project, never by where the
project lies, so a build/ copied to another checkout, or a project moved, is up to date there:

  code                 the pipeline's Python code
  file:<path>          the required blocks, one by one; a language's message catalog (and the
                       template it is checked against), only for a product in that language;
                       each article a product of several articles read
  link:<path>          another article an article links to: whether it is one, its slug, language and
                       title and its editions' (what a link to it becomes in the products)
  folder:layouts/x/    the shared partials and each layout folder the product names
  fonts, script fonts, setting:<name>, SOURCE_DATE_EPOCH, variant, source, images
  validator:<name>     for the gate only (a new validator re-checks, it rebuilds nothing): EPUBCheck,
                       the Java runner, Java, Chromium and chromedriver for the witness, the Python and
                       Node packages; named by the gate (gate/cache.py ``validators``), which knows
                       where it finds them (this module is below the gate: it cannot import it)

Modification times are never trusted; each file is read and hashed once per run (one ``Inputs``
for the build's state, or for the gate's cache and its freshness check together). Only a build that
found nothing to do leaves a note by which the next one, when the file system says no file at all was
written since (unchanged.py: change times, which no program can set back), answers without this.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent

# Anything in a source that could name another article's file: a link's target ends in .md
# (links.py), written as Markdown, HTML or a reference, maybe with spaces or percent-escapes: found by
# its end, and the name runs back from there to the nearest of _NAME_STOPS. (A regex matching the whole
# name lazily tried every start in a line: quadratic in a paragraph's length, 8 ms for a long page that
# mentions ".md" once, most of the no-op build of a library with translations.)
_MD_END = re.compile(rb"\.md(?![a-zA-Z0-9])")
_NAME_STOPS = frozenset(b"/\\()[]<>\"'`=\n")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def fingerprint_of(parts: dict[str, str]) -> str:
    """One digest of every input a product was built from."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Account:
    """The inputs of one article's product, in two: the parts it shares with every article's product of
    its kind and language (by their digest), and its own. Its fingerprint hashes the shared parts' digest
    with its own parts, so a no-op build of 10,000 editions hashes a few small dicts each, not forty
    parts each; the build's record keeps the shared parts once (state.py)."""

    shared_digest: str
    shared: dict[str, str]
    own: dict[str, str]

    @property
    def parts(self) -> dict[str, str]:
        return {**self.shared, **self.own}

    @property
    def fingerprint(self) -> str:
        return fingerprint_of({SHARED: self.shared_digest, **self.own})


# The part of a record that names the shared parts by their digest (no input is named so: see the
# module's docstring for their names).
SHARED = "(shared)"


class InputFingerprints:
    """The inputs of one project as they are now, part by part (see the module's docstring)."""

    def __init__(self, site):
        self.site = site
        self.root = site.folders.root
        self._files: dict[Path, str] = {}
        self._layouts: dict[tuple[str, ...], dict[str, str]] = {}
        self._links: dict[Path, dict[str, str]] = {}
        self._catalogs: dict[str | None, dict[str, str]] = {}
        self._names: dict[Path, str] = {}
        self._shared: dict[tuple, tuple[str, dict[str, str]]] = {}

    # --- files ------------------------------------------------------------------------------------

    def file(self, path: Path) -> str:
        """The digest of one file's bytes, read once per run; a missing one is "(missing)"."""
        if path not in self._files:
            self._files[path] = digest(path.read_bytes()) if path.is_file() else "(missing)"
        return self._files[path]

    def name(self, path: Path) -> str:
        """A path by its place in the project, as a part is named."""
        if (name := self._names.get(path)) is None:
            name = self._names[path] = Path(os.path.relpath(path, self.root)).as_posix()
        return name

    def tree(self, root: Path, files) -> str:
        """Files by their place under ``root`` and their content, as one digest."""
        lines = (f"{Path(os.path.relpath(p, root)).as_posix()}\0{self.file(p)}" for p in sorted(files))
        return digest("\n".join(lines).encode())

    # --- what every product and check shares --------------------------------------------------

    @cached_property
    def common(self) -> dict[str, str]:
        """What every product and every check reads: the code, the required blocks, the settings."""
        parts = {"code": self.tree(PACKAGE, PACKAGE.rglob("*.py"))}
        # The safety text file by file: a change is named by its file.
        for path in sorted(self.site.folders.required_dir.rglob("*.md")):
            parts[f"file:{self.name(path)}"] = self.file(path)
        for name, value in self.site.settings.fingerprint_parts().items():
            parts[f"setting:{name}"] = digest(value.encode())
        parts["SOURCE_DATE_EPOCH"] = os.environ.get("SOURCE_DATE_EPOCH", "")
        return parts

    @cached_property
    def made(self) -> dict[str, str]:
        """What every product is laid out with besides its own layouts: the partials and the fonts."""
        from .resources import FONT_FACES, font_dir, script_font_dir

        # Font files are large and never edited: their names and sizes stand for them.
        fonts = digest(repr([(f, (font_dir() / f).stat().st_size) for f, _, _ in FONT_FACES]).encode())
        # The fonts for Arabic script and the other scripts, by their place in the package and size.
        folder = script_font_dir()
        shipped = [(str(p.relative_to(folder)), p.stat().st_size) for p in sorted(folder.rglob("*.ttf"))]
        scripts = digest(repr(shipped).encode())
        return {**self.common, **self.layouts(("_partials",)), "fonts": fonts, "script fonts": scripts}

    def layouts(self, folders: tuple[str, ...]) -> dict[str, str]:
        """Each layout folder by its files' places and content."""
        if folders not in self._layouts:
            root = self.site.folders.layouts
            self._layouts[folders] = {
                f"folder:{self.name(root / folder)}/": self.tree(
                    root, [p for p in (root / folder).rglob("*") if p.is_file()]
                )
                for folder in folders
            }
        return self._layouts[folders]

    def catalogs(self, language: str | None) -> dict[str, str]:
        """The message catalog of ``language`` and the template it is checked against; none for the
        default language (its words are the layouts' own); every language's for None (not known).
        Looked up once per language and run, as the files are read (10,000 editions, a few languages)."""
        from .languages import primary_language
        from .words import LOCALE, catalog_path, template_path

        primary = None if language is None else primary_language(language)
        if primary in self._catalogs:
            return self._catalogs[primary]
        layouts = self.site.folders.layouts
        if primary is None:
            files = {p for p in (layouts / LOCALE).rglob("*") if p.is_file()}
        elif primary == primary_language(self.site.settings.default_lang):
            files = set()
        else:
            found = (p for p in (layouts / LOCALE / primary).rglob("*") if p.is_file())
            # Named even when missing: a catalog added later is a change too.
            files = {template_path(layouts), catalog_path(layouts, primary), *found}
        self._catalogs[primary] = {f"file:{self.name(p)}": self.file(p) for p in sorted(files)}
        return self._catalogs[primary]

    def language_of(self, source: Path) -> str | None:
        """The language an article is written in, as the catalogue read it (None: not known)."""
        found = self.site.catalogue
        if source not in found.slugs:
            return None
        return found.editions.get(source) or found.langs.get(source) or self.site.settings.default_lang

    # --- what one article reads of the others --------------------------------------------------

    def links(self, source: Path) -> dict[str, str]:
        """Each article ``source`` could link to, by what a link to it becomes: whether it is an article,
        and its and its editions' slug, language and title. Found in the bytes (any name ending in .md), so
        a link is never missed; a name that is no article's stands for itself (one added later shows)."""
        if source not in self._links:
            found = self.site.catalogue
            parts: dict[str, str] = {}
            for written in self._md_names(source):
                target = next((self._by_name[n] for n in _tails(written) if n in self._by_name), None)
                if target is None:  # named where a link to it would look (links.py), so one added shows
                    parts[f"link:{self.name(Path(os.path.normpath(source.parent / written)))}"] = "(not an article)"
                    continue
                slug = found.slugs.get(target)
                editions = self._accepted_by_slug.get(slug, []) if slug is not None else []
                facts = [(s.name, found.slugs.get(s), found.editions.get(s, ""), found.titles.get(s)) for s in editions]
                status = "refused" if target in found.refused else "accepted"  # a dict: no list made per link
                parts[f"link:{self.name(target)}"] = digest(repr((status, facts)).encode())
            self._links[source] = parts
        return self._links[source]

    @cached_property
    def _by_name(self) -> dict[str, Path]:
        """Every source by its file name: made once, on the first article that names a .md file."""
        return {source.name: source for source in self.site.catalogue.sources}

    @cached_property
    def _accepted_by_slug(self) -> dict[str, list[Path]]:
        """The accepted sources of each slug (an article and its editions), in the catalogue's order."""
        found = self.site.catalogue
        by_slug: dict[str, list[Path]] = {}
        for source in found.accepted:
            if (slug := found.slugs.get(source)) is not None:
                by_slug.setdefault(slug, []).append(source)
        return by_slug

    def _md_names(self, source: Path) -> list[str]:
        from urllib.parse import unquote

        try:
            data = source.read_bytes()
        except OSError:
            return []
        if b".md" not in data:
            return []
        names = {unquote(name.decode("utf-8", "replace").strip()) for name in _md_names_in(data)}
        return sorted(name for name in names if name != ".md")

    # --- a product's inputs ---------------------------------------------------------------------

    def images(self, images: list[Path] | None) -> str:
        """The pictures a product shows, by their place in the project and content."""
        lines = (f"{self.name(image)}\0{self.file(image)}" for image in images or ())
        return digest("\n".join(lines).encode())

    def shared(self, product, language: str | None) -> tuple[str, dict[str, str]]:
        """What every article's product of one kind in one language is made with (the code, the safety
        text, the settings, the fonts, its layouts, the language's catalog), and its digest: the same for
        a thousand articles, so hashed once per run and kept once in the build's record."""
        from .languages import primary_language

        key = (product.layouts, None if language is None else primary_language(language))
        if key not in self._shared:
            parts = {**self.made, **self.layouts(product.layouts), **self.catalogs(language)}
            self._shared[key] = (fingerprint_of(parts), parts)
        return self._shared[key]

    def own(self, variant: str, source: Path, images: list[Path] | None = None) -> dict[str, str]:
        """What one article's product alone is made of: the article, its pictures, what it links to."""
        return {**self.links(source), "variant": variant, "source": self.file(source), "images": self.images(images)}

    def account(self, product, variant: str, source: Path, images: list[Path] | None = None) -> Account:
        """Every input of one variant of one product of one article (images as its last build found them)."""
        digest_of_shared, shared = self.shared(product, self.language_of(source))
        return Account(digest_of_shared, shared, self.own(variant, source, images))

    def parts(self, product, variant: str, source: Path, images: list[Path] | None = None) -> dict[str, str]:
        """Every input of one variant of one product of one article, part by part."""
        return self.account(product, variant, source, images).parts

    def of(self, product, variant: str, source: Path, images: list[Path] | None = None) -> str:
        """The fingerprint of one variant of one product of one article."""
        return self.account(product, variant, source, images).fingerprint

    def parts_of_several(self, product, variant: str, reads: list[Path], images: list[Path]) -> dict[str, str]:
        """Every input of a product made of several files (a newsletter issue, the combined guide): each
        file it read by its own name, so a change names the article, and a file gone or added shows; and
        what each of them links to."""
        parts = {
            **self.made,
            **self.layouts(product.layouts),
            **self.catalogs(None),
            "variant": variant,
            "images": self.images(images),
        }
        for path in reads:
            parts.update(self.links(path))
            parts[f"file:{self.name(path)}"] = self.file(path)
        return parts


def _tails(written: str) -> list[str]:
    """The file names a written target could mean: its last path segment, and each tail of it after a
    space (the finder takes a run of words before .md)."""
    last = written.replace("\\", "/").rsplit("/", 1)[-1]
    words = last.split(" ")
    return [" ".join(words[i:]) for i in range(len(words))]


def program_version(found: Path | None) -> str:
    """An installed program by its real file's size and time: an upgrade replaces the file."""
    if found is None:
        return "(none)"
    stat = found.resolve().stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def _md_names_in(data: bytes) -> list[bytes]:
    """Each run of bytes ending in ".md" (not ".mdx") that holds no _NAME_STOPS, at most one per ".md"."""
    names: list[bytes] = []
    taken = 0  # where the previous name ended: names never overlap
    for end in _MD_END.finditer(data):
        start = end.start()
        while start > taken and data[start - 1] not in _NAME_STOPS:
            start -= 1
        names.append(data[start : end.end()])
        taken = end.end()
    return names
