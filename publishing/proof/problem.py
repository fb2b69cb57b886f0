"""Why a reader would not see a block, as the proof reports it, and the thresholds of "seen"."""

from __future__ import annotations

from dataclasses import dataclass

MIN_CONTRAST = 4.5
MIN_FONT_PX = 9.0
MIN_POINTS = 9.0  # a PDF glyph's size on paper
MIN_OPACITY = 0.1
# Lines closer than this (line height over font size) overlap: each covers the one before.
MIN_LINE_HEIGHT = 0.7


@dataclass(frozen=True)
class Problem:
    """Why a reader would not see a block: the declaration at fault and where to change it.

    ``uncertain``: the proof could not evaluate it (it fails closed), rather than found it hiding."""

    what: str
    origin: str = ""
    scenario: str = ""
    effect: str = ""  # what the declaration does, when its name does not say it
    uncertain: bool = False

    def __str__(self) -> str:
        text = self.what + (f" from {self.origin}" if self.origin else "") + (f": {self.effect}" if self.effect else "")
        return text + (f" (under {self.scenario})" if self.scenario else "")

    def under(self, scenario: str) -> Problem:
        return Problem(self.what, self.origin, scenario, self.effect, self.uncertain)
