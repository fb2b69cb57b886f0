"""What every product of one build shares: the folders, the settings, and, per language, the required
blocks and the words the layouts print."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .blockfile import load_required_blocks
from .errors import PublishingError, shown_path
from .folders import Folders
from .languages import primary_language
from .required import RequiredBlocks
from .settings import Settings, load_settings

if TYPE_CHECKING:
    from .catalogue import Catalogue


class MissingLanguage(PublishingError):
    """A language without its own required blocks: its products cannot be built (no English fallback)."""

    def __init__(self, site: Site, source: Path | None = None):
        self.site = site
        folder = shown_path(site.required_dir)
        super().__init__(
            source or site.required_dir,
            f"no {site.language_name} required blocks",
            hint=f"add {folder}/crisis.md and disclaimer.md (safety text is never shown in another language)",
        )

    def naming(self, source: Path) -> MissingLanguage:
        """The same mistake, reported at the translation that needs the blocks."""
        return MissingLanguage(self.site, source)


class Site:
    """The folders, the settings and (loaded on first use, which a no-op build never needs) the blocks.

    A Site speaks one language: the default language's, or, through ``in_language``, a translation's.
    Its required blocks, its message catalog and its dates are that language's, and there is no
    fallback to English: a language without its blocks or with an untranslated message cannot build."""

    def __init__(self, folders: Folders, settings: Settings, language: str | None = None, tag: str | None = None):
        self.folders = folders
        self.settings = settings
        self.language = language or primary_language(settings.default_lang)
        # The whole tag the language was asked for by (zh-Hant, not zh): its script chooses the fonts.
        self.tag = tag or (settings.default_lang if language is None else self.language)
        self._editions: dict[str, Site] = {}
        self._home: Site = self  # the default language's site, which editions share the catalogue with
        self._catalogue: Catalogue | None = None

    @property
    def is_default_language(self) -> bool:
        return self.language == primary_language(self.settings.default_lang)

    def in_language(self, tag: str) -> Site:
        """The same site, speaking the language of ``tag`` (a BCP 47 tag such as es-US)."""
        language = primary_language(tag)
        if language == self.language:
            return self
        home = self._home
        if language == home.language:
            return home
        if language not in home._editions:
            edition = Site(self.folders, self.settings, language, tag)
            edition._home = home
            home._editions[language] = edition
        return home._editions[language]

    @property
    def required_dir(self) -> Path:
        """sources/_required/ for the default language, sources/_required/<language>/ for another."""
        base = self.folders.required_dir
        return base if self.is_default_language else base / self.language

    @cached_property
    def blocks(self) -> RequiredBlocks:
        if not self.is_default_language and not self.required_dir.is_dir():
            raise MissingLanguage(self)
        return load_required_blocks(
            self.required_dir,
            approval=not self.is_default_language,
            language=self.language,
            language_name=self.language_name,
        )

    @cached_property
    def language_name(self) -> str:
        """The language's name in English, for staff: "Spanish"."""
        from babel import Locale, UnknownLocaleError

        try:
            return Locale.parse(self.language).english_name or self.language
        except (UnknownLocaleError, ValueError):
            return self.language

    @cached_property
    def words(self):
        """The message catalog of this language (layouts/locale/), checked complete on first use."""
        from .words import load_words

        return load_words(self.folders.layouts, self.language, default=self.is_default_language)

    def _(self, message: str, **values) -> str:
        """A word the pipeline prints, in this site's language (extracted by pybabel, as in templates)."""
        return self.words.gettext(message, **values)

    def render(self, template: str, **context) -> str:
        """A layout rendered in this site's language."""
        from .templates import render

        return render(self.folders.layouts, template, words=self.words, **context)

    @property
    def catalogue(self) -> Catalogue:
        """The articles in sources/ and their slugs, one for every language (a build sets it from its
        own, cached, reading)."""
        home = self._home
        if home._catalogue is None:
            from .catalogue import catalogue

            home._catalogue = catalogue(
                self.folders.sources, default_language=primary_language(self.settings.default_lang)
            )
        return home._catalogue

    @catalogue.setter
    def catalogue(self, found: Catalogue) -> None:
        self._home._catalogue = found

    def load_blocks(self) -> RequiredBlocks:
        """Load the required blocks now: a missing or broken one stops a build before any product."""
        return self.blocks


def load_site(root: Path, *, sources: Path | str | None = None, out: Path | str | None = None) -> Site:
    folders = Folders.at(root, sources=sources, out=out)
    return Site(folders=folders, settings=load_settings(folders.root / "pyproject.toml"))
