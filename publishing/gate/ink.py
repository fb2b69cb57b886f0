"""Ink the witness measures: the pixels a block's text changes, between a picture with the text painted
and one without it; and for a PDF, the two pictures PDFium renders with the block's text objects
painted and made transparent.

Thresholds, measured on the sample's products (see tests/test_witness.py): a readable line changes
at least MIN_INK of its box's pixels (the sample's lines: 5.3% at least, in the newsletter and the
guide; a line covered, clipped, faded by a filter or set in the ground's colour: 0%), and its
strongest ink pixel stands MIN_WITNESS_CONTRAST from the ground (the sample: 8.2:1 at least; under
an 85% white veil 1.3:1, blurred 2.0:1). Anti-aliasing lowers a thin glyph's contrast below its CSS
value, hence 3:1 and not 4.5:1 (the build's proof holds the 4.5:1 line).
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..sighting import WitnessPage

MIN_INK = 0.02
MIN_WITNESS_CONTRAST = 3.0
PDF_SCALE = 2.0  # 144 dpi: a 9 pt stem is two pixels wide
CHANGED = 24  # a pixel whose grey level moves more than this (of 255) is ink, not noise


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)
    seen: int = 0  # (block, situation) pairs seen


def line_ink(painted, bare, area: tuple[int, int, int, int]) -> tuple[float, float]:
    """(share of the area's pixels the text changes, contrast of its strongest ink against the ground)."""
    from PIL import ImageChops, ImageStat

    left, top, right, bottom = area
    left, top = max(0, left), max(0, top)
    right, bottom = min(painted.width, right), min(painted.height, bottom)
    if right - left < 1 or bottom - top < 1:
        return 0.0, 1.0
    with_text = painted.crop((left, top, right, bottom)).convert("L")
    without = bare.crop((left, top, right, bottom)).convert("L")
    mask = ImageChops.difference(with_text, without).point(lambda level: 255 if level > CHANGED else 0)
    count = mask.histogram()[255]
    if not count:
        return 0.0, 1.0
    ground = ImageStat.Stat(without, mask).median[0]
    darkest, lightest = ImageStat.Stat(with_text, mask).extrema[0]
    return count / (with_text.width * with_text.height), max(_contrast(darkest, ground), _contrast(lightest, ground))


def _contrast(one: float, other: float) -> float:
    from ..proof.colour import Colour, contrast

    return contrast(Colour(one / 255, one / 255, one / 255), Colour(other / 255, other / 255, other / 255))


def see_pdf(page: WitnessPage) -> Verdict:
    """Each block's lines on its page: rendered with its text objects, then with them transparent."""
    verdict = Verdict()
    for sighting in page.sightings:
        problem = _see_on_page(page, sighting)
        verdict.seen += 1
        if problem:
            verdict.problems.append(f"the {sighting.name} is not seen on page {sighting.page + 1}: {problem}")
            break
    return verdict


def _see_on_page(page: WitnessPage, sighting) -> str | None:
    import pypdfium2
    import pypdfium2.raw as raw

    from ..proof.text import CharacterMap

    document = pypdfium2.PdfDocument(str(page.document))
    try:
        if sighting.page >= len(document):
            return "the PDF has no such page"
        pdf_page = document[sighting.page]
        text_page = pdf_page.get_textpage()
        characters = [chr(raw.FPDFText_GetUnicode(text_page, i)) for i in range(text_page.count_chars())]
        found = CharacterMap(characters)
        after, lines = -1, []
        for wording in sighting.lines:
            span = found.find(wording, after)
            if span is None:
                return f"its line '{wording}' is not on the page"
            lines.append((wording, [i for i in span if characters[i].isalnum()]))
            after = span.stop - 1
        objects = {}
        for _, indices in lines:
            for i in indices:
                obj = raw.FPDFText_GetTextObject(text_page, i)
                if obj:
                    objects[ctypes.cast(obj, ctypes.c_void_p).value] = obj
        painted = pdf_page.render(scale=PDF_SCALE).to_pil().convert("RGB")
        for obj in objects.values():
            raw.FPDFPageObj_SetFillColor(obj, 0, 0, 0, 0)
            raw.FPDFPageObj_SetStrokeColor(obj, 0, 0, 0, 0)
        bare = pdf_page.render(scale=PDF_SCALE).to_pil().convert("RGB")
        # A render shows the crop box; glyph boxes are in page space, whose origin may lie elsewhere
        # (the print-shop file's bleed puts the crop box inside a larger media box).
        shown_left, _, _, shown_top = pdf_page.get_cropbox()
        for wording, indices in lines:
            for row in _rows(text_page, indices):
                left, bottom, right, top = row
                area = tuple(
                    round(v * PDF_SCALE)
                    for v in (left - shown_left, shown_top - top, right - shown_left, shown_top - bottom)
                )
                ink, strongest = line_ink(painted, bare, area)
                if ink < MIN_INK or strongest < MIN_WITNESS_CONTRAST:
                    return (
                        f"its line '{wording[:40]}' leaves {ink:.1%} ink at contrast {strongest:.1f}:1 as "
                        f"printed (readable: {MIN_INK:.0%} and {MIN_WITNESS_CONTRAST:g}:1)"
                    )
        return None
    finally:
        document.close()


def _rows(text_page, indices: list[int]) -> list[tuple[float, float, float, float]]:
    """The glyphs' tight boxes, joined into one box per printed line."""
    rows: list[list[float]] = []
    for i in indices:
        left, bottom, right, top = text_page.get_charbox(i)
        for row in rows:
            if abs(row[1] - bottom) < 2:
                row[0], row[2], row[3] = min(row[0], left), max(row[2], right), max(row[3], top)
                row[1] = min(row[1], bottom)
                break
        else:
            rows.append([left, bottom, right, top])
    return [tuple(row) for row in rows]  # type: ignore[misc]
