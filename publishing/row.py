"""One line of the gate's table: one check of one article's product, or of its source.

Here, outside publishing/gate/ (whose package drives the products), because the products write rows too
(``Product.gate_rows``): a product never imports the gate."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Row:
    article: str
    product: str
    check: str
    status: str  # "pass", "warn" or "fail"
    detail: str = ""
    facts: dict = field(default_factory=dict)  # for build/check.json: e.g. EPUBCheck's counts and messages

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Row:
        return cls(**data)
