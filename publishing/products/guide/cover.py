"""The guide's cover, drawn from one template for every book: the clinic, the title, what the book is."""

from __future__ import annotations

import functools
import io

from ...languages import SCRIPT_FONTS, is_right_to_left, text_script
from ...resources import font_dir, script_font_dir

COVER_SIZE = (1600, 2400)  # 2:3, the shape stores and reading systems expect
MARGIN = 150


TEAL, TINT, INK, MUTED, PALE = "#1d4f5c", "#eaf2f3", "#1b1f23", "#4a5560", "#dbe9ec"


SUN = ("#d3e3e6", "#b7d0d5", "#8fb3bb")


# Each colour of text and the background it is drawn on, for the steps of its anti-aliased edges.
TEXT_ON = ((TEAL, TINT), (INK, TINT), (MUTED, TINT), (PALE, TEAL))


EDGE_STEPS = 6


@functools.cache
def _cover_palette():
    """The cover's 32 colours: its flat colours and the anti-aliasing steps between each text colour
    and its background. Mapping to a palette known in advance takes 13 ms where choosing one from
    the pixels takes 50 (most of a guide's build), and it is the same for every cover."""
    from PIL import Image, ImageColor

    colours = [ImageColor.getrgb(colour) for colour in (TEAL, TINT, INK, MUTED, PALE, *SUN)]
    for text, background in TEXT_ON:
        ink, paper = ImageColor.getrgb(text), ImageColor.getrgb(background)
        for step in range(1, EDGE_STEPS + 1):
            share = step / (EDGE_STEPS + 1)
            red, green, blue = (round(i * share + p * (1 - share)) for i, p in zip(ink[:3], paper[:3], strict=True))
            colours.append((red, green, blue))
    palette = Image.new("P", (1, 1))
    palette.putpalette([value for colour in colours for value in colour])
    return palette


def cover_png(title: str, subtitle: str, settings) -> bytes:
    """The cover, drawn from one template for every book: the clinic, the title, what the book is."""
    return _cover_png(title, subtitle, settings.clinic_name, settings.clinic_location)


# Drawing a cover takes 0.1 s (a third of a guide's build). A process that builds the same book again
# (the preview on every save, a guide rebuilt beside its variants) draws it once: it is made only of
# these four texts and the fonts shipped with the package.
@functools.lru_cache(maxsize=16)
def _cover_png(title: str, subtitle: str, clinic_name: str, clinic_location: str) -> bytes:
    from PIL import Image, ImageDraw

    font = _typeface
    width, height = COVER_SIZE
    margin = MARGIN
    image = Image.new("RGB", COVER_SIZE, TINT)
    draw = ImageDraw.Draw(image)

    draw.text((margin, 230), clinic_name.upper(), font=font("Bold", 76), fill=TEAL)
    draw.rectangle((margin, 360, margin + 260, 374), fill=TEAL)

    # The largest size at which the title fits its area, wrapped at word boundaries.
    area_top, area_bottom, line_gap = 560, 1420, 1.18
    for size in range(170, 71, -6):
        title_font = font("Bold", size, title)
        lines = _wrap(title, title_font, width - 2 * margin)
        if len(lines) * size * line_gap <= area_bottom - area_top:
            break
    y = area_top
    for text in lines:
        _draw_line(draw, y, text, title_font, INK)
        y += round(size * line_gap)
    _draw_line(draw, y + 60, subtitle, font("Regular", 72, subtitle), MUTED)

    # A sun rising over the band: calm, and the same on every cover, whatever the title's length.
    band_top = height - 420
    centre = width - margin - 300
    for radius, colour in zip((360, 260, 160), SUN, strict=True):
        draw.pieslice((centre - radius, band_top - radius, centre + radius, band_top + radius), 180, 360, fill=colour)
    draw.rectangle((0, band_top, width, height), fill=TEAL)
    if clinic_location:
        location_font = font("Regular", 60)
        for number, line in enumerate(_wrap(clinic_location, location_font, width - 2 * margin)[:2]):
            draw.text((margin, band_top + 150 + number * 80), line, font=location_font, fill=PALE)

    out = io.BytesIO()
    # A few flat colours and their anti-aliasing: 32 indexed colours look the same at a third of the size.
    image.quantize(palette=_cover_palette(), dither=Image.Dither.NONE).save(
        out, format="PNG", compress_level=3
    )  # zlib effort beyond this buys little on flat colours
    return out.getvalue()


def _typeface(face: str, size: int, text: str = ""):
    """Atkinson Hyperlegible, or for a text in another script the font designated for it, laid out by
    libraqm (shaping and bidi): Atkinson has no Arabic or Cyrillic letters, and the basic engine would
    draw Arabic unjoined, in the wrong order."""
    from PIL import ImageFont

    if text_script(text) != "Latn":
        _, folder, files = SCRIPT_FONTS[text_script(text)]
        file = files[1][0] if face == "Bold" else files[0][0]
        return ImageFont.truetype(str(script_font_dir() / folder / file), size, layout_engine=ImageFont.Layout.RAQM)
    # The basic layout engine for Latin text, so a machine with libraqm draws the same pixels.
    return ImageFont.truetype(
        str(font_dir() / f"AtkinsonHyperlegible-{face}.ttf"), size, layout_engine=ImageFont.Layout.BASIC
    )


def _draw_line(draw, y: int, text: str, typeface, fill: str) -> None:
    """One line of the title or subtitle: a right-to-left one from the right margin."""
    if is_right_to_left(text):
        draw.text((COVER_SIZE[0] - MARGIN, y), text, font=typeface, fill=fill, anchor="ra", direction="rtl")
    else:
        draw.text((MARGIN, y), text, font=typeface, fill=fill)


# Punctuation a line may not begin with in Chinese (and Japanese): it stays at the end of the line before.
_NO_LINE_START = frozenset("、。，．：；？！）」』】〉》〕,.:;?!)")


def _wrap(text: str, font, width: int) -> list[str]:
    """Words into lines no wider than ``width``; a word wider than a line is split between characters."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if font.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for character in word:
            # Chinese is split between characters, never before closing punctuation (UAX #14's CL).
            if font.getlength(current + character) > width and current and character not in _NO_LINE_START:
                lines.append(current)
                current = ""
            current += character
    if current:
        lines.append(current)
    return lines
