"""A newsletter issue: several articles in one email, the way marketing sends the monthly newsletter.

``sources/newsletters/<name>.md`` names the articles (slugs, in order) and holds a short
introduction; the issue links each article where it is read online and carries, as every
email does, the crisis information before the first card and the disclaimer at the end.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ...article import LANG_TAG, Article
from ...errors import PublishingError, PublishingErrors, shown_path
from ...site import Site

FOLDER = "newsletters"  # under sources/: one file per issue
REQUIRED_KEYS = ("title", "articles")
OPTIONAL_KEYS = ("subject", "preheader", "lang")


@dataclass(frozen=True)
class NewsletterIssue:
    source: Path
    slug: str  # the file's name: sources/newsletters/2026-12.md -> 2026-12
    title: str
    newsletter_subject: str
    preheader: str
    lang: str
    intro_html: str
    articles: tuple[Article, ...]
    date: dt.datetime  # the message's Date: reproducible, never the clock
    version: str = ""

    @property
    def name(self) -> str:
        """What its files are named by: the issue file's name (an issue's language is its own)."""
        return self.slug


@dataclass(frozen=True)
class Card:
    """One article in the issue, and where it is read online (empty: the clinic has given no address)."""

    article: Article
    url: str


def discover_issues(sources: Path) -> list[Path]:
    """Every issue in sources/newsletters/, in file-name order (files starting with '_' are not issues)."""
    folder = sources / FOLDER
    return sorted(p for p in folder.glob("*.md") if not p.name.startswith(("_", "."))) if folder.is_dir() else []


def issue_reads(site, path: Path) -> list[Path]:
    """What an issue is made of: its own file, then the sources of the articles it names (by slug now,
    every edition: an issue in any language reads its own), for the build and the gate alike."""
    by_slug: dict[str, list[Path]] = {}
    for source, slug in site.catalogue.slugs.items():
        by_slug.setdefault(slug, []).append(source)
    return [path, *sorted({source for slug in listed_slugs(path) for source in by_slug.get(slug, [])})]


def listed_slugs(path: Path) -> list[str]:
    """The slugs an issue names, read without loading anything (for deciding what it depends on)."""
    from ...frontmatter import read_source

    try:
        listed = read_source(path).metadata.get("articles")
    except PublishingError:
        return []
    return [slug for slug in listed if isinstance(slug, str)] if isinstance(listed, list) else []


def declared_language(path: Path) -> str | None:
    """The language tag an issue's 'lang:' gives, read without loading anything (None: none given)."""
    from ...frontmatter import read_source

    try:
        lang = read_source(path).metadata.get("lang")
    except PublishingError:
        return None
    return lang.strip() if isinstance(lang, str) and LANG_TAG.match(lang.strip()) else None


def _named_language(path: Path) -> str:
    """The language a file name like 2026-06.es.md claims ("es"), as a translation's name would; ""
    for any other name (2026-06-es.md is only a name)."""
    stem, dot, suffix = path.stem.rpartition(".")
    return suffix if dot and stem and re.fullmatch(r"[a-z]{2,3}", suffix) else ""


def _name_disagrees(path: Path, lang: str, given: bool) -> tuple[str, str] | None:
    """(the mistake, its fix) when the file is named like another language's translation."""
    from ...languages import primary_language

    named = _named_language(path)
    if not named or not LANG_TAG.match(lang) or named == primary_language(lang):
        return None
    return (
        f"the file name {path.name} says the issue is in '{named}', but its 'lang' is {lang!r}"
        + ("" if given else " (the default language)"),
        f"set 'lang: {named}' or rename the file: an issue's language is its 'lang'",
    )


def load_issue(path: Path, site: Site, article_of) -> NewsletterIssue:
    """Read and check one issue; ``article_of(slug)`` gives the article, None for no such slug, or the
    PublishingError that stops it from loading. Every mistake is reported at once, at its line."""
    from ...dates import source_date
    from ...frontmatter import read_source
    from ...languages import primary_language

    path = path.resolve()
    source = read_source(path)
    meta, lines = source.metadata, source.key_lines
    problems: list[PublishingError] = []

    def fail(message: str, hint: str, key: str | None = None, line: int | None = None) -> None:
        problems.append(PublishingError(path, message, line=line or lines.get(key or "", 1), hint=hint))

    text = _front_matter_text(meta, fail)
    lang = text.get("lang") or site.settings.default_lang
    if not LANG_TAG.match(lang):
        fail(f"'lang' is not a language tag: {lang!r}", "use a tag such as en-US or es", "lang")
    if disagreement := _name_disagrees(path, lang, "lang" in meta):
        fail(*disagreement, "lang")
    edition = "" if site.in_language(lang).is_default_language else primary_language(lang)
    articles = _listed_articles(path, meta, lines, site, lang, edition, article_of, fail)
    PublishingErrors.raise_if_any(problems)
    titles = [article.title for article in articles]
    return NewsletterIssue(
        source=path,
        slug=path.stem,
        title=text["title"],
        newsletter_subject=text.get("subject") or text["title"],
        preheader=text.get("preheader") or _in_this_issue(titles, site.in_language(lang)),
        lang=lang,
        intro_html=_intro_html(path, source, site.catalogue.cannot_print),
        articles=tuple(articles),
        date=source_date(path),
        version=hashlib.sha256(path.read_bytes()).hexdigest()[:7],
    )


def _front_matter_text(meta: dict, fail) -> dict[str, str]:
    """The issue's keys checked, and its text fields (title, subject, preheader, lang), spaces folded."""
    for key in meta:
        if key not in REQUIRED_KEYS + OPTIONAL_KEYS:
            fail(
                f"unknown front matter key '{key}' in a newsletter issue",
                f"use one of: {', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)}",
                key,
            )
    text: dict[str, str] = {}
    for key in ("title", "subject", "preheader", "lang"):
        value = meta.get(key)
        if value is None:
            if key == "title":
                fail("the issue has no 'title'", "add a line 'title: ...' between the '---' lines", key)
            continue
        if not isinstance(value, str) or not value.strip():
            fail(f"'{key}' must be text", "put the value in quotes", key)
            continue
        text[key] = " ".join(value.split())
    return text


def _listed_articles(
    path: Path, meta: dict, lines: dict, site: Site, lang: str, edition: str, article_of, fail
) -> list[Article]:
    """The articles the issue lists, in its language's editions; each slug that names none, at its line."""
    articles: list[Article] = []
    listed = meta.get("articles")
    if listed is None or listed == []:
        fail(
            "the issue names no articles",
            "list the slugs of its articles under 'articles:', one '- slug' a line",
            "articles" if "articles" in meta else None,
        )
    elif not isinstance(listed, list) or not all(isinstance(slug, str) for slug in listed):
        fail("'articles' must be a list of article slugs", "write one '- slug' a line under 'articles:'", "articles")
    else:
        for slug in dict.fromkeys(" ".join(s.split()) for s in listed):
            line = _line_in_front_matter(path, slug) or lines.get("articles", 1)
            found = article_of(slug, edition)
            if found is None and edition and article_of(slug) is not None:
                fail(
                    f"the article '{slug}' has no {site.in_language(lang).language_name} edition",
                    f"translate it first (invoke translate {slug} --lang {edition}), or leave it out of this issue",
                    line=line,
                )
            elif found is None:
                fail(
                    f"no article with the slug '{slug}'",
                    f"choose from {', '.join(sorted(set(site.catalogue.slugs.values()))) or '(none)'}",
                    line=line,
                )
            elif isinstance(found, PublishingError):
                fail(
                    f"the article '{slug}' does not build",
                    f"fix {shown_path(found.path) if found.path else 'it'} first (its error is reported above)",
                    line=line,
                )
            else:
                articles.append(found)
    return articles


def _intro_html(path: Path, source, cannot_print) -> str:
    """The issue's own introduction (its body), as HTML; an issue's introduction holds no pictures."""
    intro = source.body.strip()
    if not intro:
        return ""
    from ... import markup
    from ...leftovers import check_leftovers, nobody

    body, leftovers = check_leftovers(path, source.body, source.body_line, cannot_print or nobody)
    PublishingErrors.raise_if_any(leftovers)
    converted = markup.to_html(body)
    if converted.image_sources:
        raise PublishingError(
            path,
            "an issue's introduction cannot show pictures",
            line=source.body_line,
            hint="keep the introduction to a few sentences; pictures belong in the articles",
        )
    return converted.html


def _line_in_front_matter(path: Path, slug: str) -> int | None:
    """The line of ``- slug`` in the issue's list."""
    for number, line in enumerate(path.read_text(encoding="utf-8-sig", errors="replace").splitlines(), start=1):
        if re.fullmatch(rf"\s*-\s*['\"]?{re.escape(slug)}['\"]?\s*", line):
            return number
    return None


def _in_this_issue(titles: list[str], site: Site, limit: int = 110) -> str:
    """The preview line: the issue's titles after "In this issue:", as many as fit (the first always)."""
    line = ""
    for index, title in enumerate(titles):
        addition = ("" if index == 0 else " · ") + title
        if index and len(site._("In this issue: %(titles)s", titles=line + addition)) > limit:
            break
        line += addition
    return site._("In this issue: %(titles)s", titles=line)


def cards(issue: NewsletterIssue, site: Site) -> list[Card]:
    """Each article with its address online: only from the clinic's article_url (or, for a translation,
    translation_url) pattern, never guessed."""
    online = site.settings.online_address
    return [Card(article, online(article.slug, article.edition)) for article in issue.articles]


def load_issues(site: Site, paths: list[Path]) -> list[NewsletterIssue | PublishingError]:
    """Each issue loaded, or the mistake that stops it; each article is loaded once for all of them."""
    from ...article import load_article

    found = site.catalogue
    by_name = {found.name(source): source for source in found.accepted}
    loaded: dict[str, Article | PublishingError] = {}

    def article_of(slug: str, edition: str = ""):
        name = f"{slug}.{edition}" if edition else slug
        if name not in by_name:
            refused = [e for s, e in found.refused.items() if found.name(s) == name]
            return refused[0] if refused else None
        if name not in loaded:
            try:
                loaded[name] = load_article(by_name[name], site.settings, site.folders.sources, found.cannot_print)
            except PublishingError as error:
                loaded[name] = error
        return loaded[name]

    issues: list[NewsletterIssue | PublishingError] = []
    for path in paths:
        try:
            issues.append(load_issue(path, site, article_of))
        except PublishingError as error:
            issues.append(error)
    return issues
