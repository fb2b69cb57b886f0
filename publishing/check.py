"""The publishing gate: verify what is in build/ against the sources, print one table, write JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from .article import load_article
from .build import PRODUCTS, discover
from .errors import PublishingError
from .site import Site


@dataclass
class Row:
    article: str
    product: str
    check: str
    status: str      # "pass", "warn" or "fail"
    detail: str = ""


def run_checks(site: Site) -> list[Row]:
    """One row per article, product and check; warnings fail only under --strict (see failed())."""
    rows: list[Row] = []
    for source in discover(site.project.sources):
        try:
            article = load_article(source, site.settings, site.project.sources)
        except PublishingError as error:
            rows.append(Row(source.stem, "source", "loads", "fail", str(error)))
            continue
        if article.last_reviewed is None:
            rows.append(Row(article.slug, "source", "clinical review", "warn",
                            "not yet reviewed: add last_reviewed once a clinician has reviewed it"))
        for name, module in PRODUCTS.items():
            files = [site.project.out / module.FOLDER / file for file in module.output_names(article)]
            missing = [f for f in files if not f.is_file()]
            if missing:
                rows.append(Row(article.slug, name, "required blocks", "fail",
                                f"{missing[0]} is not built; run 'invoke build'"))
                continue
            try:
                module.verify(article, site, files, files[0])
            except PublishingError as error:
                rows.append(Row(article.slug, name, "required blocks", "fail", str(error)))
            else:
                rows.append(Row(article.slug, name, "required blocks", "pass",
                                "disclaimer and crisis information found in the built file"))
    for key, value, why in (("web_address", site.settings.web_address, "no QR code or 'continue reading' link"),
                            ("postal_address", site.settings.postal_address, "newsletters cannot be sent over SMTP"),
                            ("sender_address", site.settings.sender_address, "the .eml has no From address")):
        if not value:
            rows.append(Row("(settings)", "settings", key, "warn",
                            f"'{key}' is empty: {why}"))
    return rows


def write_json(rows: list[Row], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"ok": not any(r.status == "fail" for r in rows),
                                "rows": [asdict(r) for r in rows]}, indent=2) + "\n", encoding="utf-8")


def failed(rows: list[Row], *, strict: bool = False) -> bool:
    return any(r.status == "fail" or (strict and r.status == "warn") for r in rows)
