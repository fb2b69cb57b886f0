"""The words the layouts and the products print, per language: gettext catalogs in layouts/locale/.

The default language's words are the messages themselves (no catalog, and Babel is not imported).
Another language's come from ``layouts/locale/<language>/LC_MESSAGES/messages.po``, read with Babel
and checked against ``layouts/locale/messages.pot`` when first used: every message needs a
translation that is neither empty nor fuzzy, and a message that is not in the catalog at all (a
layout changed without ``invoke messages``) stops the build where it is printed. Never an English
word in another language's product.

Messages are "newstyle", as Jinja2's i18n extension writes them: placeholders are ``%(name)s`` and
the message is always a format string (a literal percent sign is ``%%``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import PublishingError, PublishingErrors

LOCALE = "locale"
TEMPLATE = "messages.pot"
DOMAIN = "messages"


def catalog_path(layouts: Path, language: str) -> Path:
    """layouts/locale/<language>/LC_MESSAGES/messages.po"""
    return layouts / LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def template_path(layouts: Path) -> Path:
    return layouts / LOCALE / TEMPLATE


def language_name(language: str) -> str:
    """es -> Spanish (for staff, in messages)."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language).english_name or language
    except (UnknownLocaleError, ValueError):
        return language


class MissingWord(PublishingError):
    """A message printed in a language whose catalog does not have it."""


@dataclass(eq=False)
class Lookup:
    """The raw lookup Jinja2's ``install_gettext_translations`` calls (it formats the result itself)."""

    words: Words

    def gettext(self, message: str) -> str:
        return self.words.lookup(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.words.lookup_plural(singular, plural, n)


@dataclass(eq=False)
class Words:
    """One language's catalog. Identity (the messages as written) for the default language."""

    language: str
    messages: dict[str, Any] = field(default_factory=dict)  # msgid -> str, or tuple of plural forms
    plural: Any = None  # n -> index of the plural form (None: English's n != 1)
    source: Path | None = None  # the .po file, None for the default language

    @property
    def is_identity(self) -> bool:
        return self.source is None

    @functools.cached_property
    def translations(self) -> Lookup:
        """What Jinja2's i18n extension is given (``env.install_gettext_translations``)."""
        return Lookup(self)

    def lookup(self, message: str) -> str:
        if self.is_identity:
            return message
        found = self.messages.get(message)
        if isinstance(found, str):
            return found
        raise self._missing(message)

    def lookup_plural(self, singular: str, plural: str, n: int) -> str:
        if self.is_identity:
            return singular if n == 1 else plural
        found = self.messages.get(singular)
        if isinstance(found, tuple):
            index = int(self.plural(n)) if self.plural else int(n != 1)
            return found[min(index, len(found) - 1)]
        raise self._missing(singular)

    def gettext(self, message: str, **values) -> str:
        """``message`` in this language, its ``%(name)s`` placeholders filled from ``values``."""
        return self.lookup(message) % values

    def ngettext(self, singular: str, plural: str, n: int, **values) -> str:
        """The form for ``n``; ``%(num)s`` is ``n`` unless ``values`` say otherwise (as in Jinja2)."""
        return self.lookup_plural(singular, plural, n) % {"num": n, **values}

    def _missing(self, message: str) -> MissingWord:
        assert self.source is not None
        return MissingWord(
            self.source,
            f"no {language_name(self.language)} for {message!r}: the message is not in the catalog",
            hint=f"run invoke messages, then translate it in {_shown(self.source)}",
        )


@functools.cache
def identity(language: str) -> Words:
    """The default language's words: the messages as written."""
    return Words(language)


def load_words(layouts: Path, language: str, *, default: bool) -> Words:
    """The words of ``language``: identity for the default language, else its checked catalog (read
    once per process while the catalog's files stay the same: the preview sees an edited one)."""
    if default:
        return identity(language)
    layouts = layouts.resolve()
    files = (catalog_path(layouts, language), template_path(layouts))
    return _cached_catalog(layouts, language, tuple(_fingerprint(path) for path in files))


def _fingerprint(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "(missing)"


@functools.lru_cache(maxsize=8)
def _cached_catalog(layouts: Path, language: str, fingerprints: tuple[str, ...]) -> Words:
    return _load_catalog(layouts, language)


def _shown(path: Path) -> str:
    """layouts/locale/es/LC_MESSAGES/messages.po: from the layouts folder's parent."""
    parts = path.parts
    if "layouts" in parts:
        return "/".join(parts[len(parts) - 1 - parts[::-1].index("layouts") :])
    return str(path)


def _load_catalog(layouts: Path, language: str) -> Words:
    from babel.messages.pofile import PoFileError, read_po

    path = catalog_path(layouts, language)
    pot = template_path(layouts)
    name = language_name(language)
    if not path.is_file():
        raise PublishingError(
            path,
            f"no {name} message catalog: the words the layouts print have no {name} translation",
            hint=f"create it with pybabel init -i {_shown(pot)} -d {_shown(path.parents[2])} -l {language} "
            "and translate every message (never an English fallback)",
        )
    if not pot.is_file():
        raise PublishingError(pot, "no message template", hint="run invoke messages to extract it")
    try:
        with path.open("rb") as file:
            catalog = read_po(file, locale=language, abort_invalid=True)
        with pot.open("rb") as file:
            template = read_po(file)
    except (PoFileError, ValueError) as error:
        raise PublishingError(path, f"the message catalog cannot be read: {error}", hint="fix it") from None
    messages = _translated(catalog)
    PublishingErrors.raise_if_any(_untranslated(catalog, template, messages, path, name))
    return Words(language, messages, _plural_function(catalog.plural_expr), path)


def _translated(catalog) -> dict[str, Any]:
    """Each message the catalog translates (not fuzzy; a plural one only with every form): its id ->
    its translation, or the tuple of its plural forms."""
    messages: dict[str, Any] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        key = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
        strings = message.string if isinstance(message.string, (list, tuple)) else None
        if strings is not None:
            if all(strings):
                messages[key] = tuple(strings)
        elif message.string:
            messages[key] = message.string
    return messages


def _untranslated(catalog, template, messages: dict[str, Any], path: Path, name: str) -> list[PublishingError]:
    """Every message of the template the catalog leaves without a translation, each at its line."""
    problems: list[PublishingError] = []
    for wanted in template:
        if not wanted.id:
            continue
        key = wanted.id[0] if isinstance(wanted.id, (list, tuple)) else wanted.id
        plural = isinstance(wanted.id, (list, tuple))
        have = messages.get(key)
        if isinstance(have, tuple if plural else str):
            continue
        entry = catalog.get(wanted.id)
        if entry is None:
            state = "it is not in the catalog"
        elif entry.fuzzy:
            state = "its translation is marked fuzzy"
        else:
            state = "its translation is empty"
        problems.append(
            PublishingError(
                path,
                f"no {name} for {key!r} ({state})",
                line=getattr(entry, "lineno", None) if entry is not None else None,
                hint=f"translate it in {_shown(path)}"
                + (
                    " (run invoke messages first: pybabel update adds it there)"
                    if entry is None
                    else " and remove its fuzzy flag"
                    if entry.fuzzy
                    else ""
                ),
            )
        )
    return problems


def _plural_function(expression: str):
    import gettext

    try:
        return gettext.c2py(expression)
    except ValueError:
        return None


# How `invoke messages` runs pybabel (the tests run the same): every layout and Python file under the
# project's root, per babel.cfg. pybabel skips folders starting with "_" by default; layouts/_partials
# holds words too. No locations (a moved line would change the catalogs) and no header in the template
# (no dates that change on every run).
EXTRACT_OPTIONS = (
    "-F",
    "babel.cfg",
    "-k",
    "_",
    "--no-location",
    "--omit-header",
    "--ignore-dirs",
    ".* __pycache__ node_modules",
)


def extract_command(root: Path, output: Path) -> list[str]:
    """The pybabel command that extracts every message into ``output`` (a .pot file)."""
    return ["pybabel", "extract", *EXTRACT_OPTIONS, "-o", str(output), str(root)]


def messages(root: Path) -> int:
    """`invoke messages`: update the catalogs, then say what each language still lacks."""
    import sys

    from .errors import shown_path

    catalogs = update_catalogs(root)
    print(f"wrote {shown_path(template_path(root / 'layouts'))}")
    code = 0
    for catalog in catalogs:
        language = catalog.parents[1].name
        try:
            _load_catalog((root / "layouts").resolve(), language)
        except PublishingError as error:
            print(error, file=sys.stderr)
            code = 1
        else:
            print(f"{shown_path(catalog)}: every message has its {language_name(language)}")
    return code


def update_catalogs(root: Path) -> list[Path]:
    """Extract layouts/locale/messages.pot from the layouts and the pipeline, then bring every
    language's messages.po up to date with it (new messages untranslated, as pybabel update leaves
    them: a build in that language then fails until they are translated). Returns the catalogs."""
    import os

    from babel.messages.frontend import CommandLineInterface

    layouts = root / "layouts"
    pot = template_path(layouts)
    pot.parent.mkdir(parents=True, exist_ok=True)
    here = os.getcwd()
    os.chdir(root)  # babel.cfg's patterns are relative to the folder extracted
    try:
        cli = CommandLineInterface()
        cli.run(["pybabel", "-q", *extract_command(Path("."), pot.relative_to(root))[1:]])
        catalogs = sorted((layouts / LOCALE).glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
        for catalog in catalogs:
            cli.run(
                [
                    "pybabel",
                    "-q",
                    "update",
                    "-i",
                    str(pot.relative_to(root)),
                    "-o",
                    str(catalog.relative_to(root)),
                    "-l",
                    catalog.parents[1].name,
                    "--ignore-obsolete",
                    "--width",
                    "100",
                ]
            )
            _without_dates(catalog)
    finally:
        os.chdir(here)
    return catalogs


# Header lines pybabel update writes afresh on every run (git knows who changed what, and when).
_CHURN = re.compile(r'^"(POT-Creation-Date|PO-Revision-Date|Report-Msgid-Bugs-To|Generated-By): .*\n', re.MULTILINE)


def _without_dates(catalog: Path) -> None:
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(_CHURN.sub("", text), encoding="utf-8")
