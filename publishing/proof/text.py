"""Finding a required block's wording in text extracted from a built file.

Layout changes whitespace, quotes, dashes and hyphenation; only the wording counts.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

from ..languages import is_right_to_left

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
# Whitespace, soft hyphens, dashes, the marks PDF text extraction leaves at line breaks, and the
# invisible bidi marks, isolates and word joiners that hold a number left to right, on one line, in
# Farsi and Arabic text.
_NOT_COMPARED = re.compile(
    r"[\s\x00-\x1f\u00ad\u2010\u2011\u2012\u2013\u2014\u2015\ufffe\ufffd\u200e\u200f\u2060\u2066-\u2069\-]+"
)


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


# Marks a PDF's text layer gives apart from their letters or not at all: Arabic vowel signs and the
# hamza above (PDFium reads "نسخهٔ" as "ٔ نسخه"), the zero-width (non-)joiners Farsi writes within
# words, and the bidi controls. They are not compared in right-to-left wording; its letters are.
_RTL_MARKS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def rtl_word(token: str) -> str:
    """One word of right-to-left wording as compared: its letters and digits only (the bidi algorithm
    places the punctuation around numbers and at line ends, and PDFium reads it back elsewhere), in
    sorted order: the text layer gives the letters of a ligature (lam-alef, lam-yeh: "لا", "لأ",
    "لى") in the opposite order, so a word is known by which letters it has, how often."""
    return "".join(sorted(c for c in normalise(_RTL_MARKS.sub("", token)) if c.isalnum()))


class CharacterMap:
    """Normalised text of a sequence of characters, with where each normalised character came from.

    Lets a proof find a block's wording in a PDF page and then ask about the very characters
    that spell it (their size, colour and place on the page)."""

    def __init__(self, characters: Iterable[str]):
        pieces: list[str] = []
        self.origin: list[int] = []
        self.characters = list(characters)
        for index, character in enumerate(self.characters):
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
            return self._find_words(wording, after) if is_right_to_left(wording) else None
        return range(self.origin[at], self.origin[at + len(needle) - 1] + 1)

    def _find_words(self, wording: str, after: int) -> range | None:
        """Right-to-left wording, found by its letters: the nearest run of words after character
        ``after`` that holds the same letters and digits, each as often. PDFium gives the characters
        of such a line in an order of its own (numbers, Latin names and punctuation among Arabic
        script; a ligature's letters reversed; a vowel sign apart from its word, even on the next
        line), but never loses or adds one. The range spans the run."""
        from collections import Counter

        wanted = Counter(rtl_word(wording))
        total = sum(wanted.values())
        words = [(start, stop, word) for start, stop, word in self._words() if start > after]
        for first, (start, _, word) in enumerate(words):
            if not total or any(wanted[letter] == 0 for letter in word):
                continue
            held: Counter = Counter()
            for _, stop, more in words[first:]:
                held.update(more)
                if sum(held.values()) >= total:
                    if held == wanted:
                        return range(start, stop)
                    break
        return None

    def _words(self) -> list[tuple[int, int, str]]:
        """(first index, index after the last, compared word) of each whitespace-separated word."""
        found, start = [], None
        for index, character in enumerate([*self.characters, " "]):
            if character.isspace() and start is not None:
                word = rtl_word("".join(self.characters[start:index]))
                if word:
                    found.append((start, index, word))
                start = None
            elif not character.isspace() and start is None:
                start = index
        return found


def opening_words(text: str, at_most: int = 80) -> str:
    """The first words of a text's first line: enough to find where it begins in a built file."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    if len(first) <= at_most:
        return first
    return first[:at_most].rsplit(" ", 1)[0]
