"""How the script fonts in this folder were made (run by hand, never by a build): the faces taken from
Debian's font packages and subset with fontTools to the characters an edition in their script needs.

    apt-get download fonts-noto-core fonts-noto-cjk && for p in fonts-noto-*.deb; do dpkg-deb -x "$p" debs; done
    python publishing/fonts/make_subsets.py debs

A character outside a subset is never drawn from another font: the handout's glyph proof refuses the
edition and names the character (publishing/proof/glyphs.py), and a wider subset is made here.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

HERE = Path(__file__).parent
# Spaces too: Pango gives a space between two Hangul words the font of its neighbours, and without one
# of its own it prints .notdef, a box.
CJK_PUNCTUATION = {
    0x20,
    0xA0,
    0x200B,
    0x2060,
    *range(0x3000, 0x3040),
    *range(0xFF01, 0xFF5F),
    0x00B7,
    0x2014,
    0x2018,
    0x2019,
    0x201C,
    0x201D,
    0x2026,
}
VIETNAMESE = {*range(0x1EA0, 0x1EFA), *range(0x0300, 0x030A), 0x0323, 0x0102, 0x0103, 0x0110, 0x0111, 0x0128, 0x0129,
              0x0168, 0x0169, 0x01A0, 0x01A1, 0x01AF, 0x01B0}  # fmt: skip
RUSSIAN = {*range(0x0400, 0x0460), 0x0490, 0x0491, 0x2116}  # the Cyrillic of Russian and its neighbours


def big5_han() -> set[int]:
    """The 13,053 Han characters of Big5, as Python's big5 codec maps them: the 5,401 frequently used
    (level 1, 0xA440-0xC67E) and the 7,652 less frequent (level 2, 0xC940-0xF9D5), which hold
    characters of everyday medical words (the 胺 and 酮 of 氯胺酮, ketamine)."""
    found = set()
    for lead in range(0xA4, 0xFA):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            code = lead << 8 | trail
            if code <= 0xC67E or 0xC940 <= code <= 0xF9D5:
                try:
                    found.add(ord(bytes((lead, trail)).decode("big5")))
                except UnicodeDecodeError:
                    pass
    return found


def save_subset(font: TTFont, characters: set[int], target: Path, *, hinting: bool) -> None:
    options = subset.Options()
    options.hinting = hinting
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=characters)
    subsetter.subset(font)
    font.save(target)


def as_truetype(font: TTFont, max_error: float = 1.0) -> None:
    """The CFF outlines of a Noto Sans CJK face as TrueType (glyf) ones, as fontTools' otf2ttf snippet
    makes them. WeasyPrint embeds a CID-keyed CFF font with glyph ids for codes, which the font's CID
    charset does not map: a strict reader (outloud, Acrobat) finds .notdef for every Hangul glyph. A
    TrueType face is embedded by glyph id, as Atkinson Hyperlegible is."""
    order = font.getGlyphOrder()
    outlines = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(outlines)
        outlines[name].draw(Cu2QuPen(pen, max_error, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["loca"], font["glyf"] = newTable("loca"), glyf
    font["head"].glyphDataFormat = 0
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
                  "maxSizeOfInstructions", "maxComponentElements"):  # fmt: skip
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    post = font["post"]
    post.formatType, post.extraNames, post.mapping, post.glyphOrder = 2.0, [], {}, order
    font.sfntVersion = "\x00\x01\x00\x00"


def main(debs: Path) -> None:
    latin = {*range(0x20, 0x7F), *range(0xA0, 0x100), *range(0x2010, 0x2028), *range(0x2030, 0x203B), 0x2060}
    for weight in ("Regular", "Bold"):
        noto = debs / "usr/share/fonts/truetype/noto" / f"NotoSans-{weight}.ttf"
        save_subset(TTFont(noto), latin | VIETNAMESE | RUSSIAN, HERE / "noto-sans" / noto.name, hinting=True)
        collection = TTCollection(debs / "usr/share/fonts/opentype/noto" / f"NotoSansCJK-{weight}.ttc")
        hangul = {*range(0xAC00, 0xD7A4), *range(0x3131, 0x318F)}
        for index, tag, characters in ((1, "kr", hangul), (3, "tc", big5_han())):
            face = collection.fonts[index]
            target = HERE / f"noto-sans-cjk-{tag}" / f"NotoSansCJK{tag}-{weight}.ttf"
            save_subset(face, characters | CJK_PUNCTUATION, target, hinting=False)
            face = TTFont(target)
            as_truetype(face)
            face.save(target)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
