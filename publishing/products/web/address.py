"""Where each page of the web edition lives in build/site/, and its address online: here on their own,
light, because the build asks every product for its file names before it imports anything heavy."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...site import Site

STYLESHEET = "web/web.css"  # in layouts/; every page carries it in its one <style>
PAGE = "index.html"


def page_folder(slug: str, edition: str = "") -> str:
    """Where an article's page lives in the site: "<slug>/", an edition's "<lang>/<slug>/"."""
    return f"{edition}/{slug}/" if edition else f"{slug}/"


def folder_of(name: str) -> str:
    """The page folder of a subject's name ("slug" or "slug.es", as the catalogue names it)."""
    slug, _, edition = name.partition(".")
    return page_folder(slug, edition)


def page_address(site: Site, folder: str) -> str:
    """The page's address online where the clinic gave its web address; else "" (the site is relative)."""
    web = site.settings.web_address
    return f"{web.rstrip('/')}/{folder}" if web else ""


def own_name(tag: str) -> str:
    """A language's name in that language ("Español", "فارسی"): what a reader looks for in a list of
    languages, whatever the page's own language."""
    from babel import Locale, UnknownLocaleError

    from ...languages import primary_language

    try:
        name = Locale.parse(primary_language(tag)).get_display_name(primary_language(tag)) or tag
    except (UnknownLocaleError, ValueError):
        return tag
    return name[:1].upper() + name[1:]
