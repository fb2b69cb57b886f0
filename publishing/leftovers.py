"""What articles pasted from other sites bring along, named instead of printed.

Hugo shortcodes, Liquid and Jinja tags, and emoji shortcodes mean something only to the site
they came from; in a patient's handout they are raw braces and colons. Each is a clear error
at its line, with what to write instead. (Table-of-contents markers are simply dropped:
every product makes its own contents, see markup.py.) Emoji shortcodes whose character every
product can show (:tm:, :copyright:, :registered:) become that character; which products cannot,
they say themselves (``Product.printable``), through the catalogue (``cannot_print``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from .errors import PublishingError

_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_PATTERNS = (
    (
        re.compile(r"\{\{[<%].*?[%>]\}\}"),
        "a Hugo shortcode",
        'write it as Markdown instead (a picture: ![what it shows](images/file.png "caption"))',
    ),
    (
        re.compile(r"\{%.*?%\}"),
        "a Liquid or Jinja tag (Jekyll, Shopify, a template)",
        "remove it, or write out in words what it showed",
    ),
    (
        re.compile(r"\{\{.*?\}\}"),
        "a template variable (Liquid, Jinja, Handlebars or an email service's merge tag)",
        "write out what it stood for, or remove it",
    ),
)
_SHORTCODE = re.compile(r"(?<![:/]):([a-z0-9_+-]{2,40}):(?![\w:])")


def nobody(character: str) -> str | None:
    """No product's limits known (a source read outside a build or a check): every character shows."""
    return None


def check_leftovers(
    path, body: str, first_line: int, cannot_print: Callable[[str], str | None] = nobody
) -> tuple[str, list[PublishingError]]:
    """The body with emoji shortcodes every product can print replaced, and an error for every leftover
    (``cannot_print``: the product that cannot show a character, None when all can)."""
    errors: list[PublishingError] = []
    lines = body.split("\n")
    in_fence = False
    for number, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
        if in_fence:
            continue
        text = _INLINE_CODE.sub(lambda m: " " * len(m.group()), line)
        for pattern, what, hint in _PATTERNS:
            for match in pattern.finditer(text):
                shown = match.group() if len(match.group()) <= 50 else match.group()[:47] + "..."
                errors.append(
                    PublishingError(
                        path,
                        f"'{shown}' is {what}, left from the site it was pasted from",
                        line=first_line + number,
                        hint=hint,
                    )
                )
                text = text.replace(match.group(), " " * len(match.group()))
        if ":" in text and _SHORTCODE.search(text):
            lines[number], found = _emoji(line, text, path, first_line + number, cannot_print)
            errors += found
    return "\n".join(lines), errors


def _emoji(line: str, text: str, path, number: int, cannot_print) -> tuple[str, list[PublishingError]]:
    errors: list[PublishingError] = []
    for match in reversed(list(_SHORTCODE.finditer(text))):
        character = _aliases().get(match.group())
        if character is None:
            continue  # not an emoji shortcode: a time, a ratio, words between colons
        product = cannot_print(character)
        if product is None:
            line = line[: match.start()] + character + line[match.end() :]
        else:
            errors.insert(
                0,
                PublishingError(
                    path,
                    f"'{match.group()}' is an emoji shortcode ({character}), which the {product}'s font cannot print",
                    line=number,
                    hint="write it in words, or remove it",
                ),
            )
    return line, errors


@cache
def _aliases() -> dict[str, str]:
    import emoji

    found: dict[str, str] = {}
    for character, data in emoji.EMOJI_DATA.items():
        for alias in [data.get("en", ""), *data.get("alias", [])]:
            if alias:
                found.setdefault(alias, character)
    return found
