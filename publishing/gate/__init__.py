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
from ..products import ALL_PRODUCTS, Named, Product, source_rules
from ..row import Row
from ..site import Site
from .cache import Digests, GateCache
from .freshness import Freshness
from .safety import required_block_rows

if TYPE_CHECKING:
    from ..report import CheckProgress


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
    lang: str = ""  # the language its product named its subject in (Named.lang)


def run_checks(
    site: Site, *, today: dt.date | None = None, fresh: bool = False, progress: CheckProgress | None = None
) -> Checked:
    """Every check for every article; warnings fail only under --strict (see failed())."""
    from ..report import CheckProgress
    from .witnessed import close_witness

    progress = progress or CheckProgress()
    table = _Table(site, GateCache.load(site.folders.out, fresh=fresh), today or dt.date.today())
    table.plan_articles()
    table.plan_combined()
    guides = _EpubChecks(site.folders.out, table.cache, table.digests)
    for *_, path in table.epubs:
        guides.submit(path)
    progress.start(len(table.stale), table.cache.reused)
    table.check_stale(progress, guides)
    close_witness()  # the browser of a check made in this process (several: each worker closes its own)
    witnessed = sum(bool(u.proven) for u in table.stale)
    notes = [f"The witness (Chromium and PDFium) looked at {witnessed} product file(s)"] if witnessed else []
    notes += guides.run(progress)
    progress.finish()

    rows = [row for rows in table.slots for row in rows]
    rows += _unclaimed_rows(site, table.claimed)
    rows += guides.rows_for(table.epubs)
    rows += required_block_rows(site)
    rows += settings_checks(site)
    rows += [row for product in ALL_PRODUCTS.values() for row in product.library_rows(site)]
    table.cache.save()
    return Checked(rows, reused=table.cache.reused, checked=table.cache.checked, notes=notes)


class _Table:
    """One check's table in the making: a slot of rows per check, in article order, each filled from the
    cache when nothing it read changed, else left to run (``stale``); and the guides proven, for EPUBCheck."""

    def __init__(self, site: Site, cache: GateCache, today: dt.date):
        self.site, self.cache, self.today = site, cache, today
        self.out = site.folders.out
        self.digests = Digests(site)
        self.freshness = Freshness(site, self.digests.inputs)  # one account of the inputs, each file read once
        self.found = site.catalogue = catalogue(site.folders.sources, cache.slugs, site.language, **source_rules())
        self.slots: list[list[Row]] = []
        self.epubs: list[tuple[int, str, str, Path]] = []  # (place in the table, slug, label, file)
        self.stale: list[_Unit] = []
        self.articles: dict[Path, object] = {}
        self.claimed: set[Path] = set()

    def slot(self) -> list:
        self.slots.append([])
        return self.slots[-1]

    def article_of(self, source: Path):
        if source not in self.articles:
            from ..article import load_article

            try:
                self.articles[source] = load_article(
                    source, self.site.settings, self.site.folders.sources, self.found.cannot_print
                )
            except PublishingError as error:
                self.articles[source] = error
        return self.articles[source]

    def plan_articles(self) -> None:
        """Each source's own checks, then each variant of each product made from it."""
        from .sources import load_row

        found = self.found
        named = {
            product: {subject.source: subject for subject in product.subjects(self.site)}
            for product in ALL_PRODUCTS.values()
            if product.per_article
        }
        for source in found.sources:
            if source in found.refused:
                self.slot().append(load_row(source.stem, found.refused[source]))
                continue
            if not self._plan_source(source):
                continue
            for product, subjects in named.items():
                if source in subjects:
                    for variant in product.variants:
                        self.plan(product, subjects[source], variant)

    def _plan_source(self, source: Path) -> bool:
        """The source's checks, from the cache when nothing they read changed; whether it loads."""
        from .sources import load_row, source_checks

        digests, found = self.digests, self.found
        original = found.original(source)  # a translation is checked against the article it translates
        key = digests.source_key(source, original, self.today.isoformat())
        entry = self.cache.get(f"source:{source.name}", key)
        if entry is None:
            article = self.article_of(source)
            loaded = not isinstance(article, PublishingError)
            rows = (
                source_checks(article, self.site, self.today, original) if loaded else [load_row(source.stem, article)]
            )
            self.cache.put(f"source:{source.name}", key, rows=[row.as_dict() for row in rows], loaded=loaded)
        else:
            loaded, rows = entry["loaded"], [Row.from_dict(row) for row in entry["rows"]]
        self.slot().extend(rows)
        if found.editions and source not in found.editions:  # a library with translations: who has which
            self.slot().append(languages_row(self.site, source))
        return loaded

    def plan_combined(self) -> None:
        """The products of several articles in one: each product says what it made."""
        for product in ALL_PRODUCTS.values():
            if not product.per_article:
                for subject in product.subjects(self.site):
                    if subject.source is not None:
                        self.slot().extend(product.source_rows(subject.source, self.site))
                    self.plan(product, subject, product.default_variant)

    def plan(self, product: Product, subject: Named, variant: str) -> None:
        """One variant's check: failed at once when its files are missing or older than their inputs, else
        taken from the cache or left to run. A ``required`` subject must have been built in its product's
        default variant (the other variants are made on request)."""
        from .witness import VERSION as WITNESS

        slug, source = subject.name, subject.source
        required = subject.required and variant == product.default_variant
        out, digests = self.out, self.digests
        files = [out / product.folder / name for name in product.output_names(slug, variant)]
        self.claimed.update(files)
        missing = [f for f in files if not f.is_file()]
        label = product.label(variant)
        if missing and (required or len(missing) < len(files)):
            how = "invoke build" if required else product.rebuild_command(variant)
            self.slot().append(Row(slug, label, "built", "fail", f"{shown_path(missing[0])} is missing; run '{how}'"))
            return
        if missing:
            return
        if source is not None or not product.per_article:  # older than its inputs: nothing in it to vouch for
            late = self.freshness.row(product, variant, slug, source)
            if late is not None:
                self.slot().append(late)
                return
        key = digests.product_key(product, variant, files, source, WITNESS)
        unit = _Unit(
            f"product:{files[0].relative_to(out)}",
            key,
            self.slot(),
            product,
            variant,
            slug,
            files,
            source,
            len(self.slots),
            lang=subject.lang,
        )
        entry = self.cache.get(unit.name, key)
        if entry is None:
            self.stale.append(unit)
        else:
            unit.proven = entry["proven"]
            unit.slot += [Row.from_dict(row) for row in entry["rows"]]
            if entry["proven"]:
                self.epubs += [(len(self.slots), slug, label, path) for path in product.epubcheck_files(files)]

    def check_stale(self, progress: CheckProgress, guides: _EpubChecks) -> None:
        """Run the checks the cache could not answer, on every core; each guide proven goes to EPUBCheck."""
        from .proving import check_products

        stale = self.stale
        articles = [
            self.article_of(u.source) if u.source and u.product and u.product.per_article else None for u in stale
        ]
        for unit, (rows, proven) in check_products(self.site, stale, articles=articles):
            unit.slot += rows
            unit.proven = proven
            self.cache.put(unit.name, unit.key, rows=[row.as_dict() for row in rows], proven=proven)
            progress.advance(f"{unit.slug} {unit.product.label(unit.variant) if unit.product else ''}")
            if proven and unit.product is not None:
                for path in unit.product.epubcheck_files(unit.files):
                    self.epubs.append((unit.place, unit.slug, unit.product.label(unit.variant), path))
                    guides.submit(path)


class _EpubChecks:
    """EPUBCheck on every guide proven, in one Java process; each result kept against the guide's bytes."""

    def __init__(self, out: Path, cache: GateCache, digests: Digests):
        from . import epubcheck

        self.out, self.cache, self.digests = out, cache, digests
        self.checker = epubcheck.EpubChecker(out / ".gate") if not epubcheck.unavailable() else None
        self.version = epubcheck.version_key() if self.checker else ""
        self.rows: dict[Path, Row] = {}

    def key(self, path: Path) -> str:
        return self.digests.of(self.version, self.digests.tools, self.digests.file(path))

    def submit(self, path: Path) -> None:
        entry = self.cache.get(f"epubcheck:{path.relative_to(self.out)}", self.key(path))
        if entry is not None:
            self.rows[path] = Row.from_dict(entry["row"])
        elif self.checker is not None:
            self.checker.submit(path)

    def run(self, progress: CheckProgress) -> list[str]:
        """The guides submitted, checked; the note of what ran."""
        from . import epubcheck

        checker = self.checker
        if checker is None or not checker.submitted:
            return []
        progress.note(f"EPUBCheck on {len(checker.submitted)} guide(s)")
        for path, result in checker.results().items():
            row = epubcheck.result_row(result)
            self.rows[path] = row
            self.cache.put(f"epubcheck:{path.relative_to(self.out)}", self.key(path), row=row.as_dict())
        return [
            f"EPUBCheck {checker.version or ''} ran on {len(checker.submitted)} guide(s) in "
            + ("one Java process" if checker.version else "one Java process per guide")
        ]

    def rows_for(self, epubs: list[tuple[int, str, str, Path]]) -> list[Row]:
        from . import epubcheck

        rows = []
        for _, slug, label, path in sorted(epubs):
            # Fail closed: a guide EPUBCheck could not check is not a guide that passed (needs.py names the fix).
            row = self.rows.get(path) or Row(
                slug, label, "EPUBCheck", "fail", f"not run: {epubcheck.unavailable() or 'no result'}; run ./install"
            )
            rows.append(Row(slug, label, row.check, row.status, row.detail, row.facts))
        return rows


def _unclaimed_rows(site: Site, claimed: set[Path]) -> list[Row]:
    """Products in build/ that no current article makes: left from a deleted or renamed article, or
    put there by hand. Someone could still print or send them."""
    rows = []
    folders: dict[str, Product] = {}
    for product in ALL_PRODUCTS.values():
        folders.setdefault(product.folder, product)
    suffixes = {suffix for product in ALL_PRODUCTS.values() for suffix in product.suffixes}
    for folder_name, product in folders.items():
        folder = site.folders.out / folder_name
        for path in sorted(folder.iterdir()) if folder.is_dir() else ():
            if path.is_file() and path.suffix in suffixes and path not in claimed:
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
