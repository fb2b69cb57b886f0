"""What the proof computes for each element of a block, as a browser would inherit it: font size, line
height, colours, visibility, indent, opacity and the ground beneath the text."""

from __future__ import annotations

from dataclasses import dataclass

from .cascade import BLACK, WHITE, Colour, Declaration
from .judgement import WIDE
from .values import Uncertain, _term


@dataclass
class Computed:
    font_size: float
    line_height: tuple[str, float]  # ("factor", 1.5) or ("px", 20.0): inherited as CSS does
    colour: Colour
    colour_from: Declaration | None
    fill: Colour | None  # -webkit-text-fill-color paints glyphs instead of color
    visibility: str
    visibility_from: Declaration | None
    size_from: Declaration | None
    text_indent: str
    text_indent_from: Declaration | None
    opacity: float  # the product of this element's and its ancestors' opacity
    ground: Colour  # what is painted beneath this element's text
    ground_from: Declaration | None

    @property
    def line_px(self) -> float:
        kind, value = self.line_height
        return value * self.font_size if kind == "factor" else value


ROOT = Computed(16.0, ("factor", 1.2), BLACK, None, None, "visible", None, None, "0", None, 1.0, WHITE, None)


def line_height(declaration: Declaration, font_size: float, inherited: tuple[str, float]) -> tuple[str, float]:
    value = declaration.value
    if declaration.uncertain or value in ("inherit", "unset"):
        return inherited
    if value in ("normal", "initial"):
        return ("factor", 1.2)
    parts = [t for t in declaration.tokens if t.type not in ("whitespace", "comment")]
    try:
        kind, number = _term(parts[0], font_size, 16.0, font_size) if len(parts) == 1 else ("", 0.0)
    except Uncertain:
        return inherited
    if kind == "number":
        return ("factor", number)
    return ("px", number) if kind == "length" else inherited


def declared_opacity(declared: dict[str, Declaration]) -> float | None:
    """The declared opacity, 1.0 when none is set, None when it cannot be read."""
    if "opacity" not in declared:
        return 1.0
    value = declared["opacity"].value
    if value in WIDE:
        return 1.0
    try:
        number = float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError:
        return None
    return max(0.0, min(1.0, number))
