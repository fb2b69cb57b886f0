"""An article's links, made right for each product.

Articles pasted from other sites link to pages that do not come along: a path on the old
site (`/symptoms/stomach-ache`), another Markdown file (`sleep-and-mood.md#tips`), a file
(`files/form.pdf`), an anchor that is gone. In an EPUB each of those is an error. So every
product resolves the links of its copy of the article:

* another article's source becomes that article: its chapter in the combined guide, else its
  web address (the `article_url` setting); without one, its title in words;
* a root-relative path joins the clinic's `web_address`, when there is one;
* an anchor must name an id the product carries (in the guide, the blocks and the contact
  live in documents of their own);
* only https, http, mailto and tel (and sms where the product allows it) stay links.

Anything else keeps its words and loses its link; `invoke check` names each at its line.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from .ids import ON_EVERY_PAGE

KEPT_SCHEMES = {"https", "http", "mailto", "tel"}


@dataclass(frozen=True)
class LinkProblem:
    """A link that became plain text, and why."""

    href: str
    why: str


@dataclass
class Links:
    """How one product resolves the links of one article."""

    site: Any
    article: Any
    sms: bool = True  # sms: links allowed (EPUBCheck warns on them)
    chapters: dict[str, str] = field(default_factory=dict)  # slug -> its document, in a combined guide
    id_prefix: str = ""  # what this chapter's ids are prefixed with
    page_ids: dict[str, str] = field(default_factory=dict)  # an id on every page -> where it is, if elsewhere
    problems: list[LinkProblem] = field(default_factory=list)
    changed: bool = False

    def resolve_html(self, html: str) -> str:
        """``html`` with its links resolved (the same string when none needed a change)."""
        if "<a" not in html:
            return html
        import html as html_module

        import lxml.html

        fragment = lxml.html.fragment_fromstring(html, create_parent="div")
        self.resolve(fragment)
        if not self.changed:
            return html
        return html_module.escape(fragment.text or "", quote=False) + "".join(
            lxml.html.tostring(child, encoding="unicode") for child in fragment
        )

    def resolve(self, fragment) -> list[LinkProblem]:
        """Rewrite the links of an lxml fragment in place; return the links that became text."""
        ids = {element.get("id") for element in fragment.iter() if element.get("id")}
        for link in list(fragment.iter("a")):
            href = link.get("href")
            if href is None:
                continue
            target, problem = self._target(href.strip(), ids)
            if target is None:
                if problem is not None:
                    self.problems.append(problem)
                self._as_words(link, href)
                self.changed = True
            elif target != href:
                link.set("href", target)
                self.changed = True
        return self.problems

    def _target(self, href: str, ids: set) -> tuple[str | None, LinkProblem | None]:
        parts = urlsplit(href)
        scheme = parts.scheme.lower()
        if scheme in KEPT_SCHEMES:
            return href, None
        if scheme == "sms":
            return (href, None) if self.sms else (None, None)  # the words ("text 988") say it
        if scheme:
            return None, LinkProblem(href, f"'{scheme}:' links do not work in every product")
        if href.startswith("#"):
            return self._anchor(href[1:], ids)
        path = unquote(parts.path)
        if path.startswith("/"):
            web = getattr(self.site.settings, "web_address", "")
            if web:
                return urljoin(web, href), None
            return None, LinkProblem(
                href, "a path on a web site; set web_address to link it, or link the full https:// address"
            )
        if path.lower().endswith(".md"):
            return self._article(path, parts.fragment, href)
        return None, LinkProblem(href, "a file that no product carries; link its https:// address instead")

    def _anchor(self, anchor: str, ids: set) -> tuple[str | None, LinkProblem | None]:
        if anchor in ids:
            return f"#{self.id_prefix}{anchor}", None
        if anchor in ON_EVERY_PAGE:
            return self.page_ids.get(anchor, f"#{anchor}"), None
        return None, LinkProblem(f"#{anchor}", "no heading or note in the article has that id")

    def _article(self, path: str, anchor: str, href: str) -> tuple[str | None, LinkProblem | None]:
        folder = self.article.source.parent
        name = posixpath.normpath(posixpath.join(folder.as_posix(), path))
        index = self.site.catalogue
        source = next((s for s in index.accepted if s.as_posix() == name), None)
        if source is None:
            return None, LinkProblem(href, "not an article in the sources folder")
        edition = getattr(self.article, "edition", "")
        if edition and index.editions.get(source) != edition:
            # A translation links the same article's edition in its own language, where there is one.
            source = index.translation(index.original(source) or source, edition) or source
        slug = index.slugs[source]
        if slug in self.chapters:
            return self.chapters[slug] + (f"#{slug}--{anchor}" if anchor else ""), None
        online = self.site.settings.online_address(slug, index.editions.get(source, ""))
        if online:
            return online, None
        title = index.titles.get(source) or slug
        return None, LinkProblem(
            href, f"the article “{title}” has no web address here (the article_url setting gives one)"
        )

    def _as_words(self, link, href: str) -> None:
        """Keep the link's words; for another article, say which one."""
        title = None
        parts = urlsplit(href)
        if not parts.scheme and unquote(parts.path).lower().endswith(".md"):
            folder = self.article.source.parent
            name = posixpath.normpath(posixpath.join(folder.as_posix(), unquote(parts.path)))
            index = self.site.catalogue
            source = next((s for s in index.accepted if s.as_posix() == name), None)
            title = index.titles.get(source) if source is not None else None
        words = " ".join(link.text_content().split())
        if title and title.casefold() not in words.casefold():
            link.tail = f" (“{title}”)" + (link.tail or "")
        link.drop_tag()
