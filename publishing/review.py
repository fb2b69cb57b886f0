"""What every product says about an article's clinical review, in one wording.

The handout's footer, the guide's line under each title and its "Review and version" section, the
newsletter's byline (HTML and text) and each card of an issue all print ``facts()``: the same
review, the same next-review date, the same version mark. The state is never invented: a reviewer
and a date are printed only when the front matter gives them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .article import Article
    from .settings import Settings
    from .words import Words

REVIEWED, UNREVIEWED, CHANGED = "reviewed", "unreviewed", "changed"


def state(article: Article) -> str:
    """reviewed; unreviewed (no review date); changed (reviewed, but its text is not the version reviewed)."""
    if article.last_reviewed is None:
        return UNREVIEWED
    if article.reviewed_version and article.reviewed_version != article.version:
        return CHANGED
    return REVIEWED


def next_review(article, settings):
    """When the article's next clinical review is due (the review policy in settings), or None."""
    from .dates import add_months

    return add_months(article.last_reviewed, settings.review_policy_months) if article.last_reviewed else None


# A no-break space: what a printed page must not split (a date, a version mark) holds its words with it.
NO_BREAK = "\u00a0"


def facts(article: Article, settings: Settings, words: Words, *, unbroken: bool = False) -> str:
    """The review facts and the version mark, in the article's language (NHS style). ``unbroken``: each
    date and the version mark held on one line by no-break spaces (the handout's page and footers)."""
    from .dates import long_date as date_words

    def long_date(day, language: str) -> str:
        return date_words(day, language).replace(" ", NO_BREAK) if unbroken else date_words(day, language)

    _ = words.gettext
    language = words.language
    version = _("Version %(version)s", version=article.version)
    version = version.replace(" ", NO_BREAK) if unbroken else version
    kind = state(article)
    if kind == CHANGED:
        assert article.last_reviewed is not None
        changed = _("Changed since its review on %(date)s", date=long_date(article.last_reviewed, language))
        again = _("not yet re-reviewed")
        return f"{changed} · {again} · {version}"
    if kind == UNREVIEWED:
        parts = [_("Not yet clinically reviewed")]
        if article.medical_reviewer:
            parts.append(_("Medical reviewer: %(reviewer)s", reviewer=article.medical_reviewer))
        return " · ".join([*parts, version])
    assert article.last_reviewed is not None
    date = long_date(article.last_reviewed, language)
    if article.medical_reviewer:
        last = _("Last reviewed %(date)s by %(reviewer)s", date=date, reviewer=article.medical_reviewer)
    else:
        last = _("Last reviewed %(date)s", date=date)
    due = _("Next review due %(date)s", date=long_date(next_review(article, settings), language))
    return f"{last} · {due} · {version}"
