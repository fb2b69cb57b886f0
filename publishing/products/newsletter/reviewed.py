"""What `invoke send` asks of the articles in a message: each clinically reviewed, as it reads now.

A message goes to patients' inboxes, and cannot be recalled: an unreviewed article, or one changed
since its review, is refused unless the sender says ``--unreviewed`` (a draft to oneself, a test),
and then the output says which articles went unreviewed.
"""

from __future__ import annotations

from pathlib import Path

from ...article import Article, load_article
from ...errors import PublishingError, shown_path
from ...review import CHANGED, UNREVIEWED, state
from ...site import Site


def articles_of(site: Site, slug: str, eml: Path) -> list[Article]:
    """The articles the message ``slug`` carries, loaded from sources/ as they read now."""
    from .issue import FOLDER, load_issues

    issue_source = site.folders.sources / FOLDER / f"{slug}.md"
    if eml.parent.name == "issues" and issue_source.is_file():
        [issue] = load_issues(site, [issue_source])
        if isinstance(issue, PublishingError):
            raise issue
        return list(issue.articles)
    found = site.catalogue
    source = next((s for s in found.accepted if found.name(s) == slug), None)
    if source is None:
        raise PublishingError(
            eml, f"no article in {site.folders.sources.name}/ makes '{slug}'", hint="check the slug, then rebuild"
        )
    return [load_article(source, site.settings, site.folders.sources, site.catalogue.cannot_print)]


def why_not_reviewed(article: Article) -> str:
    """'' for an article reviewed as it reads now; else what is missing, naming the versions."""
    kind = state(article)
    where = shown_path(article.source)
    if kind == UNREVIEWED:
        return f"{where} is not yet clinically reviewed (version {article.version})"
    if kind == CHANGED:
        return (
            f"{where} changed since its review on {article.last_reviewed} "
            f"(reviewed version {article.reviewed_version}, now version {article.version})"
        )
    return ""


def unreviewed(site: Site, slug: str, eml: Path, *, allowed: bool) -> list[str]:
    """Why each of the message's articles is not reviewed as it reads now; refused unless ``allowed``."""
    found = [(article, why) for article in articles_of(site, slug, eml) if (why := why_not_reviewed(article))]
    if found and not allowed:
        names = " and ".join(article.name for article, _ in found)
        raise PublishingError(
            eml,
            "refusing to send: " + "; ".join(why for _, why in found),
            hint=f'once a clinician has reviewed it, run invoke review {names} --by "Name, credentials", '
            "rebuild, and send again (or send it anyway, as a draft, with --unreviewed)",
        )
    return [why for _, why in found]
