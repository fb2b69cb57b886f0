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
    """The script a text beyond Latin is written in ('Arab', 'Kore'), else 'Latn': which font draws it.
    Vietnamese counts as its own ('Viet'): its letters with two marks are beyond Atkinson Hyperlegible."""
    if is_right_to_left(text):
        return "Arab"
    for script_code, first, last in _SCRIPT_RANGES:
        if any(first <= character <= last for character in text):
            return script_code
    return "Latn"


# Where each script's letters lie (the blocks the designated fonts cover), in the order asked.
_SCRIPT_RANGES = (
    ("Kore", "\uac00", "\ud7a3"),
    ("Kore", "\u3131", "\u318e"),
    ("Hant", "\u4e00", "\u9fff"),
    ("Armn", "\u0530", "\u058f"),
    ("Cyrl", "\u0400", "\u04ff"),
    ("Viet", "\u1ea0", "\u1ef9"),
    ("Viet", "\u01a0", "\u01b0"),
)


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
    # Chinese by its script subtag (zh-Hant, zh-Hans) or region (zh-TW, zh-CN): see script().
    **dict.fromkeys(("zh", "yue"), "Hant"),
    "ja": "Jpan",
    "km": "Khmr",
    # Vietnamese is Latin script, but six of its letters (ạ ả ặ ế ọ ủ) and more are beyond Atkinson
    # Hyperlegible, and a word set in two typefaces reads badly: 'Viet' (not an ISO 15924 code) names
    # the font that sets its editions throughout (layouts/handout/lang-vi.css).
    "vi": "Viet",
}
SCRIPT_NAMES = {
    "Cyrl": "Cyrillic",
    "Armn": "Armenian",
    "Kore": "Hangul",
    "Hant": "Traditional Chinese (Han)",
    "Hans": "Simplified Chinese (Han)",
    "Jpan": "Japanese",
    "Khmr": "Khmer",
    "Viet": "Vietnamese",
}
# A Chinese tag names its script (zh-Hant, zh-Hans) or a region that implies one (CLDR's likely
# subtags): Simplified letters need a font of their own, not the Traditional one.
_CHINESE_SCRIPT_BY_REGION = {"TW": "Hant", "HK": "Hant", "MO": "Hant", "CN": "Hans", "SG": "Hans", "MY": "Hans"}

# Scripts the products cannot set right yet, whatever the font: why, in the words of the refusal.
CANNOT_SET = {
    "Khmr": "WeasyPrint lays Khmer lines (written without spaces between words) past their box, and its "
    "PDF text layer garbles Khmer, so a screen reader reads the wrong words",
}

# (family, folder under publishing/fonts/, ((file, weight), ...)): the fonts shipped in the repository
# with their licence (OFL.txt in the same folder), so nothing downloads at build time. Subset by
# publishing/fonts/make_subsets.py: a character outside a subset is refused by the glyph proof.
SCRIPT_FONTS = {
    "Arab": (
        "Noto Sans Arabic",
        "noto-sans-arabic",
        (("NotoSansArabic-Regular.ttf", 400), ("NotoSansArabic-Bold.ttf", 700)),
    ),
    # Subset to Latin, the Vietnamese letters and Russian Cyrillic (96 KB a face instead of 510).
    "Cyrl": ("Noto Sans", "noto-sans", (("NotoSans-Regular.ttf", 400), ("NotoSans-Bold.ttf", 700))),
    "Viet": ("Noto Sans", "noto-sans", (("NotoSans-Regular.ttf", 400), ("NotoSans-Bold.ttf", 700))),
    "Armn": (
        "Noto Sans Armenian",
        "noto-sans-armenian",
        (("NotoSansArmenian-Regular.ttf", 400), ("NotoSansArmenian-Bold.ttf", 700)),
    ),
    # The Korean and Traditional Chinese faces of Noto Sans CJK (Source Han Sans), subset to the 11,172
    # Hangul syllables (2.2 MB a face) and to Big5's 13,053 characters (10 MB a face), as TrueType outlines.
    "Kore": (
        "Noto Sans CJK KR",
        "noto-sans-cjk-kr",
        (("NotoSansCJKkr-Regular.ttf", 400), ("NotoSansCJKkr-Bold.ttf", 700)),
    ),
    "Hant": (
        "Noto Sans CJK TC",
        "noto-sans-cjk-tc",
        (("NotoSansCJKtc-Regular.ttf", 400), ("NotoSansCJKtc-Bold.ttf", 700)),
    ),
}


def script(tag: str) -> str:
    """The script a language is written in: 'Arab' for fa and ar, 'Hant' for zh-Hant and zh-TW, 'Hans'
    for zh-Hans, zh-CN and a bare zh, 'Latn' for en and es."""
    language = primary_language(tag)
    if language == "zh":
        subtags = tag.replace("_", "-").split("-")[1:]
        named = [s.title() for s in subtags if s.title() in ("Hant", "Hans")]
        by_region = [_CHINESE_SCRIPT_BY_REGION[s.upper()] for s in subtags if s.upper() in _CHINESE_SCRIPT_BY_REGION]
        return (named or by_region or ["Hans"])[0]
    return SCRIPTS.get(language, "Latn")


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
    if written_in == "Hans":
        return (
            f"no font is designated for {name} yet (lang {tag!r} is read as Simplified Chinese): its letters "
            "would print in whatever font the machine has",
            "for Traditional Chinese write 'lang: zh-Hant' (or zh-TW); for Simplified, ship its font and name "
            "it in publishing/languages.py (SCRIPT_FONTS) first",
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
