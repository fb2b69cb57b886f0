"""The gate's speed for one checkout or several, side by side (a script, not a timed test).

    python benchmarks/check_versions.py CHECKOUT [CHECKOUT ...] --articles 1 100

For each checkout (this repository at another commit: `git worktree add /tmp/before <commit>`) and
each N: a scratch project of N articles made by that checkout's own benchmarks/build_speed.py, then
`invoke build`, `invoke check --fresh` (cold: nothing reused) and `invoke check` (warm: best of 3),
each with its process start, run with that checkout's code. Used for the witness's cost (before and
after it) and for the freshness check's (a warm check must stay quick).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(project: Path, code: Path, *args: str) -> tuple[float, bool]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(code)},
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - started, result.returncode == 0


def project_maker(checkout: Path):
    """That checkout's own make_project, so each version is measured on the library it knew."""
    maker = checkout / "benchmarks" / "build_speed.py"
    spec = importlib.util.spec_from_file_location(f"build_speed_{checkout.name}", maker)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.ROOT = checkout
    return module.make_project


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("checkouts", nargs="+", type=Path)
    parser.add_argument("--articles", type=int, nargs="+", default=[1, 100])
    options = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for checkout in (path.resolve() for path in options.checkouts):
        make_project = project_maker(checkout)
        for articles in options.articles:
            with tempfile.TemporaryDirectory() as scratch:
                project = make_project(Path(scratch) / "project", articles)
                build, built = timed(project, checkout, "build")
                cold, passed = timed(project, checkout, "check", "--fresh")
                warm = min(timed(project, checkout, "check")[0] for _ in range(3))
                print(
                    f"{checkout.name} N={articles}: build {build:.1f} s{'' if built else ' (FAILED)'} | "
                    f"check cold {cold:.1f} s{'' if passed else ' (FAILED)'} | warm {warm:.2f} s",
                    flush=True,
                )


if __name__ == "__main__":
    main()
