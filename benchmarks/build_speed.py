"""Build speed, measured side by side in one run (a script, not a timed test).

    python benchmarks/build_speed.py [--articles 20] [--noop-articles 100] [--skip-pandoc]

Makes N articles from the sample (different slugs, varied length) in a scratch copy
of the project, then prints:
  - the full build time with --jobs 1 and --jobs 2, and the speed-up, beside the
    machine's own scaling (two busy Python processes against one, on work as long as
    our build); the runs are interleaved and each ratio is best time over best time;
  - the no-op rebuild and the rebuild after touching one article (for --noop-articles), and the
    no-op rebuild of those articles each with a Spanish translation, side by side;
  - the peak resident memory of the largest process, for N and for --noop-articles;
  - `invoke --list`;
  - pandoc making the same three outputs for the same N articles (PDF through
    --pdf-engine=weasyprint, EPUB, standalone HTML), and our time as a ratio of it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sources" / "how-does-ketamine-work-for-depression.md"
SPANISH = ROOT / "tests" / "fixtures" / "spanish" / "how-does-ketamine-work-for-depression.es.md"


def add_translations(folder: Path) -> None:
    """A Spanish edition (the test translation) of every article, recording its source's version."""
    import hashlib

    text = SPANISH.read_text(encoding="utf-8")
    for source in sorted((folder / "sources").glob("article-*.md")):
        if source.stem.endswith(".es"):
            continue
        version = hashlib.sha256(source.read_bytes()).hexdigest()[:7]
        number = source.stem.split("-")[1]
        (folder / "sources" / f"{source.stem}.es.md").write_text(
            text.replace('source_version: "0000000"', f'source_version: "{version}"').replace(
                "title: ¿Cómo funciona", f"title: ({number}) ¿Cómo funciona"
            ),
            encoding="utf-8",
        )


def make_project(folder: Path, articles: int) -> Path:
    """A scratch project with ``articles`` variations of the sample article."""
    folder.mkdir(parents=True)
    for name in ("tasks.py", "pyproject.toml"):
        shutil.copy(ROOT / name, folder / name)
    shutil.copytree(ROOT / "layouts", folder / "layouts")
    (folder / "sources").mkdir()
    shutil.copytree(ROOT / "sources" / "_required", folder / "sources" / "_required")
    text = SAMPLE.read_text(encoding="utf-8")
    head, body = text.split("\n---\n", 1)
    sections = body.split("\n## ")
    for number in range(articles):
        # Varied length: the first 3 to all sections of the sample.
        keep = 3 + number % (len(sections) - 2)
        varied = "\n## ".join(sections[:keep])
        title = f"How Does Ketamine Work for Depression? Part {number + 1}"
        (folder / "sources" / f"article-{number + 1:03d}.md").write_text(
            head.replace("title: How Does Ketamine Work for Depression?", f"title: {title}") + "\n---\n" + varied,
            encoding="utf-8",
        )
    return folder


def run(command: list[str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stdout}\n{result.stderr}")
    return elapsed, result.stdout


def best_of(times: int, command: list[str], cwd: Path) -> tuple[float, str]:
    return min((run(command, cwd) for _ in range(times)), key=lambda r: r[0])


def invoke(*args: str) -> list[str]:
    return [sys.executable, "-m", "invoke", *args]


def _busy(iterations: int) -> float:
    started = time.perf_counter()
    total = 0
    for i in range(iterations):
        total += i * i
    return time.perf_counter() - started


def machine_scaling(seconds: float) -> tuple[float, float]:
    """How long one busy process takes for two units of work, and two processes for the same.

    Each unit is sized to take about ``seconds`` (half our --jobs 1 build), so both are measured
    over the same stretch of time on this shared machine."""
    iterations = int(1_000_000 * seconds / _busy(1_000_000))
    context = get_context("fork")
    with context.Pool(1) as pool:
        started = time.perf_counter()
        pool.map(_busy, [iterations] * 2)
        one = time.perf_counter() - started
    with context.Pool(2) as pool:
        started = time.perf_counter()
        pool.map(_busy, [iterations] * 2)
        two = time.perf_counter() - started
    return one, two


def pandoc_time(project: Path, out: Path) -> float | None:
    if not shutil.which("pandoc"):
        print("pandoc: not installed (apt-get install pandoc); skipping the comparison")
        return None
    out.mkdir(parents=True, exist_ok=True)
    css = project / "layouts" / "handout" / "handout.css"
    started = time.perf_counter()
    for source in sorted((project / "sources").glob("*.md")):
        stem = out / source.stem
        for extra in (
            ["-o", f"{stem}.pdf", "--pdf-engine=weasyprint", f"--css={css}"],
            ["-o", f"{stem}.epub"],
            ["-o", f"{stem}.html", "--standalone"],
        ):
            subprocess.run(
                ["pandoc", str(source), "--metadata", "pagetitle=x", *extra],
                cwd=project,
                check=True,
                capture_output=True,
            )
    return time.perf_counter() - started


def run_with_peak_memory(command: list[str], cwd: Path) -> tuple[float, float]:
    """Run ``command``; return its time and the peak resident memory (MB) of its largest single
    process (the build or a worker).

    Measured in a fresh Python process whose only children are that command's processes, since
    ru_maxrss of children is the largest among every child ever waited for (KiB on Linux)."""
    probe = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    elapsed, output = run([sys.executable, "-c", probe, *command], cwd)
    return elapsed, int(output) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--noop-articles", type=int, default=100)
    parser.add_argument("--skip-pandoc", action="store_true")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved runs; the best of each is kept")
    options = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        small = make_project(scratch / "parallel", options.articles)
        # This machine shares its cores with neighbours: interleave the three measurements and keep
        # the best of each, so a noisy moment does not decide the ratio.
        # Both ratios are taken the same way: the best time of one process over the best of two.
        jobs1 = jobs2 = one = two = without_web = float("inf")
        for _ in range(options.repeats):
            jobs1 = min(jobs1, run(invoke("build", "--jobs", "1", "--force"), small)[0])
            jobs2 = min(jobs2, run(invoke("build", "--jobs", "2", "--force"), small)[0])
            # The same build without the web edition: what the pages (and their copied downloads) cost.
            only = ("--only", "handout,guide,newsletter")
            without_web = min(without_web, run(invoke("build", "--jobs", "2", "--force", *only), small)[0])
            busy_one, busy_two = machine_scaling(jobs1 / 2)
            one, two = min(one, busy_one), min(two, busy_two)
        speedup, scaling = jobs1 / jobs2, one / two
        print(f"\nN = {options.articles}: full build (every product, the web edition too), best of {options.repeats}")
        print(f"  --jobs 1           {jobs1:7.2f} s  ({jobs1 / options.articles * 1000:.0f} ms per article)")
        print(f"  --jobs 2           {jobs2:7.2f} s")
        print(
            f"  without the web    {without_web:7.2f} s  (--jobs 2; the web edition costs "
            f"{(jobs2 - without_web) / jobs2:.0%} of the build)"
        )
        print(
            f"  speed-up           {speedup:7.2f} x   machine's own two-process scaling {scaling:.2f} x "
            f"-> {speedup / scaling:.2f} of it"
        )
        if not options.skip_pandoc:
            theirs = pandoc_time(small, scratch / "pandoc")
            if theirs:
                print(f"  pandoc             {theirs:7.2f} s  (PDF via weasyprint, EPUB, HTML)")
                print(f"  ours / pandoc      {jobs2 / theirs:7.2f}    (--jobs 2)")

        _, small_memory = run_with_peak_memory(invoke("build", "--force"), small)
        print(f"  peak memory        {small_memory:7.0f} MB (largest single process)")

        large = make_project(scratch / "incremental", options.noop_articles)
        full, memory = run_with_peak_memory(invoke("build"), large)
        # The first build with nothing to do reads and hashes everything (and leaves its note,
        # unchanged.py); the later ones answer from the file system's record of changes.
        first_noop, output = run(invoke("build"), large)
        assert "Nothing to do" in output, output
        noop, output = best_of(5, invoke("build"), large)
        assert "Nothing to do" in output, output
        touched = large / "sources" / f"article-{options.noop_articles // 2:03d}.md"
        touched.write_text(touched.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
        one, output = run(invoke("build"), large)
        rebuilt = sorted(set(re.findall(r"built\s+\S+/(article-\d+)\.(?:pdf|epub|html)", output)))
        products = len(re.findall(r"built\s+\S+/article-\d+\.(?:pdf|epub|html)\b", output))
        listing, _ = best_of(5, invoke("--list"), ROOT)
        run(invoke("build"), large)  # the touched article again, so both no-op runs start from rest
        add_translations(large)
        bilingual, _ = run_with_peak_memory(invoke("build"), large)
        english_only = large.parent / "english-only"
        shutil.copytree(large, english_only, ignore=shutil.ignore_patterns("*.es.md"))
        run(invoke("build"), english_only)
        first_en = run(invoke("build"), english_only)[0]
        first_es = run(invoke("build"), large)[0]
        noop_en = noop_es = float("inf")
        for _ in range(5):  # interleaved, best of each
            noop_en = min(noop_en, best_of(1, invoke("build"), english_only)[0])
            took, output = best_of(1, invoke("build"), large)
            assert "Nothing to do" in output, output
            noop_es = min(noop_es, took)
        print(f"\nN = {options.noop_articles}")
        print(f"  full build         {full:7.2f} s  (--jobs {os.cpu_count()})")
        print(f"  no-op, first       {first_noop:7.3f} s  (every input read and hashed; leaves the note)")
        print(f"  no-op rebuild      {noop:7.3f} s  (best of 5, process start included; from the note)")
        print(f"  touch one article  {one:7.2f} s  rebuilt: {', '.join(rebuilt)} ({products} products)")
        print(f"  peak memory        {memory:7.0f} MB (largest single process)")
        print(f"  invoke --list      {listing:7.3f} s  (best of 5)")
        print(f"\nN = {options.noop_articles} articles + {options.noop_articles} Spanish translations")
        print(f"  full build         {bilingual:7.2f} s  (the translations' products, --jobs {os.cpu_count()})")
        print(f"  no-op, first       {first_es:7.3f} s  beside {first_en:.3f} s without the translations (read)")
        print(
            f"  no-op rebuild      {noop_es:7.3f} s  beside {noop_en:.3f} s without the translations "
            f"(best of 5, interleaved; ratio {noop_es / noop_en:.2f})"
        )


if __name__ == "__main__":
    main()
