"""The gate's checks of an article's source: clinical review, reading grade, no retyped required
text, links that land."""

from __future__ import annotations

import datetime as dt
import difflib
import re

from ..article import Article
from ..dates import add_months
from ..errors import PublishingError, shown_path
from ..site import Site
from .row import Row


def load_row(name: str, error: PublishingError) -> Row:
    """A source that does not load: none of its products can be checked against it."""
    return Row(name, "source", "loads", "fail", str(error))


def source_checks(article: Article, site: Site, today: dt.date) -> list[Row]:
    return [
        review_row(article, site.settings.review_policy_months, today),
        reading_row(article, site.settings.reading_grade_target),
        *required_text_rows(article, site),
        *links_row(article, site),
    ]


def review_row(article: Article, policy_months: int, today: dt.date) -> Row:
    reviewed = article.last_reviewed
    if reviewed is None:
        return Row(
            article.slug,
            "source",
            "clinical review",
            "warn",
            "not yet reviewed: add last_reviewed once a clinician has reviewed it",
        )
    if reviewed > today:
        return Row(
            article.slug,
            "source",
            "clinical review",
            "fail",
            f"{shown_path(article.source)}: last_reviewed {reviewed} is in the future; use the date of the review",
        )
    due = add_months(reviewed, policy_months)
    if today > due:
        overdue = (today - due).days
        return Row(
            article.slug,
            "source",
            "clinical review",
            "fail",
            f"{shown_path(article.source)}: last reviewed {reviewed}, overdue by {overdue} day(s) "
            f"(review policy: every {policy_months} months); ask a clinician to review it",
        )
    return Row(article.slug, "source", "clinical review", "pass", f"reviewed {reviewed}, next review due by {due}")


def reading_row(article: Article, target: float) -> Row:
    from ..readability import article_grade

    grade = article_grade(article)
    if grade is None:
        return Row(article.slug, "source", "reading grade", "warn", "no running text to measure")
    status = "pass" if grade <= target else "warn"
    return Row(
        article.slug, "source", "reading grade", status, f"Flesch-Kincaid grade {grade} (target {target:g} or lower)"
    )


_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def required_text_rows(article: Article, site: Site) -> list[Row]:
    """An article must not carry its own copy (or paraphrase) of a required block: the blocks are
    single-sourced, and a stale copy in the body would contradict them."""
    rows = []
    body_sentences = [s for line in article.plain_text.splitlines() for s in _SENTENCE.split(line) if len(s) > 20]
    for block in site.blocks:
        for block_sentence in _SENTENCE.split(" ".join(block.text.split())):
            for sentence in body_sentences:
                ratio = difflib.SequenceMatcher(None, _words(sentence), _words(block_sentence)).ratio()
                if ratio >= 0.6:
                    rows.append(
                        Row(
                            article.slug,
                            "source",
                            "required text",
                            "fail",
                            f"{shown_path(article.source)}:{article.line_of(sentence[:30])}: the article repeats "
                            f'the {block.name} in its own words ("{sentence[:60]}..."); remove it: every '
                            f"product adds the block from sources/_required/{block.key}.md",
                        )
                    )
    if not rows:
        rows.append(
            Row(
                article.slug,
                "source",
                "required text",
                "pass",
                "no copy or paraphrase of a required block in the article",
            )
        )
    return rows[:1] if len(rows) > 1 else rows


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def links_row(article: Article, site: Site) -> list[Row]:
    """Every link the products cannot keep (they keep its words): a warning at its line."""
    import lxml.html

    from ..links import Links

    problems = []
    if "<a" in article.body_html:
        problems = Links(site, article).resolve(lxml.html.fragment_fromstring(article.body_html, create_parent="div"))
    if problems:
        return [
            Row(
                article.slug,
                "source",
                "links",
                "warn",
                f"{shown_path(article.source)}:{_line_of_link(article, problem.href)}: the link to "
                f"'{problem.href}' becomes plain words in the products: {problem.why}",
            )
            for problem in problems
        ]
    return [
        Row(
            article.slug,
            "source",
            "links and images",
            "pass",
            f"every link lands; {len(article.images)} image(s) inside sources/ with descriptions",
        )
    ]


def _line_of_link(article: Article, href: str) -> int:
    for needle in (f"]({href}", f'href="{href}"', href):
        line = article.line_of(needle)
        if line > 1 or needle == href:
            return line
    return 1
