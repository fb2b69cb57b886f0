"""Finding a required block's wording in text extracted from a built file.

Layout changes whitespace, quotes, dashes and hyphenation; only the wording counts.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
    }
)
# Whitespace, soft hyphens, dashes, and the marks PDF text extraction leaves at line breaks.
_NOT_COMPARED = re.compile(r"[\s\x00-\x1f\u00ad\u2010\u2011\u2012\u2013\u2014\u2015\ufffe\ufffd\-]+")


def normalise(text: str) -> str:
    """Fold what layout changes (whitespace, quotes, hyphenation, dashes) so only wording counts."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _NOT_COMPARED.sub("", text).casefold()


def contains(document_text: str, parts: Iterable[str]) -> bool:
    haystack = normalise(document_text)
    return all(normalise(part) in haystack for part in parts)


@functools.lru_cache(maxsize=4096)
def _fold(character: str) -> str:
    return normalise(character)


class CharacterMap:
    """Normalised text of a sequence of characters, with where each normalised character came from.

    Lets a proof find a block's wording in a PDF page and then ask about the very characters
    that spell it (their size, colour and place on the page)."""

    def __init__(self, characters: Iterable[str]):
        pieces: list[str] = []
        self.origin: list[int] = []
        for index, character in enumerate(characters):
            folded = _fold(character)
            pieces.append(folded)
            self.origin += [index] * len(folded)
        self.text = "".join(pieces)

    def find(self, wording: str, after: int = -1) -> range | None:
        """The range of character indices that spell ``wording`` (beginning after character ``after``), or None."""
        import bisect

        needle = normalise(wording)
        if not needle:
            return None
        at = self.text.find(needle, bisect.bisect_right(self.origin, after))
        if at < 0:
            return None
        return range(self.origin[at], self.origin[at + len(needle) - 1] + 1)


def opening_words(text: str, at_most: int = 80) -> str:
    """The first words of a text's first line: enough to find where it begins in a built file."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    if len(first) <= at_most:
        return first
    return first[:at_most].rsplit(" ", 1)[0]
