"""The clinic's required wording as staff keep it in sources/_required/, read for the tests with PyYAML
and two regular expressions: none of the pipeline's own loading or Markdown, so editing the wording
as the README tells staff changes what the tests look for, not whether they pass."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Wording:
    title: str
    text: str  # the body's paragraphs, joined by single spaces
    lines: tuple[str, ...] = ()  # the lines under the text (the crisis card's actions), as printed
    links: tuple[dict, ...] = ()  # what the block's front matter says of each link

    @property
    def card(self) -> str:
        """Everything a reader sees of the block, in order."""
        return " ".join((self.title, self.text, *self.lines))

    @property
    def sentences(self) -> list[str]:
        return [s for s in re.split(r"(?<=[.!?])\s+", self.text) if s]


def required_wording(key: str, root: Path = ROOT, language: str = "") -> Wording:
    """A block's wording: the default language's, or with ``language`` ("es") that language's."""
    folder = root / "sources" / "_required" / language
    _, front_matter, body = (folder / f"{key}.md").read_text(encoding="utf-8").split("---", 2)
    meta = yaml.safe_load(front_matter)
    body = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", body)  # [words](link) -> words
    body = re.sub(r"(\*\*|__|\*|_)(\S.*?\S|\S)\1", r"\2", body)  # emphasis marks
    lines = tuple(" ".join(re.sub(r"\[([^\]]*)\]", r"\1", line).split()) for line in meta.get("lines", []))
    links = tuple({"words": words, **spec} for words, spec in (meta.get("links") or {}).items())
    return Wording(" ".join(meta["title"].split()), " ".join(body.split()), lines, links)


CRISIS = required_wording("crisis")
DISCLAIMER = required_wording("disclaimer")
SPANISH_CRISIS = required_wording("crisis", language="es")
SPANISH_DISCLAIMER = required_wording("disclaimer", language="es")
