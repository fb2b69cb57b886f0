"""Language tags, as the settings, the articles and the readability formulas all read them: here, on
their own, so that none of those imports another for it."""

from __future__ import annotations

# The language the layouts are written in: their messages are its words.
DEFAULT_LANGUAGE = "en"


def primary_language(tag: str) -> str:
    """es-US -> es: the part of a language tag that chooses the words, the required blocks and the
    reading formula."""
    return tag.split("-", 1)[0].lower()


# Scripts written right to left, by primary subtag (Arabic, Persian, Hebrew, Urdu, Pashto, Sorani
# Kurdish, Dhivehi, Yiddish): a page in one says dir="rtl", so its layout mirrors.
RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur", "ps", "ckb", "dv", "yi"})


def direction(tag: str) -> str:
    """The writing direction of a language tag, as HTML's dir attribute takes it: "rtl" or "ltr"."""
    return "rtl" if primary_language(tag) in RIGHT_TO_LEFT else "ltr"
