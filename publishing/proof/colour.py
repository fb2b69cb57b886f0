"""Colours as the proof compares them: parsed from CSS, painted over what is beneath, and their
WCAG 2 contrast."""

from __future__ import annotations

import functools
from dataclasses import dataclass


@dataclass(frozen=True)
class Colour:
    red: float
    green: float
    blue: float
    alpha: float = 1.0

    def over(self, ground: Colour) -> Colour:
        """This colour painted over an opaque ``ground``."""
        a = self.alpha
        return Colour(
            *(
                c * a + g * (1 - a)
                for c, g in zip((self.red, self.green, self.blue), (ground.red, ground.green, ground.blue), strict=True)
            )
        )

    def faded(self, opacity: float) -> Colour:
        return Colour(self.red, self.green, self.blue, self.alpha * opacity)

    @property
    def luminance(self) -> float:
        """WCAG 2 relative luminance."""
        return _luminance(self.red, self.green, self.blue)

    def hex(self) -> str:
        return "#" + "".join(f"{round(max(0, min(1, c)) * 255):02x}" for c in (self.red, self.green, self.blue))


# A document's few colours are compared thousands of times (every glyph of a PDF block against its
# ground, every element of an email): each luminance is computed once per process.
@functools.lru_cache(maxsize=4096)
def _luminance(red: float, green: float, blue: float) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


WHITE, BLACK = Colour(1, 1, 1), Colour(0, 0, 0)


def contrast(one: Colour, other: Colour) -> float:
    """WCAG 2 contrast ratio of two opaque colours."""
    high, low = sorted((one.luminance, other.luminance), reverse=True)
    return (high + 0.05) / (low + 0.05)


def parse_colour(value) -> Colour | str | None:
    """A Colour, the string 'currentcolor', or None for a value that is not a colour the proof can
    know: color-mix() and light-dark() (which depends on the reader's colour scheme) are not."""
    if isinstance(value, str):
        return _parse_colour_text(value)
    return _parse_colour_token(value)


@functools.lru_cache(maxsize=1024)
def _parse_colour_text(value: str) -> Colour | str | None:
    """A declared value's colour, parsed once per process for each text (what it returns is frozen)."""
    import tinycss2

    return _parse_colour_token(tinycss2.parse_one_component_value(value))


def _parse_colour_token(value) -> Colour | str | None:
    from tinycss2.color4 import parse_color

    if getattr(value, "type", "") == "function" and value.lower_name == "device-cmyk":
        return _device_cmyk(value)
    parsed = parse_color(value)
    if parsed is None or isinstance(parsed, str):
        return parsed
    red, green, blue = parsed.to("srgb").coordinates
    return Colour(red, green, blue, parsed.alpha)


def _device_cmyk(function) -> Colour | None:
    """device-cmyk(c m y k) as the naive conversion prints it (the print shop's colours)."""
    numbers = [
        t.value / 100 if t.type == "percentage" else t.value
        for t in function.arguments
        if t.type in ("number", "percentage")
    ]
    if len(numbers) != 4:
        return None
    c, m, y, k = (max(0.0, min(1.0, n)) for n in numbers)
    return Colour((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
