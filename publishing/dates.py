"""Dates for products, never from the clock, so the same source builds the same products."""

from __future__ import annotations

import datetime as dt
import functools
import os
import subprocess
from pathlib import Path

from .languages import DEFAULT_LANGUAGE

# What the products' formats can carry: zip entries start in 1980, EPUB and PDF dates have four-digit years.
EARLIEST = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)


def source_date(path: Path, last_reviewed: dt.date | None = None) -> dt.datetime:
    """The product's date: SOURCE_DATE_EPOCH, else the last review, else the source's last commit,
    else its modification time (a file not yet committed, or edited since its last commit); held
    within what the formats can carry."""
    return min(max(_source_date(path, last_reviewed), EARLIEST), LATEST)


def _source_date(path: Path, last_reviewed: dt.date | None) -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(min(int(epoch), int(LATEST.timestamp())), dt.UTC)
    if last_reviewed is not None:
        return dt.datetime.combine(last_reviewed, dt.time(), dt.UTC)
    committed = commit_times(path.parent).get(path.name)
    if committed is not None:
        return dt.datetime.fromtimestamp(committed, dt.UTC)
    return dt.datetime.fromtimestamp(int(path.stat().st_mtime), dt.UTC)


def prefetch_commit_times(folder: Path) -> None:
    """Ask git once, before worker processes are forked: they inherit the answer."""
    commit_times(folder)


@functools.lru_cache(maxsize=16)
def commit_times(folder: Path) -> dict[str, int]:
    """File name -> time of its last commit, for every unmodified file in ``folder``.

    Two git commands per folder and process, not two per article: a build computes this before
    forking its workers, which inherit it."""
    try:
        log = subprocess.run(
            ["git", "log", "--format=%x00%ct", "--name-only", "--relative", "--", "."],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=30,
        )
        status = subprocess.run(
            ["git", "status", "--porcelain", "--no-renames", "--", "."],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    if log.returncode != 0:
        return {}
    times: dict[str, int] = {}
    stamp = 0
    for line in log.stdout.splitlines():
        if line.startswith("\x00"):
            stamp = int(line[1:])
        elif line and "/" not in line:
            times.setdefault(line, stamp)  # newest first: the first time seen is the last commit
    for line in status.stdout.splitlines():
        times.pop(Path(line[3:].strip().strip('"')).name, None)  # edited since: its commit is not its date
    return times


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    if year > dt.MAXYEAR:  # a review dated 9999 (the gate fails it as in the future): its next is the last day
        return dt.date.max
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def long_date(value, language: str = DEFAULT_LANGUAGE) -> str:
    """2026-05-04 -> May 4, 2026 in English (US style, the clinic's readers), 4 de mayo de 2026 in Spanish."""
    from babel.dates import format_date

    from .languages import native_digits

    # Babel writes CLDR's patterns in Latin digits; a language with its own (Farsi) gets them here,
    # the same digits as its page numbers (languages.counter_style).
    return native_digits(format_date(value, "long", locale=language), language)
