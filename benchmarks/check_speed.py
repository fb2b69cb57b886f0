"""The publishing gate's speed, measured side by side in one run (a script, not a timed test).

    python benchmarks/check_speed.py [--articles 20 100] [--repeat 3]

For each N: a scratch project of N articles (as build_speed.py makes them), then
  - the cold `invoke build` (everything built),
  - the cold `invoke check --fresh` (nothing reused; EPUBCheck's runner already compiled),
    and its ratio to the cold build,
  - the warm `invoke check` (nothing changed: every result reused), best of --repeat,
  - the check after editing one article,
  - the old way as the baseline: `invoke check --fresh` with one EPUBCheck JVM per guide
    (PUBLISHING_EPUBCHECK=per-file).
Process start is included in every time.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_speed import invoke, make_project, run  # noqa: E402


def timed(command: list[str], cwd: Path, env: dict | None = None) -> float:
    previous = {key: os.environ.get(key) for key in (env or {})}
    os.environ.update(env or {})
    try:
        return run(command, cwd)[0]
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as scratch:
        for count in options.articles:
            project = make_project(Path(scratch) / f"n{count}", count)
            build = timed(invoke("build"), project)
            timed(invoke("check"), project)  # compiles EPUBCheck's runner once, as a first check would
            cold = min(timed(invoke("check", "--fresh"), project) for _ in range(options.repeat))
            warm = min(timed(invoke("check"), project) for _ in range(options.repeat))
            source = project / "sources" / f"article-{count // 2:03d}.md"
            source.write_text(source.read_text() + "\nOne more sentence.\n")
            timed(invoke("build"), project)
            one = timed(invoke("check"), project)
            old = timed(invoke("check", "--fresh"), project, {"PUBLISHING_EPUBCHECK": "per-file"})
            print(f"\nN = {count}")
            print(f"  cold build                 {build:7.2f} s")
            print(f"  cold check                 {cold:7.2f} s   {cold / build:.2f} x the cold build")
            print(f"  warm check                 {warm:7.2f} s   (nothing changed, best of {options.repeat})")
            print(f"  check after one edit       {one:7.2f} s")
            print(f"  old way (a JVM per guide)  {old:7.2f} s   {old / cold:.1f} x the cold check")


if __name__ == "__main__":
    main()
