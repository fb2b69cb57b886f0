"""Reading level, computed offline, with a formula made for the article's language.

English: Flesch-Kincaid grade = 0.39 * words/sentences + 11.8 * syllables/words - 15.59, with
syllables counted by pyphen's hyphenation dictionary (which WeasyPrint already brings) the way
textstat counts them; textstat itself downloads data at run time.

Spanish: the INFLESZ scale (Barrio-Cantalejo et al., 2008, made for health texts), i.e.
Szigriszt-Pazos' perspicuity = 206.835 - 62.3 * syllables/words - words/sentences, higher is
easier (55-65 "normal", 65-80 "bastante fácil"); Fernández-Huerta's ease = 206.84 - 0.60 *
syllables per 100 words - 1.02 * sentences per 100 words, beside it. Spanish syllables are counted
by their vowel nuclei, the rule the language's spelling follows; Spanish hyphenation dictionaries
refuse to split a single letter off a word's edges (a-gua, a-yu-da) and would undercount.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n")
_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+(?:['\u2019][A-Za-z]+)*")


@dataclass(frozen=True)
class Reading:
    """A reading score of a text: which formula, its value, and whether lower or higher is easier."""

    formula: str
    score: float
    lower_is_easier: bool
    scale: str  # what the number means, for staff
    also: dict[str, float]  # other formulas of the same language, for reference

    def meets(self, target: float) -> bool:
        return self.score <= target if self.lower_is_easier else self.score >= target

    def describe(self, target: float) -> str:
        bound = "or lower" if self.lower_is_easier else "or higher"
        return f"{self.formula} {self.score:g} ({self.scale}; target {target:g} {bound})"


@lru_cache(maxsize=4)
def _dictionary(lang: str):
    import pyphen

    return pyphen.Pyphen(lang=lang if lang in pyphen.LANGUAGES else "en_US")


def syllables(word: str, lang: str = "en_US") -> int:
    return len(_dictionary(lang).positions(word.lower())) + 1


_STRONG = set("aeoáéó")
_WEAK_STRESSED = set("íú")
_VOWELS = set("aeiouáéíóúü")


def spanish_syllables(word: str) -> int:
    """Syllables of a Spanish word, by vowel nuclei: two strong vowels (a, e, o) or a stressed í/ú
    beside another vowel are two syllables (hiatus: le-er, dí-a); a weak vowel beside another vowel is
    one (diphthong: cie-lo, a-gua); the u of que, qui, gue, gui is silent."""
    letters = re.sub(r"(?<=[qg])u(?=[eiéí])", "", word.lower())
    letters = letters.replace("y", "i") if not re.search(r"[aeiouáéíóú]", letters) else letters
    count, previous = 0, ""
    for letter in letters:
        if letter not in _VOWELS:
            previous = ""
            continue
        if not previous or _separate(previous, letter):
            count += 1
        previous = letter
    return max(count, 1)


def _separate(first: str, second: str) -> bool:
    """Whether two adjacent vowels belong to two syllables."""
    return (first in _STRONG and second in _STRONG) or first in _WEAK_STRESSED or second in _WEAK_STRESSED


def _counts(text: str, count_syllables) -> tuple[int, int, int] | None:
    sentences = [s for s in _SENTENCE_END.split(text) if _WORD.search(s)]
    words = _WORD.findall(text)
    if not words or not sentences:
        return None
    return len(words), len(sentences), sum(count_syllables(word) for word in words)


def flesch_kincaid_grade(text: str, lang: str = "en_US") -> float | None:
    """The US school grade a reader needs for ``text`` (one block per line); None for no words."""
    counts = _counts(text, lambda word: syllables(word, lang))
    if counts is None:
        return None
    words, sentences, total = counts
    return round(0.39 * words / sentences + 11.8 * total / words - 15.59, 1)


def spanish_reading(text: str) -> Reading | None:
    """INFLESZ (Szigriszt-Pazos) of Spanish ``text``, with Fernández-Huerta beside it."""
    counts = _counts(unicodedata.normalize("NFC", text), spanish_syllables)
    if counts is None:
        return None
    words, sentences, total = counts
    inflesz = round(206.835 - 62.3 * total / words - words / sentences, 1)
    huerta = round(206.84 - 0.60 * (100 * total / words) - 1.02 * (100 * sentences / words), 1)
    return Reading(
        "INFLESZ (Szigriszt-Pazos)",
        inflesz,
        lower_is_easier=False,
        scale=_inflesz_band(inflesz),
        also={"Fernández-Huerta": huerta},
    )


def _inflesz_band(score: float) -> str:
    for bound, name in ((40, "muy difícil"), (55, "algo difícil"), (65, "normal"), (80, "bastante fácil")):
        if score < bound:
            return name
    return "muy fácil"


# The formula for each language the pipeline measures; other languages are not measured.
FORMULAS = {"en": "Flesch-Kincaid grade", "es": "INFLESZ (Szigriszt-Pazos)"}


def reading(text: str, lang: str) -> Reading | None:
    """The reading score of ``text`` in the formula made for its language (BCP 47 ``lang``)."""
    from .languages import primary_language

    language = primary_language(lang)
    if language == "es":
        return spanish_reading(text)
    grade = flesch_kincaid_grade(text, lang.replace("-", "_"))
    if grade is None:
        return None
    return Reading("Flesch-Kincaid grade", grade, lower_is_easier=True, scale="US school grade", also={})


def article_reading(article) -> Reading | None:
    """The reading score of an article's running text, in its language's formula."""
    from .htmltext import running_prose

    return reading(running_prose(article.body_html), article.lang)
