"""What a product asks the gate's witness to see (``Product.witness_pages``): the documents to render and
the required blocks on each.

Here, outside publishing/gate/ (whose package drives the products), so a product never imports the gate;
the witness that renders them is publishing/gate/witness.py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Sighting:
    """One block a product asks the witness to see: where, and which lines."""

    block_id: str
    name: str  # what a person calls it, in messages
    lines: tuple[str, ...]
    page: int = 0  # for a PDF: the 0-based page it must be on


@dataclass(frozen=True)
class WitnessPage:
    """One document the gate renders: a browser page (with widths and colour schemes) or a PDF."""

    renderer: str  # "browser" or "pdf"
    document: Path
    where: str  # for messages: "the HTML", "crisis.xhtml"
    sightings: tuple[Sighting, ...]
    widths: tuple[int, ...] = (600, 375)
    schemes: tuple[str, ...] = ("light", "dark")
