"""The witness's rows in the gate's table: for each product file, whether a real renderer saw both
blocks, set beside the build's proof of the same file. A disagreement between the two is a failure."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ..errors import PublishingError
from ..row import Row
from .witness import Witness

CHECK = "seen by a renderer"


_WITNESS: Witness | None = None  # this process's browser, started on its first page


def witness_row(site, product, variant: str, slug: str, files: list[Path]) -> Row:
    """Whether a real renderer sees both blocks of one product's files (in ``site``'s language)."""
    global _WITNESS
    if _WITNESS is None:
        from multiprocessing import util

        _WITNESS = Witness()
        # A forked worker ends without atexit: multiprocessing's finalizers still run, so the browser
        # and its profile folder never outlive the check.
        util.Finalize(_WITNESS, close_witness, exitpriority=10)
    workdir = Path(tempfile.mkdtemp(prefix="witness-", dir=_gate_folder(site)))
    try:
        return _witness_row(_WITNESS, site, product, variant, slug, files, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def close_witness() -> None:
    global _WITNESS
    if _WITNESS is not None:
        _WITNESS.__exit__(None, None, None)
        _WITNESS = None


def _witness_row(witness: Witness, site, product, variant: str, slug: str, files: list[Path], workdir: Path) -> Row:
    label = product.label(variant)
    try:
        pages = product.witness_pages(site, files, workdir)
    except PublishingError as error:
        return Row(slug, label, CHECK, "fail", f"the renderer could not open it: {error}")
    problems: list[str] = []
    seen = 0
    try:
        for page in pages:
            verdict = witness.see(page)
            problems += verdict.problems
            seen += verdict.seen
    except Exception as error:  # noqa: BLE001 - a renderer that cannot run never passes a file (fail closed)
        said = str(error).strip().splitlines()[:1] or [type(error).__name__]
        return Row(slug, label, CHECK, "fail", f"not run: the renderer could not start ({said[0]}); run ./install")
    if not pages:
        return Row(slug, label, CHECK, "pass", "nothing for a renderer to see in this product")
    if problems:
        detail = f"the renderer disagrees with the build's proof, which passed: {problems[0]}"
        return Row(slug, label, CHECK, "fail", detail, {"disagreement": True})
    situations = sorted({f"{w} px {s}" for p in pages if p.renderer == "browser" for w in p.widths for s in p.schemes})
    where = f" at {', '.join(situations)}" if situations else " with and without their text"
    return Row(slug, label, CHECK, "pass", f"both blocks rendered, inked, in the page and uncovered{where}")


def _gate_folder(site) -> Path:
    folder = site.folders.out / ".gate"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
