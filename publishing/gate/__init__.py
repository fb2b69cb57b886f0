"""The publishing gate (`invoke check`): verify the sources and everything in build/, print one table,
write JSON.

Each row is one check of one article's product (or of its source): "pass", "warn" (shown;
fails only with --strict) or "fail". Nothing here trusts the build's own report: every
product is read back from its file, every variant and the combined guide included, and a
file in build/ that no article makes is named. Each check's rows are kept against a hash of
what it read (cache.py), so an unchanged library is checked again in a moment; the PDF and
email checks run on every core, and EPUBCheck on every guide in one Java process beside them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..catalogue import catalogue
from ..errors import PublishingError, shown_path
from ..products import ALL_PRODUCTS, Product
from ..row import Row
from ..site import Site
from .cache import Digests, GateCache
from .freshness import Freshness
from .safety import required_block_rows

if TYPE_CHECKING:
    from ..report import CheckProgress

PRODUCT_SUFFIXES = {".pdf", ".epub", ".html", ".txt", ".eml"}


@dataclass
class Checked:
    rows: list[Row]
    reused: int = 0  # checks whose result was kept: nothing they read changed
    checked: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return failed(self.rows)


def failed(rows: list[Row], *, strict: bool = False) -> bool:
    return any(r.status == "fail" or (strict and r.status == "warn") for r in rows)


@dataclass
class _Unit:
    """One check to make (or to take from the cache): its rows land at ``slot`` of the table."""

    name: str  # the cache's key for it: "source:<path>", "product:<file>"
    key: str
    slot: list
    product: Product | None = None
    variant: str = ""
    slug: str = ""
    files: list[Path] = field(default_factory=list)
    source: Path | None = None
    place: int = 0  # its slot's place in the table
    proven: bool = False  # the build's proof passed on its files


def run_checks(
    site: Site, *, today: dt.date | None = None, fresh: bool = False, progress: CheckProgress | None = None
) -> Checked:
    """Every check for every article; warnings fail only under --strict (see failed())."""
    from ..report import CheckProgress
    from . import epubcheck
    from .proving import check_products
    from .sources import load_row, source_checks
    from .witness import VERSION as WITNESS
    from .witnessed import close_witness

    progress = progress or CheckProgress()
    today = today or dt.date.today()
    out = site.folders.out
    cache = GateCache.load(out, fresh=fresh)
    digests = Digests(site)
    freshness = Freshness(site)
    found = site.catalogue = catalogue(site.folders.sources, cache.slugs, site.language)
    table: list[list[Row]] = []  # slots, in article order
    epubs: list[tuple[int, str, str, Path]] = []  # (place in the table, slug, label, file)
    stale: list[_Unit] = []
    articles: dict[Path, object] = {}
    claimed: set[Path] = set()

    def slot() -> list:
        table.append([])
        return table[-1]

    def article_of(source: Path):
        if source not in articles:
            from ..article import load_article

            try:
                articles[source] = load_article(source, site.settings, site.folders.sources)
            except PublishingError as error:
                articles[source] = error
        return articles[source]

    def plan(product: Product, slug: str, variant: str, source: Path | None, required: bool) -> None:
        files = [out / product.folder / name for name in product.output_names(slug, variant)]
        claimed.update(files)
        missing = [f for f in files if not f.is_file()]
        label = product.label(variant)
        if missing and (required or len(missing) < len(files)):
            how = "invoke build" if required else product.rebuild_command(variant)
            slot().append(Row(slug, label, "built", "fail", f"{shown_path(missing[0])} is missing; run '{how}'"))
            return
        if missing:
            return
        if source is not None and product.per_article:  # older than its inputs: nothing in it to vouch for
            late = freshness.row(product, variant, slug, source)
            if late is not None:
                slot().append(late)
                return
        key = digests.of(
            digests.common,
            digests.layouts(product.layouts),
            WITNESS,
            digests.tools,
            product.name,
            variant,
            *(digests.file(f) for f in files),
            digests.file(source) if source else "",
        )
        unit = _Unit(
            f"product:{files[0].relative_to(out)}", key, slot(), product, variant, slug, files, source, len(table)
        )
        entry = cache.get(unit.name, key)
        if entry is None:
            stale.append(unit)
        else:
            unit.proven = entry["proven"]
            unit.slot += [Row.from_dict(row) for row in entry["rows"]]
            if entry["proven"] and files[0].suffix == ".epub":
                epubs.append((len(table), slug, label, files[0]))

    for source in found.sources:
        slug = found.name(source)
        if source in found.refused:
            slot().append(load_row(source.stem, found.refused[source]))
            continue
        original = found.original(source)  # a translation is checked against the article it translates
        key = digests.of(
            digests.common,
            "source",
            digests.file(source),
            digests.file(original) if original else "",
            digests.sources_besides_articles,
            digests.catalogs,
            digests.library,
            digests.tools,
            today.isoformat(),
        )
        entry = cache.get(f"source:{source.name}", key)
        if entry is None:
            article = article_of(source)
            loaded = not isinstance(article, PublishingError)
            rows = source_checks(article, site, today, original) if loaded else [load_row(source.stem, article)]
            cache.put(f"source:{source.name}", key, rows=[row.as_dict() for row in rows], loaded=loaded)
        else:
            loaded, rows = entry["loaded"], [Row.from_dict(row) for row in entry["rows"]]
        slot().extend(rows)
        if found.editions and source not in found.editions:  # a library with translations: who has which
            slot().append(languages_row(site, source))
        if not loaded:
            continue
        for product in ALL_PRODUCTS.values():
            if product.per_article:
                for variant in product.variants:
                    plan(product, slug, variant, source, required=variant == product.default_variant)
    for product in ALL_PRODUCTS.values():
        if not product.per_article:  # several articles in one: each product says what it made
            for slug, own_source, required in product.gate_subjects(site):
                if own_source is not None:
                    slot().extend(product.source_rows(own_source, site))
                plan(product, slug, product.default_variant, own_source, required=required)

    checker = epubcheck.EpubChecker(out / ".gate") if not epubcheck.unavailable() else None
    epub_version = epubcheck.version_key() if checker else ""
    epub_rows: dict[Path, Row] = {}

    def epub_key(path: Path) -> str:
        return digests.of(epub_version, digests.tools, digests.file(path))

    def check_epub(path: Path) -> None:
        entry = cache.get(f"epubcheck:{path.relative_to(out)}", epub_key(path))
        if entry is not None:
            epub_rows[path] = Row.from_dict(entry["row"])
        elif checker is not None:
            checker.submit(path)

    for *_, path in epubs:
        check_epub(path)
    progress.start(len(stale), cache.reused)
    for unit, (rows, proven) in check_products(
        site,
        stale,
        articles=[article_of(u.source) if u.source and u.product and u.product.per_article else None for u in stale],
    ):
        unit.slot += rows
        unit.proven = proven
        cache.put(unit.name, unit.key, rows=[row.as_dict() for row in rows], proven=proven)
        progress.advance(f"{unit.slug} {unit.product.label(unit.variant) if unit.product else ''}")
        if proven and unit.files[0].suffix == ".epub" and unit.product is not None:
            epubs.append((unit.place, unit.slug, unit.product.label(unit.variant), unit.files[0]))
            check_epub(unit.files[0])
    close_witness()  # the browser of a check made in this process (several: each worker closes its own)
    witnessed = sum(bool(u.proven) for u in stale)
    notes = [f"The witness (Chromium and PDFium) looked at {witnessed} product file(s)"] if witnessed else []
    if checker is not None and checker.submitted:
        progress.note(f"EPUBCheck on {len(checker.submitted)} guide(s)")
        for path, result in checker.results().items():
            row = epubcheck.result_row(result)
            epub_rows[path] = row
            cache.put(f"epubcheck:{path.relative_to(out)}", epub_key(path), row=row.as_dict())
        notes.append(
            f"EPUBCheck {checker.version or ''} ran on {len(checker.submitted)} guide(s) in "
            + ("one Java process" if checker.version else "one Java process per guide")
        )
    progress.finish()

    rows = [row for rows in table for row in rows]
    rows += _unclaimed_rows(site, claimed)
    for _, slug, label, path in sorted(epubs):
        # Fail closed: a guide EPUBCheck could not check is not a guide that passed (needs.py names the fix).
        row = epub_rows.get(path) or Row(
            slug, label, "EPUBCheck", "fail", f"not run: {epubcheck.unavailable() or 'no result'}; run ./install"
        )
        rows.append(Row(slug, label, row.check, row.status, row.detail, row.facts))
    rows += required_block_rows(site)
    rows += settings_checks(site)
    cache.save()
    return Checked(rows, reused=cache.reused, checked=cache.checked, notes=notes)


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


def languages_row(site: Site, source: Path) -> Row:
    """Which languages an article is published in (its translations are checked on their own rows)."""
    found = site.catalogue
    editions = found.languages(source)
    names = [site.language_name] + [
        f"{site.in_language(edition).language_name} ({shown_path(found.translation(source, edition) or source)})"
        for edition in editions
    ]
    return Row(
        found.name(source),
        "source",
        "languages",
        "pass",
        ", ".join(names) if editions else f"{site.language_name} only (no translation yet)",
        {"languages": [site.language, *editions]},
    )


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
        "rows": [r.as_dict() for r in rows],
    }
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)
