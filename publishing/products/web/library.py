"""The web edition's index pages: the library (every article by category, with its description and the
languages it is in) at ``index.html``, each other language's at ``<lang>/index.html``, and a page per
newsletter issue at ``issues/<name>/index.html`` (the web view an email links to). Made with the
article pages (``made_with``), each proven like them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ...errors import PublishingError
from ..contract import Named, Product
from .address import own_name, page_address, page_folder

ISSUES = "issues"


@dataclass(frozen=True)
class Entry:
    """One article on an index page: what it is about, where its page is, the languages it is in."""

    title: str
    description: str
    category: str
    href: str
    languages: tuple[tuple[str, str, str], ...] = ()  # (tag, name, href) of its other editions


@dataclass(frozen=True)
class Shelf:
    """One index page: the library, one language's guides, or one newsletter issue."""

    name: str  # its file without .html: "index", "es/index", "issues/2026-12/index"
    source: Path  # what the build reports it by
    lang: str
    title: str
    groups: tuple[tuple[str, tuple[Entry, ...]], ...]  # (category, its articles), in reading order
    intro_html: str = ""
    articles: tuple = field(default=())  # it carries no pictures of its own

    @property
    def depth(self) -> int:
        return self.name.count("/")


def shelf_names(site) -> list[tuple[str, Path | None]]:
    """Every index page the library makes now: (name, the issue it shows or None)."""
    from ..newsletter.issue import discover_issues

    languages = sorted(set(site.catalogue.editions.values()))
    names: list[tuple[str, Path | None]] = [("index", None), *((f"{lang}/index", None) for lang in languages)]
    names += [(f"{ISSUES}/{path.stem}/index", path) for path in discover_issues(site.folders.sources)]
    return names


def _entry(site, article, depth: int) -> Entry:
    found = site.catalogue
    up = "../" * depth
    original = found.original(article.source) or article.source
    editions = [("", original)] + [(e, found.translation(original, e)) for e in found.languages(original)]
    languages = []
    for edition, source in editions:
        if source is None or source == article.source:
            continue
        folder = page_folder(found.slugs[source], edition)
        tag = edition or site.settings.default_lang
        languages.append((tag, own_name(tag), up + folder))
    # Relative inside the site: it works on any host, and offline.
    href = up + page_folder(article.slug, article.edition)
    return Entry(article.title, article.description, article.category, href, tuple(languages))


def grouped(site, articles, depth: int) -> tuple[tuple[str, tuple[Entry, ...]], ...]:
    """Articles by category, in the order each category first comes; those without one last."""
    groups: dict[str, list[Entry]] = {}
    for article in articles:
        groups.setdefault(article.category, []).append(_entry(site, article, depth))
    ordered = [(name, tuple(entries)) for name, entries in groups.items() if name]
    if "" in groups:
        ordered.append((site._("More articles") if ordered else "", tuple(groups[""])))
    return tuple(ordered)


def load_shelf(site, name: str, issue_path: Path | None) -> Shelf | PublishingError:
    """One index page's subject: the articles it lists, by their front matter (their text is not
    converted: a library of a thousand articles took 20 s to list when it was). Only articles whose page
    is in build/ are listed, so a link never leads nowhere; one that fails to load, or whose page failed
    and was never built, is left out: its own products fail and say why."""
    from ...article import load_article

    found = site.catalogue
    depth = name.count("/")
    if issue_path is not None:
        from ..newsletter.issue import load_issues

        [issue] = load_issues(site, [issue_path])
        if isinstance(issue, PublishingError):
            return issue
        groups = ((site._("In this issue"), tuple(_entry(site, a, depth) for a in issue.articles)),)
        return Shelf(name, issue_path, issue.lang, issue.title, groups, issue.intro_html)
    edition = name.partition("/")[0] if "/" in name else ""
    articles = []
    for source in found.accepted:
        if found.editions.get(source, "") == edition:
            try:
                article = load_article(source, site.settings, site.folders.sources, body=False)
            except PublishingError:
                continue
            if (
                site.folders.out / WebIndex.folder / page_folder(article.slug, article.edition) / "index.html"
            ).is_file():
                articles.append(article)
    language = site.in_language(edition or site.settings.default_lang)
    lang = articles[0].lang if articles else (edition or site.settings.default_lang)
    title = language._("Our guides for patients")
    return Shelf(name, site.folders.sources, lang, title, grouped(language, articles, depth))


class WebIndex(Product):
    """The site's index pages, built with the article pages."""

    name = "web index"
    folder = "site"
    per_article = False
    made_with = "web"
    suffixes = (".html",)
    reserved = {
        "index": "the web edition's library is build/site/index.html",
        ISSUES: "the web edition keeps the newsletter issues' pages in build/site/issues/",
    }
    layouts = ("web",)
    renderers = ("jinja2", "lxml")

    def output_names(self, slug: str, variant: str) -> list[str]:
        return [f"{slug}.html"]

    def build(self, shelf, site, workdir: Path, variant: str) -> list[Path]:
        from .shell import render_page

        other = [(lang, own_name(lang)) for lang in sorted(set(site.catalogue.editions.values()))]
        folder = shelf.name.rpartition("/")[0]
        html = render_page(
            site,
            "web/index.html",
            shelf.depth,
            lang=shelf.lang,
            title=f"{shelf.title} | {site.settings.clinic_name}",
            description=site._("Guides for patients from %(clinic)s", clinic=site.settings.clinic_name),
            shelf=shelf,
            languages=other if shelf.name == "index" else [],
            canonical=page_address(site, folder + "/" if folder else "") or "./",
            alternates=[],
        )
        target = workdir / self.output_names(shelf.name, variant)[0]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        return [target]

    def subjects(self, site) -> list[Named]:
        """Every index page the library makes now: the library, each other language's, each issue's web
        view (built with the web edition's pages: made when they are, so not required of every build)."""
        from ..newsletter.issue import declared_language

        return [
            Named(
                name,
                issue,
                declared_language(issue) or "" if issue else name.partition("/")[0] if "/" in name else "",
                required=False,
            )
            for name, issue in shelf_names(site)
        ]

    def load(self, site, subjects: list[Named]):
        return [load_shelf(site, named.name, named.source) for named in subjects]

    def verify(self, site, files: list[Path], shown_as: Path, subject=None) -> None:
        from .verify import verify

        verify(None, site, files, shown_as)

    def witness_pages(self, site, files: list[Path], workdir: Path):
        from .verify import witness_pages

        return witness_pages(site, files)

    def recorded_as(self, site, slug: str, source: Path | None, variant: str) -> tuple[Path, str]:
        return site.folders.sources, f"{self.state_key(variant)}:{slug}"

    def made_of(self, site, slug: str, source: Path | None, entry: dict) -> list[Path]:
        """What it lists now: every article (a new one, or one gone, shows), and an issue's own file."""
        from ..newsletter.issue import issue_reads

        if source is not None:
            return issue_reads(site, source)
        return list(site.catalogue.accepted)

    def describe(self, file_name: str) -> str:
        return "Web index page"
