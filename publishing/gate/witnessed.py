"""The witness's rows in the gate's table: for each product file, whether a real renderer saw both
blocks, set beside the build's proof of the same file. A disagreement between the two is a failure."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import PublishingError
from .row import Row
from .witness import VERSION, Witness

CHECK = "seen by a renderer"


def witness_units(site, units: list, cache, digests, language_of: Callable) -> list[str]:
    """Add each unit's witness row to its slot (kept against the unit's key, like every check); the
    notes say how long the renderer took. One browser serves every page, started on first use."""
    started = time.perf_counter()
    checked = 0
    scratch = Path(tempfile.mkdtemp(prefix="witness-", dir=_gate_folder(site)))
    try:
        with Witness() as witness:
            for unit in units:
                if not unit.proven:
                    # The build's proof already fails this file, naming why: a second opinion could only
                    # repeat the failure (or call a refused file fine, which changes nothing staff do).
                    continue
                name = f"witness:{unit.files[0].relative_to(site.folders.out)}"
                key = digests.of(unit.key, VERSION)
                entry = cache.get(name, key)
                if entry is not None:
                    unit.slot.append(Row.from_dict(entry["row"]))
                    continue
                workdir = scratch / str(checked)
                workdir.mkdir()
                row = _witness_row(witness, site.in_language(language_of(unit)), unit, workdir)
                checked += 1
                cache.put(name, key, row=row.as_dict())
                unit.slot.append(row)
            browser = witness.driver is not None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if not checked:
        return []
    how = "one Chromium" + (" and PDFium" if any(u.product.name == "handout" for u in units) else "")
    return [
        f"The witness ({how if browser else 'PDFium'}) looked at {checked} product file(s) in "
        f"{time.perf_counter() - started:.1f} s"
    ]


def _witness_row(witness: Witness, site, unit, workdir: Path) -> Row:
    label = unit.product.label(unit.variant)
    try:
        pages = unit.product.witness_pages(site, unit.files, workdir)
    except PublishingError as error:
        return Row(unit.slug, label, CHECK, "fail", f"the renderer could not open it: {error}")
    problems: list[str] = []
    seen = 0
    for page in pages:
        verdict = witness.see(page)
        problems += verdict.problems
        seen += verdict.seen
    if not pages:
        return Row(unit.slug, label, CHECK, "pass", "nothing for a renderer to see in this product")
    if problems:
        detail = f"the renderer disagrees with the build's proof, which passed: {problems[0]}"
        return Row(unit.slug, label, CHECK, "fail", detail, {"disagreement": True})
    situations = sorted({f"{w} px {s}" for p in pages if p.renderer == "browser" for w in p.widths for s in p.schemes})
    where = f" at {', '.join(situations)}" if situations else " with and without their text"
    return Row(unit.slug, label, CHECK, "pass", f"both blocks rendered, inked, in the page and uncovered{where}")


def _gate_folder(site) -> Path:
    folder = site.folders.out / ".gate"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def missing_tools() -> PublishingError | None:
    """The gate refuses at once, rather than pass half-checked, where Java or Chromium is missing."""
    from . import epubcheck
    from .witness import unavailable

    lacking = [why for why in (epubcheck.unavailable(), unavailable()) if why]
    if not lacking:
        return None
    return PublishingError(
        None,
        f"invoke check cannot prove the products: {'; '.join(lacking)}",
        hint="run './install', which installs Java (for EPUBCheck) and Chromium with chromedriver (for the "
        "visibility witness), then 'invoke check' again",
    )
