"""`invoke translate <slug> --lang es`: a translation's source, recording which version of its English
source it translates; `--current` records that the translator has brought it up to date.

The record is the English source's version mark (the one printed on its products), so a printed
English handout, its source and the translation made from it can be matched, and the gate can tell
when the English text changed after the translation was made (stale). Dates cannot tell: git does
not keep them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .article import source_version
from .errors import PublishingError, shown_path
from .languages import primary_language
from .site import Site

# What a translation takes from its source's front matter: the words to translate. Not the review:
# a translation of clinical text is a clinical document and needs its own (last_reviewed).
TRANSLATED_KEYS = ("title", "description", "author", "category", "newsletter")

HEADER = """\
# {language} translation of {original}.
# Translate the title, the description, the category and the text below; keep the keys.
# A translation of clinical text is a clinical document: a clinician reviews it and adds last_reviewed.
# source_version is the version of the English source this translates: when that source changes,
# `invoke check` reports this translation as stale. Once it matches the source again, run:
#   invoke translate {slug} --lang {edition} --current
"""


@dataclass(frozen=True)
class Translation:
    path: Path
    original: Path
    version: str
    created: bool  # False: an existing translation's record brought up to date
    previous: str = ""


def translate(site: Site, slug: str, lang: str, *, current: bool = False) -> Translation:
    """Scaffold sources/<slug>.<lang>.md (never over an existing file), or with ``current`` record that
    it translates the English source as it is now."""
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", lang or ""):
        raise PublishingError(None, f"'{lang}' is not a language tag", hint="use a tag such as es or es-US")
    edition = primary_language(lang)
    if edition == site.language:
        raise PublishingError(
            None,
            f"{site.language_name} is the default language: its articles are the originals",
            hint="choose the language to translate into, e.g. --lang es",
        )
    found = site.catalogue
    original = next((s for s in found.accepted if s not in found.editions and found.slugs[s] == slug), None)
    if original is None:
        originals = sorted({found.slugs[s] for s in found.accepted if s not in found.editions})
        raise PublishingError(
            site.folders.sources,
            f"no article with the slug '{slug}'",
            hint=f"choose from {', '.join(originals) or '(none)'}",
        )
    path = site.folders.sources / f"{slug}.{edition}.md"
    version = source_version(original)
    if current:
        return _record_current(path, original, version, slug, edition)
    if path.exists():
        raise PublishingError(
            path,
            "this translation already exists; it is never overwritten",
            hint=f"edit it; once it matches {shown_path(original)}, run "
            f"'invoke translate {slug} --lang {edition} --current'",
        )
    text = _scaffold(site, original, lang, edition, slug, version)
    from .files import write_new

    try:
        write_new(path, text)
    except FileExistsError:
        raise PublishingError(path, "this translation already exists; it is never overwritten") from None
    return Translation(path, original, version, created=True)


def _scaffold(site: Site, original: Path, lang: str, edition: str, slug: str, version: str) -> str:
    import yaml

    from .frontmatter import read_source

    source = read_source(original)
    tag = lang if "-" in lang else _with_region(edition, site.settings.default_lang)
    kept = {key: source.metadata[key] for key in TRANSLATED_KEYS if key in source.metadata}
    header = HEADER.format(
        language=site.in_language(edition).language_name,
        original=shown_path(original),
        slug=slug,
        edition=edition,
    )
    front = yaml.safe_dump(kept, allow_unicode=True, sort_keys=False, width=100)
    return (
        f'---\n{header}{front}lang: {tag}\nsource_version: "{version}"\n'
        "# last_reviewed: YYYY-MM-DD   <- the clinician who reviews the translation adds this\n"
        f"---\n{source.body if source.body.startswith(chr(10)) else chr(10) + source.body}"
    )


def _with_region(edition: str, default_lang: str) -> str:
    """es + en-US -> es-US: the clinic's readers' region, in the new language."""
    region = default_lang.partition("-")[2]
    return f"{edition}-{region}" if region else edition


def _record_current(path: Path, original: Path, version: str, slug: str, edition: str) -> Translation:
    if not path.is_file():
        raise PublishingError(
            path,
            "there is no translation to bring up to date",
            hint=f"create it first: invoke translate {slug} --lang {edition}",
        )
    text = path.read_text(encoding="utf-8-sig")
    parts = re.match(r"(---\r?\n)(.*?\r?\n)(---\r?\n)", text, flags=re.DOTALL)
    if parts is None:
        raise PublishingError(path, "the translation has no front matter", line=1, hint="restore its '---' lines")
    front = parts.group(2)
    line = f'source_version: "{version}"'
    recorded = re.search(r"^source_version:[ \t]*['\"]?([^'\"\s]*)['\"]?[ \t]*$", front, flags=re.MULTILINE)
    previous = recorded.group(1) if recorded else ""
    front = front[: recorded.start()] + line + front[recorded.end() :] if recorded else front + line + "\n"
    updated = parts.group(1) + front + parts.group(3) + text[parts.end() :]
    from .files import replace_file

    replace_file(path, updated)
    return Translation(path, original, version, created=False, previous=previous)
