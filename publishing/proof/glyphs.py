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


def _families(lang: str) -> dict[str, frozenset[int]]:
    """The PDF font name stem of each designated family ('Noto-Sans-Arabic') -> the characters it has."""
    from fontTools.ttLib import TTFont

    from ..resources import designated_faces

    covered: dict[str, set[int]] = {}
    for path, family, _, _ in designated_faces(lang):
        covered.setdefault(family.replace(" ", "-"), set()).update(TTFont(path, lazy=True).getBestCmap())
    return {stem: frozenset(characters) for stem, characters in covered.items()}


def _family_of(font: str, stems: dict[str, frozenset[int]]) -> str | None:
    """'ABCDEF+Noto-Sans-Arabic-Bold' -> 'Noto-Sans-Arabic' when that family is designated."""
    name = font.split("+", 1)[-1]
    for stem in sorted(stems, key=len, reverse=True):
        if name == stem or name.startswith(stem + "-"):
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
                # bidi controls) that no font draws.
                if raw.FPDFText_IsGenerated(text_page, index) or character.isspace() or character in found:
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
