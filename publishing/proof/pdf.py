"""Whether a reader sees a block of a PDF: its characters as PDFium draws them.

For each character of the block's wording: the glyph's size on paper (the font size times
the text and page matrices), its place (inside the page's trim box, where the paper is),
its fill colour against the colour painted beneath it (the most common colour of its box,
rendered), and whether it is painted at all (a glyph covered by a box, clipped away or
made transparent leaves no ink in the rendered page).
"""

from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass
from pathlib import Path

from .colour import Colour, contrast
from .problem import MIN_CONTRAST, MIN_POINTS, Problem
from .text import CharacterMap, normalise

# Rendered at 216 dpi, a 9 pt stem is three pixels wide: its core is full ink despite anti-aliasing.
RENDER_SCALE = 3.0
# The darkest (or lightest) pixel of a glyph rendered at 216 dpi against its ground. Measured on the
# handouts, a glyph's core is full ink (its rendered contrast equals its fill colour's); the margin
# under 4.5:1 is for anti-aliased 9 pt glyphs. A glyph under a box, a translucent veil, a clip or
# opacity falls below it.
MIN_INK_CONTRAST = 4.0


@dataclass(frozen=True)
class Glyph:
    character: str
    points: float  # its size on paper
    box: tuple[float, float, float, float]  # left, bottom, right, top, in PDF points
    loose: tuple[float, float, float, float]  # the line's full height around it
    fill: Colour


class PdfText:
    """The characters of a PDF's pages, opened once for every proof of one file."""

    def __init__(self, path: Path, *, product: str, shown_as: Path, rebuild: str):
        import pypdfium2

        from . import unreadable

        self.path = path
        try:
            self.document = pypdfium2.PdfDocument(str(path))
        except pypdfium2.PdfiumError as error:
            raise unreadable(product, shown_as, "PDF", error, rebuild) from None
        if len(self.document) == 0:
            self.document.close()
            raise unreadable(product, shown_as, "PDF", "it has no pages", rebuild)
        self._pages: dict[int, tuple] = {}
        self._maps: dict[int, CharacterMap] = {}

    def close(self) -> None:
        for page, text_page, _ in self._pages.values():
            text_page.close()
            page.close()
        self.document.close()

    def __enter__(self) -> PdfText:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self.document)

    def page(self, index: int):
        """(page, text page, its characters) of page ``index`` (0-based)."""
        if index not in self._pages:
            import pypdfium2.raw as raw

            page = self.document[index]
            text_page = page.get_textpage()
            characters = [chr(raw.FPDFText_GetUnicode(text_page, i)) for i in range(text_page.count_chars())]
            self._pages[index] = (page, text_page, characters)
        return self._pages[index]

    def text(self, index: int) -> str:
        return "".join(self.page(index)[2])

    def find(self, index: int, wording: str, after: int = -1) -> range | None:
        if index not in self._maps:
            self._maps[index] = CharacterMap(self.page(index)[2])
        return self._maps[index].find(wording, after)

    def glyphs(self, index: int, characters: range) -> list[Glyph]:
        import pypdfium2.raw as raw

        _, text_page, text = self.page(index)
        glyphs = []
        for i in characters:
            if not text[i].strip() or not normalise(text[i]):
                continue
            matrix = raw.FS_MATRIX()
            raw.FPDFText_GetMatrix(text_page, i, matrix)
            points = raw.FPDFText_GetFontSize(text_page, i) * math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
            r, g, b, a = (ctypes.c_uint() for _ in range(4))
            raw.FPDFText_GetFillColor(text_page, i, r, g, b, a)
            glyphs.append(
                Glyph(
                    text[i],
                    points,
                    text_page.get_charbox(i),
                    text_page.get_charbox(i, loose=True),
                    Colour(r.value / 255, g.value / 255, b.value / 255, a.value / 255),
                )
            )
        return glyphs

    def body_points(self) -> float:
        """The size most of the document's characters are set in: its body text (every third
        character is enough to tell)."""
        from collections import Counter

        import pypdfium2.raw as raw

        sizes: Counter = Counter()
        matrix = raw.FS_MATRIX()
        for index in range(len(self)):
            _, text_page, text = self.page(index)
            for i in range(0, len(text), 3):
                if text[i].isalnum():
                    raw.FPDFText_GetMatrix(text_page, i, matrix)
                    scale = math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
                    sizes[round(raw.FPDFText_GetFontSize(text_page, i) * scale, 1)] += 1
        return sizes.most_common(1)[0][0] if sizes else 0.0

    def problem(self, index: int, glyphs: list[Glyph], *, at_least: float = MIN_POINTS) -> Problem | None:
        """Why the reader of page ``index`` would not see ``glyphs``, or None."""
        if not glyphs:
            return None
        small = [g for g in glyphs if g.points < at_least - 0.05]
        if small:
            return Problem(
                f"{len(small)} of its {len(glyphs)} characters are set at {min(g.points for g in small):.1f} pt "
                f"(at least {at_least:.1f} pt)"
            )
        page = self.page(index)[0]
        left, bottom, right, top = page.get_trimbox()
        outside = [
            g
            for g in glyphs
            if g.box[0] < left - 0.5 or g.box[2] > right + 0.5 or g.box[1] < bottom - 0.5 or g.box[3] > top + 0.5
        ]
        if outside:
            return Problem(f"{len(outside)} of its {len(glyphs)} characters lie outside the page")
        return self._painted(page, glyphs)

    def _painted(self, page, glyphs: list[Glyph]) -> Problem | None:
        # Rendering shows the crop box; glyph boxes are in page space, whose origin may lie elsewhere.
        shown_left, shown_bottom, shown_right, shown_top = page.get_cropbox()
        left = max(shown_left, min(g.loose[0] for g in glyphs) - 2)
        right = min(shown_right, max(g.loose[2] for g in glyphs) + 2)
        bottom = max(shown_bottom, min(g.loose[1] for g in glyphs) - 2)
        top = min(shown_top, max(g.loose[3] for g in glyphs) + 2)
        crop = (left - shown_left, bottom - shown_bottom, shown_right - right, shown_top - top)
        image = page.render(scale=RENDER_SCALE, crop=crop).to_pil().convert("RGB")
        faint: list = []
        unpainted: list[float] = []
        for glyph in glyphs:
            if not glyph.character.isalnum():
                continue  # a comma or a dot is too small to judge its ink reliably
            box = (
                round((glyph.loose[0] - left) * RENDER_SCALE),
                round((top - glyph.loose[3]) * RENDER_SCALE),
                round((glyph.loose[2] - left) * RENDER_SCALE),
                round((top - glyph.loose[1]) * RENDER_SCALE),
            )
            patch = image.crop(box)
            colours = patch.getcolors(maxcolors=patch.width * patch.height + 1) or []
            if not colours:
                continue
            ground = Colour(*(c / 255 for c in max(colours)[1]))
            ink = glyph.fill.over(ground)
            if contrast(ink, ground) < MIN_CONTRAST:
                faint.append((glyph, ink, ground))
                continue
            # The pixel whose grey level lies furthest from the ground's is the glyph's core.
            darkest, lightest = patch.convert("L").getextrema()
            strongest = max(contrast(_grey(level), ground) for level in (darkest, lightest))
            if strongest < MIN_INK_CONTRAST:
                unpainted.append(strongest)
        if faint:
            glyph, ink, ground = faint[0]
            return Problem(
                f"{len(faint)} of its characters print as {ink.hex()} on {ground.hex()}: contrast "
                f"{contrast(ink, ground):.1f}:1, under {MIN_CONTRAST}:1"
            )
        if unpainted:
            return Problem(
                f"{len(unpainted)} of its characters leave too little ink on the page (covered, clipped "
                f"or transparent): contrast {min(unpainted):.1f}:1 as printed"
            )
        return None


def _grey(level: int) -> Colour:
    return Colour(level / 255, level / 255, level / 255)
