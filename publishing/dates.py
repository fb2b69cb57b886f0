"""Dates for products, never from the clock, so the same source builds the same products."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path


def source_date(path: Path, last_reviewed: dt.date | None = None) -> dt.datetime:
    """The product's date: SOURCE_DATE_EPOCH, else the last review, else the source's last commit,
    else its modification time (a file not yet committed)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    if last_reviewed is not None:
        return dt.datetime.combine(last_reviewed, dt.time(), dt.timezone.utc)
    committed = _last_commit(path)
    if committed is not None:
        return committed
    return dt.datetime.fromtimestamp(int(path.stat().st_mtime), dt.timezone.utc)


def _last_commit(path: Path) -> dt.datetime | None:
    try:
        result = subprocess.run(["git", "log", "-1", "--format=%ct", "--", path.name],
                                cwd=path.parent, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    stamp = result.stdout.strip()
    if result.returncode != 0 or not stamp.isdigit():
        return None
    # A source edited since its last commit is newer than that commit.
    if _modified_since_commit(path):
        return None
    return dt.datetime.fromtimestamp(int(stamp), dt.timezone.utc)


def _modified_since_commit(path: Path) -> bool:
    result = subprocess.run(["git", "status", "--porcelain", "--", path.name],
                            cwd=path.parent, capture_output=True, text=True, timeout=10)
    return bool(result.stdout.strip())
