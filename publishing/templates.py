"""The one Jinja2 environment: strict, autoescaped, reading only layouts/."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=8)
def environment(layouts: Path):
    """A misspelled variable fails the build instead of printing nothing (StrictUndefined)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(layouts)),
        autoescape=jinja2.select_autoescape(["html", "xhtml", "j2"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["long_date"] = long_date
    env.globals["next_review"] = next_review
    from . import ids

    env.globals["ids"] = ids  # the element ids the layouts own: one copy, in publishing/ids.py
    return env


def render(layouts: Path, name: str, **context) -> str:
    import jinja2

    from .errors import PublishingError

    try:
        return environment(layouts).get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as error:
        raise PublishingError(
            Path(error.filename or layouts / name),
            f"template error: {error.message}",
            line=error.lineno,
            hint="fix the template in layouts/",
        ) from None
    except jinja2.UndefinedError as error:
        raise PublishingError(
            layouts / name, f"template error: {error.message}", hint="check the variable names in the template"
        ) from None


def next_review(article, settings):
    """When the article's next clinical review is due (the review policy in settings), or None."""
    from .dates import add_months

    return add_months(article.last_reviewed, settings.review_policy_months) if article.last_reviewed else None


def long_date(value) -> str:
    """2026-05-04 -> May 4, 2026 (US style, the clinic's readers)."""
    return f"{value:%B} {value.day}, {value.year}"
