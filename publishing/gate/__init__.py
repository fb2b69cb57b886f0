"""The publishing gate (`invoke check`): verify the sources and everything in build/, print one table,
write JSON.

Each row is one check of one article's product (or of its source): "pass", "warn" (shown;
fails only with --strict) or "fail". Nothing here trusts the build's own report: every
product is read back from its file, every variant and the combined guide included, and a
file in build/ that no article makes is named.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict
from pathlib import Path

from ..errors import PublishingError, shown_path
from ..products import ALL_PRODUCTS, Product
from ..site import Site
from .row import Row

PRODUCT_SUFFIXES = {".pdf", ".epub", ".html", ".txt", ".eml"}


def failed(rows: list[Row], *, strict: bool = False) -> bool:
    return any(r.status == "fail" or (strict and r.status == "warn") for r in rows)


def run_checks(site: Site, *, today: dt.date | None = None) -> list[Row]:
    """Every check for every article; warnings fail only under --strict (see failed())."""
    from ..catalogue import load_articles
    from ..products.guide import Bundle
    from .epubcheck import epubcheck_rows
    from .sources import source_checks

    today = today or dt.date.today()
    rows: list[Row] = []
    epubs: list[tuple[str, str, Path]] = []
    articles, errors = load_articles(site)
    rows += [
        Row(error.path.stem if error.path else "(sources)", "source", "loads", "fail", str(error)) for error in errors
    ]
    claimed: set[Path] = set()

    def check(product: Product, subject, variant: str, required: bool) -> None:
        files = [site.folders.out / product.folder / name for name in product.output_names(subject, variant)]
        claimed.update(files)
        rows.extend(_product_rows(site, product, subject, variant, files, required, epubs))

    for article in articles:
        rows += source_checks(article, site, today)
        for product in ALL_PRODUCTS.values():
            if product.per_article:
                for variant in product.variants:
                    check(product, article, variant, required=variant == product.default_variant)
    for product in ALL_PRODUCTS.values():
        if not product.per_article:  # made on request: checked when it was made
            check(product, Bundle((), site.folders.sources), product.default_variant, required=False)
    rows += _unclaimed_rows(site, claimed)
    rows += epubcheck_rows(epubs)
    rows += settings_checks(site)
    return rows


def _product_rows(
    site: Site, product: Product, subject, variant: str, files: list[Path], required: bool, epubs: list
) -> list[Row]:
    """The checks of one variant's files: a required one must exist; another only when it was made."""
    label = product.label(variant)
    missing = [f for f in files if not f.is_file()]
    if missing and (required or len(missing) < len(files)):
        how = "invoke build" if required else product.rebuild_command(variant)
        return [Row(subject.slug, label, "built", "fail", f"{shown_path(missing[0])} is missing; run '{how}'")]
    if missing:
        return []
    try:
        product.verify(site, files, files[0], subject if product.per_article else None)
    except PublishingError as error:
        return [Row(subject.slug, label, "required blocks", "fail", str(error))]
    if files[0].suffix == ".epub":
        epubs.append((subject.slug, label, files[0]))
    return [
        Row(
            subject.slug,
            label,
            "required blocks",
            "pass",
            "disclaimer and crisis information found in the built file, visible",
        ),
        *product.gate_rows(subject.slug, label, files),
    ]


def _unclaimed_rows(site: Site, claimed: set[Path]) -> list[Row]:
    """Products in build/ that no current article makes: left from a deleted or renamed article, or
    put there by hand. Someone could still print or send them."""
    rows = []
    folders: dict[str, Product] = {}
    for product in ALL_PRODUCTS.values():
        folders.setdefault(product.folder, product)
    for folder_name, product in folders.items():
        folder = site.folders.out / folder_name
        for path in sorted(folder.iterdir()) if folder.is_dir() else ():
            if path.is_file() and path.suffix in PRODUCT_SUFFIXES and path not in claimed:
                rows.append(
                    Row(
                        path.name.split(".")[0],
                        product.name,
                        "made from a source",
                        "warn",
                        f"{shown_path(path)} is not a product of any article in "
                        f"{shown_path(site.folders.sources)} that loads; delete it, or fix and rebuild "
                        "its article, so nobody prints or sends a stale copy",
                    )
                )
    return rows


def settings_checks(site: Site) -> list[Row]:
    rows = []
    for key, why in (
        ("web_address", "no QR code on handouts, no 'continue reading' link in newsletters"),
        ("postal_address", "newsletters cannot be sent over SMTP (CAN-SPAM needs it)"),
        ("sender_address", "the newsletter's .eml has no From address"),
        ("image_base_url", "newsletter images are shown as their descriptions"),
    ):
        if not getattr(site.settings, key):
            rows.append(Row("(settings)", "settings", key, "warn", f"'{key}' is empty: {why}"))
    return rows


def write_json(rows: list[Row], path: Path, *, strict: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "ok": not failed(rows, strict=strict),
        "strict": strict,
        "failures": sum(r.status == "fail" for r in rows),
        "warnings": sum(r.status == "warn" for r in rows),
        "rows": [asdict(r) for r in rows],
    }
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)
