"""Language tags, as the settings, the articles and the readability formulas all read them: here, on
their own, so that none of those imports another for it."""

from __future__ import annotations

# The language the layouts are written in: their messages are its words.
DEFAULT_LANGUAGE = "en"


def primary_language(tag: str) -> str:
    """es-US -> es: the part of a language tag that chooses the words, the required blocks and the
    reading formula."""
    return tag.split("-", 1)[0].lower()


# Languages written right to left (their primary subtags): every product of such an edition sets
# dir="rtl" from this one answer, so the handout, the guide, the newsletter and the web edition agree.
RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur", "ps", "ckb", "yi", "dv", "sd", "ug"})


def is_right_to_left(text: str) -> bool:
    """Whether ``text`` holds Arabic-script (or Hebrew) letters: text a PDF may give back in another
    order, and a cover draws from the right."""
    import unicodedata

    return any(unicodedata.bidirectional(character) in ("R", "AL") for character in text)


def direction(tag: str) -> str:
    """'rtl' for a language written right to left (fa, ar-EG), else 'ltr'."""
    return "rtl" if primary_language(tag) in RIGHT_TO_LEFT else "ltr"


# The script each language beyond Latin is written in (ISO 15924), and the font designated for it. A
# language missing here is written in Latin letters: Atkinson Hyperlegible alone.
SCRIPTS = {"fa": "Arab", "ar": "Arab", "ur": "Arab", "ps": "Arab"}

# (family, folder under publishing/fonts/, ((file, weight), ...)): the fonts shipped in the repository
# with their licence (OFL.txt in the same folder), so nothing downloads at build time.
SCRIPT_FONTS = {
    "Arab": (
        "Noto Sans Arabic",
        "noto-sans-arabic",
        (("NotoSansArabic-Regular.ttf", 400), ("NotoSansArabic-Bold.ttf", 700)),
    ),
}


def script(tag: str) -> str:
    """The script a language is written in: 'Arab' for fa and ar, 'Latn' for the others."""
    return SCRIPTS.get(primary_language(tag), "Latn")


# The digits a language prints its dates, page numbers and list numbers in (CLDR's default numbering
# system, as Babel reports it: arabext for Farsi, latn for Arabic as written in the US). Phone numbers,
# 988, 911, addresses and version marks keep the digits people dial and type.
_DIGITS = {"arabext": "۰۱۲۳۴۵۶۷۸۹", "arab": "٠١٢٣٤٥٦٧٨٩"}
_COUNTER_STYLES = {"arabext": "persian", "arab": "arabic-indic"}


def numbering_system(tag: str) -> str:
    """'arabext' for fa, 'latn' for en, es and ar (CLDR via Babel); 'latn' for a tag Babel lacks."""
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(primary_language(tag)).default_numbering_system or "latn")
    except (UnknownLocaleError, ValueError):
        return "latn"


def native_digits(text: str, tag: str) -> str:
    """``text`` with 0-9 in the language's own digits (2026 -> ۲۰۲۶ in Farsi); unchanged in Latin."""
    digits = _DIGITS.get(numbering_system(tag))
    return text.translate(str.maketrans("0123456789", digits)) if digits else text


def counter_style(tag: str) -> str:
    """The CSS counter style of the language's digits, for page and list numbers: 'persian' for fa."""
    return _COUNTER_STYLES.get(numbering_system(tag), "decimal")
