"""The gate's checks of an article's source: clinical review, reading grade, no retyped required
text, links that land."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path

from ..article import Article
from ..dates import add_months
from ..errors import PublishingError, shown_path
from ..row import Row
from ..site import Site


def load_row(name: str, error: PublishingError) -> Row:
    """A source that does not load: none of its products can be checked against it."""
    return Row(name, "source", "loads", "fail", str(error))


def source_checks(article: Article, site: Site, today: dt.date, original: Path | None = None) -> list[Row]:
    """The checks of one source; a translation is checked in its own language (its required blocks, its
    reading formula) and against the English source it translates (``original``)."""
    site = site.in_language(article.lang)
    return [
        review_row(article, site.settings.review_policy_months, today),
        *([translation_row(article, original)] if article.edition else []),
        reading_row(article, site.settings.reading_target(article.lang)),
        *required_text_rows(article, site),
        *links_row(article, site),
    ]


def translation_row(article: Article, original: Path | None) -> Row:
    """A translation is stale when its English source changed since the version it records."""
    from ..article import source_version

    here = shown_path(article.source)
    if original is None or not original.is_file():
        return Row(article.name, "source", "translation", "fail", f"{here} translates no article in the sources folder")
    there, current = shown_path(original), source_version(original)
    facts = {"translates": there, "recorded_version": article.source_version, "current_version": current}
    if article.source_version != current:
        return Row(
            article.name,
            "source",
            "translation",
            "warn",
            f"stale: {here} translates version {article.source_version} of {there}, which is now version "
            f"{current}; bring the translation up to date, then run "
            f"'invoke translate {article.slug} --lang {article.edition} --current'",
            {**facts, "stale": True},
        )
    return Row(
        article.name,
        "source",
        "translation",
        "pass",
        f"translates the current {there} (version {current})",
        {**facts, "stale": False},
    )


def review_row(article: Article, policy_months: int, today: dt.date) -> Row:
    reviewed = article.last_reviewed
    if reviewed is None:
        return Row(
            article.name,
            "source",
            "clinical review",
            "warn",
            "not yet reviewed: once a clinician has reviewed it, run invoke review "
            f'{article.name} --by "Name, credentials"',
        )
    if reviewed > today:
        return Row(
            article.name,
            "source",
            "clinical review",
            "fail",
            f"{shown_path(article.source)}: last_reviewed {reviewed} is in the future; use the date of the review",
        )
    if article.reviewed_version and article.reviewed_version != article.version:
        return Row(
            article.name,
            "source",
            "clinical review",
            "warn",
            f"{shown_path(article.source)}: changed since its review on {reviewed}: the review covered version "
            f"{article.reviewed_version}, the text is now version {article.version}; not yet re-reviewed "
            f'(once a clinician has reviewed it, run invoke review {article.name} --by "Name, credentials")',
        )
    due = add_months(reviewed, policy_months)
    if today > due:
        overdue = (today - due).days
        return Row(
            article.name,
            "source",
            "clinical review",
            "fail",
            f"{shown_path(article.source)}: last reviewed {reviewed}, overdue by {overdue} day(s) "
            f"(review policy: every {policy_months} months); ask a clinician to review it",
        )
    if not article.reviewed_version:
        return Row(
            article.name,
            "source",
            "clinical review",
            "warn",
            f"{shown_path(article.source)}: the review of {reviewed} does not record the version it covered, so an "
            f"edit after it cannot be seen; once a clinician confirms it covered this text (version "
            f'{article.version}), run invoke review {article.name} --by "Name, credentials" --date {reviewed}',
        )
    return Row(article.name, "source", "clinical review", "pass", f"reviewed {reviewed}, next review due by {due}")


def reading_row(article: Article, target: float | None) -> Row:
    from ..readability import article_reading

    if target is None:
        return Row(
            article.name,
            "source",
            "reading grade",
            "warn",
            f"not measured: no reading formula for the language {article.lang}",
        )
    score = article_reading(article)
    if score is None:
        return Row(article.name, "source", "reading grade", "warn", "no running text to measure")
    facts = {
        "formula": score.formula,
        "score": score.score,
        "target": target,
        "language": article.lang,
        **({"also": score.also} if score.also else {}),
    }
    also = "".join(f"; {name} {value:g}" for name, value in score.also.items())
    return Row(
        article.name,
        "source",
        "reading grade" if score.lower_is_easier else "reading ease",
        "pass" if score.meets(target) else "warn",
        score.describe(target) + also,
        facts,
    )


_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def required_text_rows(article: Article, site: Site) -> list[Row]:
    """An article must not carry its own copy (or paraphrase) of a required block: the blocks are
    single-sourced, and a stale copy in the body would contradict them."""
    from ..site import MissingLanguage

    rows = []
    body_sentences = [s for line in article.plain_text.splitlines() for s in _SENTENCE.split(line) if len(s) > 20]
    try:
        blocks = site.blocks
    except MissingLanguage as missing:
        return [Row(article.name, "source", "required text", "fail", str(missing.naming(article.source)))]
    for block in blocks:
        for block_sentence in _SENTENCE.split(" ".join(block.text.split())):
            for sentence in body_sentences:
                ratio = difflib.SequenceMatcher(None, _words(sentence), _words(block_sentence)).ratio()
                if ratio >= 0.6:
                    rows.append(
                        Row(
                            article.name,
                            "source",
                            "required text",
                            "fail",
                            f"{shown_path(article.source)}:{article.line_of(sentence[:30])}: the article repeats "
                            f'the {block.name} in its own words ("{sentence[:60]}..."); remove it: every '
                            f"product adds the block from {shown_path(block.source)}",
                        )
                    )
    if not rows:
        rows.append(
            Row(
                article.name,
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
                article.name,
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
            article.name,
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
