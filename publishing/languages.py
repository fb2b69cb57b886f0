"""Language tags, as the settings, the articles and the readability formulas all read them: here, on
their own, so that none of those imports another for it."""

from __future__ import annotations

# The language the layouts are written in: their messages are its words.
DEFAULT_LANGUAGE = "en"


def primary_language(tag: str) -> str:
    """es-US -> es: the part of a language tag that chooses the words, the required blocks and the
    reading formula."""
    return tag.split("-", 1)[0].lower()
