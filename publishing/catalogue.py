"""Which files in sources/ are articles, and the slug that names each one's products.

Two sources that resolve to the same slug (by front matter or file name) would write the
same products, the later silently replacing the earlier: both are refused at discovery,
naming each other, and neither's products in build/ are touched. A slug that names a
product of its own (the combined guide's: each product declares its ``reserved`` names) is refused the
same way.

A translation (``<slug>.<lang>.md`` with ``lang`` in that language) is an edition of the article
with that slug: its products are named ``<slug>.<lang>``, and one without its article is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .errors import PublishingError


@dataclass
class Catalogue:
    sources: list[Path]  # every article source, in file-name order
    slugs: dict[Path, str]
    refused: dict[Path, PublishingError] = field(default_factory=dict)
    titles: dict[Path, str] = field(default_factory=dict)  # as the front matter gives them, for links
    editions: dict[Path, str] = field(default_factory=dict)  # a translation's language ("es"); else absent
    # Which product cannot show a character (None: every one can), as the products declare it.
    cannot_print: Callable[[str], str | None] | None = None
    langs: dict[Path, str] = field(default_factory=dict)  # the 'lang:' its front matter gives, if any

    @property
    def accepted(self) -> list[Path]:
        return [source for source in self.sources if source not in self.refused]

    def name(self, source: Path) -> str:
        """What the source's products are named by: its slug, and a translation's language after it."""
        edition = self.editions.get(source)
        return f"{self.slugs[source]}.{edition}" if edition else self.slugs[source]

    def original(self, source: Path) -> Path | None:
        """The article a translation translates (None for an article that is not a translation)."""
        if source not in self.editions:
            return None
        return self._originals.get(self.slugs[source])

    @cached_property
    def _originals(self) -> dict[str, Path]:
        """Each slug's first article that is not a translation, in file-name order. Looked up for every
        translation at discovery (a scan of every source each time grew with the square of the editions:
        1,000 translations of 1,000 articles, two million comparisons in each build with nothing to do)."""
        originals: dict[str, Path] = {}
        for source in self.sources:
            if source not in self.editions:
                originals.setdefault(self.slugs[source], source)
        return originals

    def translation(self, source: Path, edition: str) -> Path | None:
        """The accepted ``edition`` translation of an article, if there is one."""
        slug = self.slugs[source]
        return next(
            (s for s in self.accepted if self.editions.get(s) == edition and self.slugs[s] == slug),
            None,
        )

    def languages(self, source: Path) -> list[str]:
        """The editions of the article ``source`` (itself an original) that are there, in name order."""
        slug = self.slugs[source]
        return sorted(self.editions[s] for s in self.accepted if s in self.editions and self.slugs[s] == slug)


def discover(sources: Path) -> list[Path]:
    """Every article in ``sources``: Markdown files not starting with '_' (those are partial sources)."""
    if not sources.is_dir():
        raise PublishingError(
            sources,
            "the sources folder does not exist",
            hint="create it, or pass --sources with the folder that holds the articles",
        )
    return sorted((p for p in sources.glob("*.md") if not p.name.startswith(("_", "."))), key=_reading_order)


def _reading_order(path: Path) -> tuple[str, int, str]:
    """File-name order, each article's translations right after it (x.md, x.es.md, y.md)."""
    from .article import EDITION_NAME

    named = EDITION_NAME.match(path.stem)
    return (named["slug"], 1, path.name) if named else (path.stem, 0, path.name)


def catalogue(
    sources_dir: Path,
    known: dict[str, list[str]] | None = None,
    default_language: str = "en",
    reserved: Mapping[str, str] | None = None,
    cannot_print: Callable[[str], str | None] | None = None,
) -> Catalogue:
    """Discover the articles and their slugs; refuse every source whose slug is taken (``reserved``: the
    names the products keep for themselves, and why; ``cannot_print``: which product cannot show a
    character: both as products/__init__.py's ``source_rules`` gives them).

    ``known`` maps a source, by its file name (the same wherever the project lies), to ``[content hash,
    slug, title, edition, lang]`` from an earlier run: a source whose bytes are unchanged is not parsed
    again (and ``known`` is brought up to date)."""
    sources = discover(sources_dir)
    known = known if known is not None else {}
    folders = {source for source in sources if not source.is_file()}  # a folder (or a link to one) named *.md
    found = Catalogue(sources, {}, {}, cannot_print=cannot_print)
    _names(found, folders, known, default_language)
    _refuse(found, folders, reserved or {})
    return found


def _names(found: Catalogue, folders: set[Path], known: dict[str, list[str]], default_language: str) -> None:
    """Each source's slug, title, (for a translation) edition and declared language: read again only when
    its bytes changed since ``known`` recorded them (``known`` is brought up to date)."""
    slugs, titles, editions, langs = found.slugs, found.titles, found.editions, found.langs
    for source in found.sources:
        if source in folders:
            slugs[source], titles[source] = source.stem, ""
            continue
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        cached = known.get(source.name)
        if not (isinstance(cached, list) and len(cached) == 5 and cached[0] == digest):
            cached = [digest, *_slug_and_title(source, default_language)]
            known[source.name] = cached
        slugs[source], titles[source] = cached[1], cached[2]
        if cached[3]:
            editions[source] = cached[3]
        if cached[4]:
            langs[source] = cached[4]
    for stale in set(known) - {source.name for source in found.sources}:
        del known[stale]


def _refuse(found: Catalogue, folders: set[Path], reserved: Mapping[str, str]) -> None:
    """Every source that cannot be an article, with why: a folder named *.md, a translation of no
    article, a reserved slug, a slug two sources share."""
    from .errors import shown_path

    sources, slugs, editions = found.sources, found.slugs, found.editions
    refused = found.refused
    for source in folders:
        refused[source] = PublishingError(
            source,
            "this is a folder (or a link to one), not an article, though its name ends in .md",
            hint="rename it without .md, or move it out of the sources folder; the other articles are built",
        )
    by_name: dict[str, list[Path]] = {}
    for source in sources:
        if source in folders:
            continue
        by_name.setdefault(found.name(source), []).append(source)
    for source in editions:
        if found.original(source) is None:
            refused[source] = PublishingError(
                source,
                f"this translation has no article to translate: there is no article with the slug '{slugs[source]}'",
                hint=f"name it after its article ({slugs[source]}.md -> {slugs[source]}.{editions[source]}.md), "
                "or add the article first",
            )
    for slug, owners in by_name.items():
        if slug in reserved:
            for source in owners:
                refused[source] = PublishingError(
                    source,
                    f"the slug '{slug}' is {reserved[slug]}",
                    hint="give the article another slug in its front matter",
                )
        elif len(owners) > 1:
            for source in owners:
                others = ", ".join(shown_path(other) for other in owners if other != source)
                refused[source] = PublishingError(
                    source,
                    f"the slug '{slug}' is also the slug of {others}: both would write the same products",
                    hint="give one of them another 'slug:' in its front matter, or rename its file; "
                    "neither is built until then",
                )


def _slug_and_title(source: Path, default_language: str) -> tuple[str, str, str, str]:
    """The slug the article's products are named by (its front matter's, else its file name's), its
    title, for a translation its language, and the 'lang:' it declares. A source whose front matter
    cannot be read is named by its file: loading it reports the mistake."""
    from .article import edition_of, slug_from_filename
    from .frontmatter import read_source

    try:
        metadata = read_source(source).metadata
    except PublishingError:
        metadata = {}
    slug, title, lang = metadata.get("slug"), metadata.get("title"), metadata.get("lang")
    shown_title = " ".join(title.split()) if isinstance(title, str) else ""
    declared = lang if isinstance(lang, str) else ""
    edition = edition_of(source, lang)
    if edition and edition[1] != default_language:
        return edition[0], shown_title, edition[1], declared
    slug = " ".join(slug.split()) if isinstance(slug, str) and slug.strip() else slug_from_filename(source.name)
    return slug, shown_title, "", declared


def load_article_of(site, source: Path):
    """The article ``source`` as every product of it reads it, or the mistake that stops it loading."""
    from .article import load_article

    try:
        return load_article(source, site.settings, site.folders.sources, site.catalogue.cannot_print)
    except PublishingError as error:
        return error


def load_articles(site, cache: dict | None = None) -> tuple[list, list[PublishingError]]:
    """Every article of ``site`` loaded, in file-name order, and every mistake found on the way
    (a shared slug, a broken source), so one run reports them all.

    With ``cache`` (kept by the caller between runs, as the preview does), a source whose bytes,
    settings and images are unchanged is not converted again."""
    from .article import load_article

    found = site.catalogue
    articles, errors = [], []
    settings = site.settings.fingerprint()
    for source in found.sources:
        if source in found.refused:
            errors.append(found.refused[source])
            continue
        key = (hashlib.sha256(source.read_bytes()).hexdigest(), settings)
        cached = cache.get(source) if cache is not None else None
        if cached and cached[0] == key and all(image.path.is_file() for image in cached[1].images):
            articles.append(cached[1])
            continue
        try:
            article = load_article(source, site.settings, site.folders.sources, found.cannot_print)
        except PublishingError as error:
            errors.append(error)
            continue
        articles.append(article)
        if cache is not None:
            cache[source] = (key, article)
    return articles, errors
