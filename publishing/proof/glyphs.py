"""Every character a PDF draws comes from a font designated for its edition, and that font has it.

Pango never leaves a character out: one the named fonts lack is drawn from whatever font the machine
has (DejaVu here, something else on a clinic PC), or as the empty box of .notdef when none has it.
Either way the reader of a Farsi or Arabic handout gets letters the clinic never chose, or none. So
the PDF itself is read back with PDFium: each character's font (by the name WeasyPrint gives it, the
family with hyphens) must be one designated for the language (publishing/languages.py), and the
character must be in that font's own character map (else it drew .notdef).
"""

from __future__ import annotations

import ctypes
import unicodedata
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Stray:
    """A character drawn from no designated font, or as .notdef."""

    page: int  # 1-based
    character: str
    font: str
    notdef: bool

    def __str__(self) -> str:
        shown = f"'{self.character}' (U+{ord(self.character):04X}) on page {self.page}"
        if self.notdef:
            return f"{shown} has no glyph in {self.font} (it prints as an empty box)"
        return f"{shown} is drawn from {self.font}, a font not designated for this language"


# The words Pango adds to a family's name for a face (WeasyPrint names the PDF font after Pango's
# description: "Noto Sans CJK KR Bold" -> "Noto-Sans-CJK-KR-Bold").
_FACE_SUFFIX = {
    (400, "normal"): "",
    (700, "normal"): "-Bold",
    (400, "italic"): "-Italic",
    (700, "italic"): "-Bold-Italic",
}


def _families(lang: str) -> dict[str, frozenset[int]]:
    """The PDF font name of each designated face ('Noto-Sans-Arabic-Bold') and of each family
    ('Noto-Sans-Arabic', every face together) -> the characters it has. A face is judged by its own
    character map: a Bold face with a space does not cover a Regular one without."""
    from fontTools.ttLib import TTFont

    from ..resources import designated_faces

    faces: dict[str, set[int]] = {}
    families: dict[str, set[int]] = {}
    for path, family, weight, style in designated_faces(lang):
        characters = set(TTFont(path, lazy=True).getBestCmap())
        stem = family.replace(" ", "-")
        faces.setdefault(stem + _FACE_SUFFIX.get((weight, style), f"-{weight}-{style}"), set()).update(characters)
        families.setdefault(stem, set()).update(characters)
    # A face's own name is found before its family's: a family stands for a face Pango named otherwise.
    return {stem: frozenset(characters) for stem, characters in {**families, **faces}.items()}


def _family_of(font: str, stems: dict[str, frozenset[int]]) -> str | None:
    """'ABCDEF+Noto-Sans-Arabic-Bold' -> 'Noto-Sans-Arabic-Bold' (the face) when designated, else the
    designated family it begins with ('Noto-Sans-Arabic'), else None."""
    name = font.split("+", 1)[-1]
    if name in stems:
        return name
    for stem in sorted(stems, key=len, reverse=True):
        if name.startswith(stem + "-"):
            return stem
    return None


def strays(pdf: Path, lang: str, *, at_most: int = 8) -> list[Stray]:
    """The characters of ``pdf`` drawn from an undesignated font or as .notdef (the first ``at_most``,
    each character once)."""
    import pypdfium2
    import pypdfium2.raw as raw

    stems = _families(lang)
    found: dict[str, Stray] = {}
    buffer = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        for number in range(len(document)):
            text_page = document[number].get_textpage()
            for index in range(text_page.count_chars()):
                character = chr(raw.FPDFText_GetUnicode(text_page, index))
                # Spaces and line ends PDFium adds, and the invisible format characters (ZWNJ,
                # bidi controls) that no font draws. A space the PDF draws is judged like a letter:
                # from a font without one, it prints as .notdef, a box between two words.
                if raw.FPDFText_IsGenerated(text_page, index) or character in "\r\n" or character in found:
                    continue
                if unicodedata.category(character) in ("Cc", "Cf"):
                    continue
                raw.FPDFText_GetFontInfo(text_page, index, buffer, len(buffer), flags)
                font = buffer.value.decode("latin-1")
                stem = _family_of(font, stems)
                if stem is None or ord(character) not in stems[stem]:
                    shown = stem.replace("-", " ") if stem else font.split("+", 1)[-1]
                    found[character] = Stray(number + 1, character, shown, notdef=stem is not None)
                    if len(found) >= at_most:
                        return list(found.values())
            text_page.close()
    finally:
        document.close()
    return list(found.values())
