"""One source file -> one ``Article``: the model every product reads.

The Markdown is converted once, here; no product re-parses it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from .dates import source_date
from .errors import PublishingError, PublishingErrors
from .folders import Folders
from .frontmatter import line_of, read_source
from .htmltext import block_lines
from .languages import primary_language, refusal
from .review_fields import REVIEW_KEYS, Reviewer, content_version, review_fields
from .settings import Settings
from .source_limits import check_depth, check_size
from .unfinished import check_unfinished

if TYPE_CHECKING:  # the Markdown converter is imported only when an article is loaded
    from .markup import Heading

REQUIRED_KEYS = ("title", "description", "author")
OPTIONAL_KEYS = (*REVIEW_KEYS, "category", "lang", "slug", "newsletter", "source_version")
LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
# sources/<slug>.<lang>.md is a translation of sources/<slug>.md (design.md section 8).
EDITION_NAME = re.compile(r"^(?P<slug>.+)\.(?P<edition>[a-z]{2,3})$")


@dataclass(frozen=True)
class Image:
    """A local image the article shows, resolved inside sources/."""

    src: str
    path: Path
    alt: str
    line: int | None


@dataclass(frozen=True)
class Article:
    source: Path
    slug: str
    title: str
    description: str
    author: str
    lang: str
    body_html: str
    headings: tuple[Heading, ...]
    images: tuple[Image, ...]
    newsletter_subject: str
    newsletter_preheader: str  # as the front matter gives it; empty: the newsletter writes one
    # The products' date (see dates.py): reproducible, never the clock.
    date: dt.datetime
    # A short mark of the source's exact text, printed on the products: a printed copy can be matched to
    # the source it came from.
    version: str = ""
    last_reviewed: dt.date | None = None
    medical_reviewer: Reviewer | None = None
    reviewed_version: str = ""  # the version the review covered (review_fields.py); "": not recorded
    category: str = ""
    newsletter_style: str = "full"  # or "teaser": the opening and a link to the whole guide
    # A translation: its language ("es") and the version of its English source it translates (that
    # source's version mark, as `invoke translate` recorded it). Empty for an article in the default language.
    edition: str = ""
    source_version: str = ""

    @property
    def name(self) -> str:
        """What its products are named by: the slug, and for a translation the slug and its language
        (how-does-ketamine-work-for-depression.es -> build/handouts/<name>.pdf)."""
        return f"{self.slug}.{self.edition}" if self.edition else self.slug

    @property
    def articles(self) -> tuple[Article, ...]:
        """What it shows, as every product's subject says (a bundle or an issue shows several)."""
        return (self,)

    @property
    def plain_text(self) -> str:
        """The body as plain text, one block per line (for reading grade and checks)."""
        return block_lines(self.body_html)

    def line_of(self, needle: str) -> int:
        """The line of the source where ``needle`` first occurs (1 when it does not)."""
        text = self.source.read_text(encoding="utf-8-sig", errors="replace")
        return line_of(text, needle) or 1


def slug_from_filename(name: str) -> str:
    """``Sleep & Mood.md`` -> ``sleep-mood``: lower case, other characters become single hyphens."""
    stem = unicodedata.normalize("NFKD", Path(name).stem).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")


def edition_of(path: Path, lang: str | None) -> tuple[str, str] | None:
    """(slug, language) when ``path`` is named as a translation: ``<slug>.<ll>.md`` with a two-letter
    language (its ``lang`` is checked when it loads), or a three-letter one its ``lang`` confirms."""
    match = EDITION_NAME.match(path.stem)
    if not match:
        return None
    confirmed = isinstance(lang, str) and primary_language(lang) == match["edition"]
    return (match["slug"], match["edition"]) if confirmed or len(match["edition"]) == 2 else None


def source_version(path: Path) -> str:
    """The version mark of a source's exact bytes: printed on its products, recorded by a translation."""
    return content_version(path.read_bytes())


def _language(text: dict, settings: Settings, fail) -> str:
    """The article's language tag; a tag that is none, or a language whose script cannot be set yet, fails."""
    lang = text.get("lang") or settings.default_lang
    if not LANG_TAG.match(lang):
        fail("lang", f"'lang' is not a language tag: {lang!r}", "use a tag such as en-US or es")
    elif refused := refusal(lang):
        fail("lang", *refused)
    return lang


def load_article(path: Path, settings: Settings, sources_root: Path, cannot_print=None, *, body=True) -> Article:
    """Read, validate and convert one source; raise PublishingError on any user mistake. ``cannot_print``:
    which product cannot show a character (the catalogue's, as the products declare it; leftovers.py).
    Without ``body``, its front matter alone, checked, and no text (what a list of articles shows)."""
    path = path.resolve()
    source = read_source(path)
    meta, lines = source.metadata, source.key_lines

    problems: list[PublishingError] = []

    def fail(key: str, message: str, hint: str) -> None:
        problems.append(PublishingError(path, message, line=lines.get(key, 1), hint=hint))

    text = _front_matter_text(path, meta, fail, problems)
    review = review_fields(meta, fail)
    subject, preheader, style = _newsletter(meta.get("newsletter"), text, fail)

    lang = _language(text, settings, fail)
    edition, recorded = _edition(path, meta, lang, settings, fail)
    slug = edition[0] if edition else text.get("slug") or slug_from_filename(path.name)
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug):
        fail(
            "slug",
            f"'slug' may hold only lower-case letters, digits and hyphens: {slug!r}",
            "for example sleep-and-mood",
        )
    PublishingErrors.raise_if_any(problems)
    _check_body(source)
    version = source_version(path)
    # The Markdown's conversion is most of the time: a list of a thousand articles needs none.
    html, headings, images = _converted(source, edition, settings, sources_root, cannot_print, lang) if body else _NONE
    return Article(
        source=path,
        slug=slug,
        title=text["title"],
        description=text["description"],
        author=text["author"],
        lang=lang,
        body_html=html,
        headings=headings,
        images=images,
        newsletter_subject=subject,
        newsletter_preheader=preheader,
        newsletter_style=style,
        last_reviewed=review.last_reviewed,
        medical_reviewer=review.reviewer,
        reviewed_version=review.version,
        category=text.get("category", ""),
        date=source_date(path, review.last_reviewed if review.version in ("", version) else None),
        version=version,
        edition=edition[1] if edition else "",
        source_version=recorded,
    )


_NONE: tuple[str, tuple, tuple] = ("", (), ())  # no body: no text, no headings, no pictures


def _converted(source, edition, settings, sources_root, cannot_print, lang) -> tuple[str, tuple, tuple[Image, ...]]:
    """The body as HTML, its headings and the pictures it shows."""
    from . import markup

    body = _finished_body(source, edition[1] if edition else "", settings, sources_root, cannot_print)
    converted = markup.to_html(body, _words(settings, lang))
    check_depth(source, converted.html)
    return converted.html, converted.headings, _images(converted, source, sources_root)


def _front_matter_text(path: Path, meta: dict, fail, problems: list[PublishingError]) -> dict[str, str]:
    """The front matter's keys checked (none unknown, the required ones there), and its text fields,
    spaces folded."""
    for key in meta:
        if key not in REQUIRED_KEYS + OPTIONAL_KEYS:
            fail(key, f"unknown front matter key '{key}'", f"use one of: {', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)}")
    for key in REQUIRED_KEYS:
        if key not in meta:
            problems.append(
                PublishingError(
                    path,
                    f"front matter is missing '{key}'",
                    line=1,
                    hint=f"add a line '{key}: ...' between the '---' lines",
                )
            )
    text: dict[str, str] = {}
    for key in ("title", "description", "author", "category", "lang", "slug"):
        value = meta.get(key)
        if value is None:
            if key in REQUIRED_KEYS and key in meta:
                fail(key, f"'{key}' is empty", f"give the article a {key}")
            continue
        if not isinstance(value, str):
            fail(key, f"'{key}' must be text, not {type(value).__name__}", "put the value in quotes")
            continue
        text[key] = " ".join(value.split())
        if key in REQUIRED_KEYS and not text[key]:
            fail(key, f"'{key}' is empty", f"give the article a {key}")
    return text


def _finished_body(source, edition: str, settings: Settings, sources_root: Path, cannot_print) -> str:
    """The body to convert: what pasting leaves behind refused, and nothing unfinished in it."""
    from .leftovers import check_leftovers, nobody

    body, leftovers = check_leftovers(source.path, source.body, source.body_line, cannot_print or nobody)
    PublishingErrors.raise_if_any(leftovers)
    check_unfinished(source, edition, settings.default_lang, sources_root)
    return body


def _check_body(source) -> None:
    """The article's text after its front matter: there, and within the limits of one source."""
    if not source.body.strip():
        raise PublishingError(
            source.path,
            "the article has no text after the front matter",
            line=source.body_line,
            hint="write the article below the second '---'",
        )
    check_size(source)


def _edition(path: Path, meta: dict, lang: str, settings: Settings, fail) -> tuple[tuple[str, str] | None, str]:
    """A translation's (slug, language) and the source version it records; every mistake in naming one."""
    default = primary_language(settings.default_lang)
    edition = edition_of(path, lang)
    recorded = meta.get("source_version")
    if edition is None or edition[1] == default:
        if recorded is not None:
            fail("source_version", "only a translation records 'source_version'", "remove it from this article")
        return None, ""
    slug, language = edition
    if primary_language(lang) != language:
        fail(
            "lang",
            f"the file name says this is the '{language}' translation of {slug}.md, but its lang is {lang!r}",
            f"set 'lang: {language}-US' (or the right tag) in its front matter, or rename the file",
        )
    if "slug" in meta:
        fail(
            "slug",
            "a translation takes its slug from its file name (<slug>.<lang>.md)",
            "remove 'slug' from its front matter",
        )
    if not isinstance(recorded, str) or not re.fullmatch(r"[0-9a-f]{7}", recorded.strip()):
        fail(
            "source_version" if "source_version" in meta else "lang",
            "a translation must record which version of its English source it translates",
            f"write it in quotes, or run 'invoke translate {slug} --lang {language} --current' once it matches "
            f"sources/{slug}.md",
        )
        return edition, ""
    return edition, recorded.strip()


def _words(settings: Settings, lang: str):
    """The catalog of the article's language (None for the default language's, written in the code), from
    layouts/locale/ beside the settings' pyproject.toml, where every project keeps its layouts."""
    language = primary_language(lang)
    if language == primary_language(settings.default_lang) or settings.path is None:
        return None
    from .words import load_words

    return load_words(Folders.at(settings.path.parent).layouts, language, default=False)


NEWSLETTER_STYLES = ("full", "teaser")


def _newsletter(value, text: dict, fail) -> tuple[str, str, str]:
    """The newsletter's subject (default: the title), its preheader (empty: the newsletter writes one
    that adds to the subject) and its style: the whole article, or its opening as a teaser."""
    value = value or {}
    if not isinstance(value, dict) or not set(value) <= {"subject", "preheader", "style"}:
        fail(
            "newsletter",
            "'newsletter' may set only 'subject', 'preheader' and 'style'",
            "write it as {subject: ..., preheader: ..., style: teaser}",
        )
        value = {}
    for key in ("subject", "preheader", "style"):
        if key in value and not isinstance(value[key], str):
            fail("newsletter", f"newsletter '{key}' must be text", "put it in quotes")
            value = {k: v for k, v in value.items() if k != key}
    style = str(value.get("style") or "full").strip()
    if style not in NEWSLETTER_STYLES:
        fail(
            "newsletter",
            f"newsletter style '{style}' is not one of {', '.join(NEWSLETTER_STYLES)}",
            "write style: teaser (the opening and a link to the guide) or leave it out (the whole article)",
        )
        style = "full"
    subject = " ".join(str(value.get("subject") or text.get("title", "")).split())
    preheader = " ".join(str(value.get("preheader") or "").split())
    return subject, preheader, style


def _images(converted, source, sources_root: Path) -> tuple[Image, ...]:
    """Resolve every image to a file inside sources/ and decode it; anything else is a clear error."""
    from .images import picture_problem

    alts = _alt_pairs(converted.html)
    images = []
    for src in converted.image_sources:
        alt = alts.get(src, "")
        line = _line_of_image(source, src, alt)
        parts = urlsplit(src)
        if parts.scheme in ("http", "https"):
            raise PublishingError(
                source.path,
                f"remote image '{src}' is not fetched at build time",
                line=line,
                hint=f"run 'invoke fetch-images {source.path.stem}' once to save it under sources/images/ (the clinic "
                "must have the right to use it), or save it there yourself and link it by its relative path",
            )
        if parts.scheme or src.startswith("/") or not parts.path:
            shown = src if len(src) < 60 else src[:57] + "..."
            raise PublishingError(
                source.path,
                f"image '{shown}' is not a path inside sources/",
                line=line,
                hint="link images by a relative path such as images/brain.png",
            )
        resolved = (source.path.parent / unquote(parts.path)).resolve()
        if not resolved.is_relative_to(sources_root.resolve()):
            raise PublishingError(
                source.path,
                f"image '{src}' is outside sources/",
                line=line,
                hint="copy it into sources/images/ and link it from there",
            )
        if not resolved.is_file():
            raise PublishingError(
                source.path,
                f"image '{src}' does not exist",
                line=line,
                hint="check the file name, or add the image under sources/images/",
            )
        picture_problem(source.path, src, resolved, line)
        if not alt.strip():
            raise PublishingError(
                source.path,
                f"image '{src}' has no alternative text",
                line=line,
                hint="describe it for screen readers: ![What the picture shows](...)",
            )
        images.append(Image(src=src, path=resolved, alt=alt, line=line))
    return tuple(images)


def _line_of_image(source, src: str, alt: str = "") -> int | None:
    """Where an image is written: as Markdown ![alt](src), or raw HTML with src= quoted or not."""
    for needle in (f"![{alt}]({src}", f"]({src}", f'src="{src}"', f"src='{src}'", f"src={src}", src):
        line = line_of(source.body, needle, source.body_line)
        if line is not None:
            return line
    return None


def _alt_pairs(html: str) -> dict[str, str]:
    """src -> alt of every image left in the sanitised HTML; a missing alt wins, so an image used twice
    is refused if either use lacks one."""
    import lxml.html

    if "<img" not in html:
        return {}
    fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    alts: dict[str, str] = {}
    for img in fragment.iter("img"):
        src, alt = img.get("src", ""), img.get("alt", "")
        if src not in alts or not alt.strip():
            alts[src] = alt
    return alts
