"""Reading level, computed offline.

Flesch-Kincaid grade = 0.39 * words/sentences + 11.8 * syllables/words - 15.59, with
syllables counted by pyphen's hyphenation dictionary (which WeasyPrint already
brings) the way textstat counts them; textstat itself downloads data at run time.
"""

from __future__ import annotations

import re
from functools import lru_cache

_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n")
_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+(?:['\u2019][A-Za-z]+)*")


@lru_cache(maxsize=4)
def _dictionary(lang: str):
    import pyphen

    return pyphen.Pyphen(lang=lang if lang in pyphen.LANGUAGES else "en_US")


def syllables(word: str, lang: str = "en_US") -> int:
    return len(_dictionary(lang).positions(word.lower())) + 1


def flesch_kincaid_grade(text: str, lang: str = "en_US") -> float | None:
    """The US school grade a reader needs for ``text`` (one block per line); None for no words."""
    sentences = [s for s in _SENTENCE_END.split(text) if _WORD.search(s)]
    words = _WORD.findall(text)
    if not words or not sentences:
        return None
    total = sum(syllables(word, lang) for word in words)
    return round(0.39 * len(words) / len(sentences) + 11.8 * total / len(words) - 15.59, 1)


def article_grade(article) -> float | None:
    """The reading grade of an article's running text, with the syllable rules of its language."""
    from .htmltext import running_prose

    return flesch_kincaid_grade(running_prose(article.body_html), article.lang.replace("-", "_"))
