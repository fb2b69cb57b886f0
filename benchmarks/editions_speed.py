"""What an edition in another script costs beside English (a script, not a test).

    python benchmarks/editions_speed.py [--repeats 3]

With the real CLI, each build cold and --jobs 1, the median of --repeats whole runs (--force after
the first), in scratch copies of the project:
  - the sample alone, then the sample with one more article: an English copy of it (another slug),
    or its test translation in fa, ar, ru, hy, ko, zh or vi. An edition's cost is the difference,
    so the process's start and the first article's warm-up are counted for no edition; its ratio is
    to the English copy's. A first edition in a language also pays that language's own warm-up (its
    fonts loaded and subset, its catalog, its blocks, its web pages), which further articles share;
  - the size of each edition's handout and guide (a CJK font is embedded as a subset, not whole);
  - the no-op build of the eight-language library (the sample and all seven translations): the
    median of five runs with nothing to do.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from product_hashes import FIXTURES, SAMPLE, copy_project  # noqa: E402

EDITIONS = {"fa": "farsi", "ar": "arabic", "ru": "russian", "hy": "armenian", "ko": "korean", "zh": "chinese",
            "vi": "vietnamese"}  # fmt: skip


def add_translations(project: Path, only: str | None = None) -> None:
    version = hashlib.sha256((project / "sources" / f"{SAMPLE}.md").read_bytes()).hexdigest()[:7]
    for lang, folder in EDITIONS.items():
        if only and lang != only:
            continue
        text = (FIXTURES / folder / f"{SAMPLE}.{lang}.md").read_text(encoding="utf-8")
        target = project / "sources" / f"{SAMPLE}.{lang}.md"
        target.write_text(text.replace('source_version: "0000000"', f'source_version: "{version}"'), encoding="utf-8")


def invoke(project: Path, *arguments: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "invoke", *arguments], cwd=project, capture_output=True, text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1767225600"},
    )  # fmt: skip
    if result.returncode:
        raise SystemExit(result.stdout + result.stderr)
    return result.stdout + result.stderr


def timed_build(project: Path, repeats: int) -> float:
    runs = []
    for run in range(repeats):
        started = time.perf_counter()
        invoke(project, "build", "--jobs", "1", *(["--force"] if run else []))
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    repeats = parser.parse_args().repeats
    with tempfile.TemporaryDirectory() as scratch:
        base = timed_build(copy_project(Path(scratch) / "base"), repeats)
        english = copy_project(Path(scratch) / "en")
        copy = (english / "sources" / f"{SAMPLE}.md").read_text(encoding="utf-8")
        (english / "sources" / "a-copy-of-the-sample.md").write_text(copy, encoding="utf-8")
        cost = {"en": timed_build(english, repeats) - base}
        sizes = {"en": (english / "build" / "handouts" / "a-copy-of-the-sample.pdf",
                        english / "build" / "guides" / "a-copy-of-the-sample.epub")}  # fmt: skip
        for lang in EDITIONS:
            project = copy_project(Path(scratch) / lang)
            add_translations(project, only=lang)
            cost[lang] = timed_build(project, repeats) - base
            sizes[lang] = (project / "build" / "handouts" / f"{SAMPLE}.{lang}.pdf",
                           project / "build" / "guides" / f"{SAMPLE}.{lang}.epub")  # fmt: skip
        print(f"the sample alone: {base:.2f} s; each edition's cost beside it:")
        print(f"{'edition':8} {'build s':>8} {'x English':>10} {'handout KB':>11} {'guide KB':>9}")
        for lang, seconds in cost.items():
            handout, guide = sizes[lang]
            print(
                f"{lang:8} {seconds:8.2f} {seconds / cost['en']:10.2f} {handout.stat().st_size / 1024:11.0f} "
                f"{guide.stat().st_size / 1024:9.0f}"
            )
        library = copy_project(Path(scratch) / "library")
        add_translations(library)
        invoke(library, "build")
        noops = []
        for _ in range(5):
            started = time.perf_counter()
            invoke(library, "build")
            noops.append(time.perf_counter() - started)
        print(f"no-op build of {1 + len(EDITIONS)} languages: {statistics.median(noops):.3f} s (median of 5)")


if __name__ == "__main__":
    main()
