"""How long one handout takes, measured in one warm process (a script, not a timed test).

    python benchmarks/handout.py [--runs 10] [--variant office --variant large-print ...]

Loads the sample article once, builds its handout once to warm up (imports, font loading,
template compilation), then builds it ``--runs`` times per variant, each followed by the
proof of the required blocks as `invoke build` does, and prints the mean, spread and the
file size. A QR code is included when the project sets web_address.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SAMPLE = "how-does-ketamine-work-for-depression"


def main() -> None:
    from pypdf import PdfReader

    from publishing.article import load_article
    from publishing.products import PRODUCTS
    from publishing.site import load_site

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="timed builds per variant (default 10)")
    parser.add_argument(
        "--variant",
        action="append",
        choices=list(PRODUCTS["handout"].variants),
        help="variant to measure; repeat for several (default: all)",
    )
    options = parser.parse_args()
    handout = PRODUCTS["handout"]
    variants = options.variant or list(handout.variants)

    site = load_site(ROOT)
    article = load_article(site.folders.sources / f"{SAMPLE}.md", site.settings, site.folders.sources)
    print(f"{SAMPLE}: {options.runs} builds per variant after one warm-up, in one process")
    print(f"{'variant':<12} {'mean':>8} {'min':>8} {'stdev':>8} {'size':>9} {'pages':>6}")
    with tempfile.TemporaryDirectory() as scratch:
        for variant in variants:
            workdir = Path(scratch) / variant
            workdir.mkdir()

            def once(workdir: Path = workdir, variant: str = variant) -> Path:
                [pdf] = handout.build(article, site, workdir, variant)
                handout.verify(site, [pdf], pdf, article)
                return pdf

            once()
            seconds = []
            for _ in range(options.runs):
                started = time.perf_counter()
                pdf = once()
                seconds.append(time.perf_counter() - started)
            pages = len(PdfReader(pdf).pages)
            spread = statistics.stdev(seconds) if len(seconds) > 1 else 0.0
            print(
                f"{variant:<12} {statistics.mean(seconds):>7.3f}s {min(seconds):>7.3f}s {spread:>7.3f}s "
                f"{pdf.stat().st_size / 1024:>7.1f}KB {pages:>6}"
            )


if __name__ == "__main__":
    main()
