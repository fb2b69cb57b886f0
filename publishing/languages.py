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


def text_script(text: str) -> str:
    """The script a text beyond Latin is written in ('Arab', 'Cyrl'), else 'Latn': which font draws it."""
    if is_right_to_left(text):
        return "Arab"
    if any("\u0530" <= character <= "\u058f" for character in text):
        return "Armn"
    return "Cyrl" if any("\u0400" <= character <= "\u04ff" for character in text) else "Latn"


def direction(tag: str) -> str:
    """'rtl' for a language written right to left (fa, ar-EG), else 'ltr'."""
    return "rtl" if primary_language(tag) in RIGHT_TO_LEFT else "ltr"


# The script each language beyond Latin is written in (ISO 15924), and the font designated for it. A
# language missing here is written in Latin letters: Atkinson Hyperlegible alone.
SCRIPTS = {
    **dict.fromkeys(("fa", "ar", "ur", "ps"), "Arab"),
    **dict.fromkeys(("ru", "uk", "bg", "sr", "mk", "be"), "Cyrl"),
    "hy": "Armn",
    "ko": "Kore",
    **dict.fromkeys(("zh", "ja", "yue"), "Hani"),
    "km": "Khmr",
}
SCRIPT_NAMES = {"Cyrl": "Cyrillic", "Armn": "Armenian", "Kore": "Hangul", "Hani": "Han", "Khmr": "Khmer"}

# Scripts the products cannot set right yet, whatever the font: why, in the words of the refusal.
CANNOT_SET = {
    "Khmr": "WeasyPrint lays Khmer lines (written without spaces between words) past their box, and its "
    "PDF text layer garbles Khmer, so a screen reader reads the wrong words",
}

# (family, folder under publishing/fonts/, ((file, weight), ...)): the fonts shipped in the repository
# with their licence (OFL.txt in the same folder), so nothing downloads at build time.
SCRIPT_FONTS = {
    "Arab": (
        "Noto Sans Arabic",
        "noto-sans-arabic",
        (("NotoSansArabic-Regular.ttf", 400), ("NotoSansArabic-Bold.ttf", 700)),
    ),
    # Subset to Latin and Russian Cyrillic (69 KB a face instead of 510).
    "Cyrl": ("Noto Sans", "noto-sans", (("NotoSans-Regular.ttf", 400), ("NotoSans-Bold.ttf", 700))),
    "Armn": (
        "Noto Sans Armenian",
        "noto-sans-armenian",
        (("NotoSansArmenian-Regular.ttf", 400), ("NotoSansArmenian-Bold.ttf", 700)),
    ),
}


def script(tag: str) -> str:
    """The script a language is written in: 'Arab' for fa and ar, 'Latn' for en, es and vi."""
    return SCRIPTS.get(primary_language(tag), "Latn")


def refusal(tag: str) -> tuple[str, str] | None:
    """Why an edition in ``tag`` cannot be built (its script has no designated font yet, or cannot be
    set right) and what to do, or None: refused before a word is laid out, never printed in a
    machine's fallback font."""
    written_in = script(tag)
    if written_in == "Latn" or written_in in SCRIPT_FONTS:
        return None
    name = SCRIPT_NAMES.get(written_in, written_in)
    if written_in in CANNOT_SET:
        return (
            f"editions in {name} script cannot be built yet: {CANNOT_SET[written_in]}",
            f"keep the {name} edition out of sources/ until the products can set {name} right",
        )
    return (
        f"no font is designated for {name} script yet: its letters would print in whatever font the machine has",
        "ship the script's font and name it in publishing/languages.py (SCRIPT_FONTS) first",
    )


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
