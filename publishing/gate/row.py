"""One line of the gate's table: one check of one article's product, or of its source."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Row:
    article: str
    product: str
    check: str
    status: str  # "pass", "warn" or "fail"
    detail: str = ""
