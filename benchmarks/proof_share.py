"""The proofs' share of an article's time (a script, not a timed test).

    python benchmarks/proof_share.py [--articles 8] [--repeats 3]

Makes N articles from the sample (as build_speed.py does) and builds them with --jobs 1 in one
process, N times over, timing the CPU time (process time, so a busy neighbour on a shared machine
does not count) of each product's proof (``verify``) and of each whole article. The first article
of a process also pays for importing WeasyPrint and parsing the layouts once: reported apart, the
share is over the other articles. Prints the best run's numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Run in a fresh process per repeat, in the scratch project: times each verify and build_article.
_PROBE = """
import json, sys, time
from pathlib import Path
from publishing import build, cli
from publishing.products.guide import Guide
from publishing.products.handout import Handout
from publishing.products.newsletter import Newsletter

times = {"handout": 0.0, "guide": 0.0, "newsletter": 0.0}
articles = []

def timed(name, verify):
    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return verify(*args, **kwargs)
        finally:
            times[name] += time.process_time() - started
    return wrapper

for product in (Handout, Guide, Newsletter):
    product.verify = timed(product.name, product.verify)
real_build_article = build.build_article

def build_article(*args, **kwargs):
    started = time.process_time()
    try:
        return real_build_article(*args, **kwargs)
    finally:
        articles.append((time.process_time() - started, dict(times)))

build.build_article = build_article
code = cli.run(cli.build, Path.cwd(), sources=None, out=None, only=None, jobs=1, force=True)
print(json.dumps(articles))
sys.exit(code)
"""


def measure(project: Path) -> tuple[float, float, dict[str, float], int]:
    """(first article's time, the others' time, the others' proof time by product, how many others)."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    articles = json.loads(result.stdout.strip().splitlines()[-1])
    first_time, first_proofs = articles[0]
    last_proofs = articles[-1][1]
    rest = sum(seconds for seconds, _ in articles[1:])
    proofs = {name: last_proofs[name] - first_proofs[name] for name in last_proofs}
    return first_time, rest, proofs, len(articles) - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from build_speed import make_project

    with tempfile.TemporaryDirectory() as scratch:
        project = make_project(Path(scratch) / "project", options.articles)
        runs = [measure(project) for _ in range(options.repeats)]
    first, rest, proofs, count = min(runs, key=lambda run: run[1])
    total = sum(proofs.values())
    print(f"{count + 1} articles, --jobs 1, CPU time, best of {options.repeats}")
    print(f"  first article      {first * 1000:6.0f} ms  (imports WeasyPrint, parses the layouts)")
    print(f"  each other article {rest / count * 1000:6.0f} ms")
    for name, seconds in proofs.items():
        print(f"  {name + ' proof':18s} {seconds / count * 1000:6.1f} ms  ({seconds / rest * 100:4.1f} %)")
    print(f"  proofs together    {total / count * 1000:6.1f} ms  ({total / rest * 100:4.1f} % of an article's time)")


if __name__ == "__main__":
    main()
