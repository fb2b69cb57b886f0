"""The Jinja2 environment of each language: strict, autoescaped, reading only layouts/, its words from
that language's message catalog (publishing/words.py) through Jinja2's i18n extension."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .dates import long_date
from .languages import DEFAULT_LANGUAGE, counter_style, direction
from .review import facts, next_review
from .words import identity

if TYPE_CHECKING:
    from .words import Words


@lru_cache(maxsize=8)
def environment(layouts: Path, words: Words | None = None):
    """A misspelled variable fails the build instead of printing nothing (StrictUndefined). ``words``:
    the language's catalog (None: the default language's words, as the layouts write them)."""
    import jinja2

    if words is None:
        words = identity(DEFAULT_LANGUAGE)
    env = jinja2.Environment(
        extensions=["jinja2.ext.i18n"],
        loader=jinja2.FileSystemLoader(str(layouts)),
        autoescape=jinja2.select_autoescape(["html", "xhtml", "j2"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    gettext, ngettext = escaped_lookups(words)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    language = words.language
    env.filters["long_date"] = lambda value: long_date(value, language)
    env.globals["language"] = language  # for what the clinic gives per language (its "about" paragraph)
    env.globals["direction"] = direction(language)  # "rtl" for fa and ar: set on <html> and the wrapper
    env.globals["counter_style"] = counter_style(language)  # page and list numbers in the language's digits
    env.globals["next_review"] = next_review
    env.globals["review_text"] = lambda article, settings, unbroken=False: facts(
        article, settings, words, unbroken=unbroken
    )
    from . import ids

    env.globals["ids"] = ids  # the element ids the layouts own: one copy, in publishing/ids.py
    return env


def escaped_lookups(words: Words):
    """The catalog's lookups, for Jinja2's newstyle gettext, which marks what they return as safe
    markup: escaped first, so a translation is always text (a translator's <span style="display:none">
    prints as those characters). What fills a %(name)s stays markup only when the layout made it so
    (a Markup value); any other value is escaped by Markup's % as usual."""
    from jinja2 import pass_eval_context
    from markupsafe import escape

    lookup = words.translations

    @pass_eval_context
    def gettext(eval_context, message: str) -> str:
        found = lookup.gettext(message)
        return escape(found) if eval_context.autoescape else found

    @pass_eval_context
    def ngettext(eval_context, singular: str, plural: str, n: int) -> str:
        found = lookup.ngettext(singular, plural, n)
        return escape(found) if eval_context.autoescape else found

    return gettext, ngettext


def render(layouts: Path, name: str, *, words: Words | None = None, **context) -> str:
    """The layout ``name`` rendered in the language of ``words`` (None: the default language's)."""
    import jinja2

    from .errors import PublishingError
    from .words import MissingWord

    try:
        return environment(layouts, words).get_template(name).render(**context)
    except MissingWord as missing:
        raise PublishingError(
            missing.path,
            f"{missing.message} (printed by layouts/{name})",
            hint=missing.hint,
        ) from None
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
