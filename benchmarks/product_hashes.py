"""Every product's bytes, as short hashes: run before and after a refactor, and compare (a script, not a test).

    python benchmarks/product_hashes.py > before.txt   # ... change the code ...
    python benchmarks/product_hashes.py > after.txt && diff before.txt after.txt

Builds, each in a scratch copy of the project with SOURCE_DATE_EPOCH fixed (so a product's date does
not follow the clock or the copy's file times), with the real CLI:
  - sample:  the clinic's sources, every handout variant and the combined guide;
  - rich:    tests/fixtures/rich, every product, office and large print;
  - spanish: the sample with its Spanish test translation, large print and both combined guides;
  - issue:   the sample and the rich fixture with a monthly newsletter issue naming both.
Prints ``project  path-under-build  sha256[:12]`` per file, sorted; the build state
(.publishing-state.json) is left out, since it records the code itself.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE = "how-does-ketamine-work-for-depression"
EPOCH = "1767225600"  # 2026-01-01, any fixed moment
LEFT_OUT = {".publishing-state.json"}
ISSUE = f"""---
title: "December 2026: how ketamine treatment works"
articles:
  - {SAMPLE}
  - how-we-support-you
---

This month: how ketamine works for depression, and how the team supports you.
"""
# What an issue needs of the settings (the values tests/test_newsletter.py uses).
ISSUE_SETTINGS = {
    "web_address": "https://www.example.org",
    "article_url": "https://www.example.org/guides/{slug}/",
    "sender_address": "news@example.org",
    "postal_address": "4640 Admiralty Way, Suite 500, Marina del Rey, CA 90292",
    "image_base_url": "https://images.example.org/newsletter",
}


def copy_project(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in ("tasks.py", "pyproject.toml"):
        shutil.copy(ROOT / name, folder / name)
    for name in ("layouts", "sources"):
        shutil.copytree(ROOT / name, folder / name)
    return folder


def add_rich(project: Path) -> None:
    for path in (FIXTURES / "rich").iterdir():
        (shutil.copytree if path.is_dir() else shutil.copy)(path, project / "sources" / path.name)


def add_spanish(project: Path) -> None:
    """The Spanish test translation, recording the sample's version (as tests/conftest.py does)."""
    version = hashlib.sha256((project / "sources" / f"{SAMPLE}.md").read_bytes()).hexdigest()[:7]
    text = (FIXTURES / "spanish" / f"{SAMPLE}.es.md").read_text(encoding="utf-8")
    text = text.replace('source_version: "0000000"', f'source_version: "{version}"')
    (project / "sources" / f"{SAMPLE}.es.md").write_text(text, encoding="utf-8")


def add_issue(project: Path) -> None:
    add_rich(project)
    (project / "sources" / "newsletters").mkdir()
    (project / "sources" / "newsletters" / "2026-12.md").write_text(ISSUE)
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    for key, value in ISSUE_SETTINGS.items():
        text, count = re.subn(rf"(?m)^{key} = .*$", f"{key} = {json.dumps(value)}", text, count=1)
        assert count == 1, key
    pyproject.write_text(text)


def only_rich(project: Path) -> None:
    """The rich fixture in place of the sample, with the required blocks it needs."""
    (project / "sources" / f"{SAMPLE}.md").unlink()
    add_rich(project)


EVERY_VARIANT = (("build",), ("handout", "--variant", "large-print"), ("handout", "--variant", "print-shop"))
PROJECTS: dict[str, tuple[Callable[[Path], None] | None, tuple[tuple[str, ...], ...]]] = {
    "sample": (None, (*EVERY_VARIANT, ("guide", "--bundle"))),
    # The rich fixture's pictures are too coarse for the press (refused, as it should be): no print-shop.
    "rich": (only_rich, EVERY_VARIANT[:2]),
    "spanish": (add_spanish, (("build",), ("handout", "--variant", "large-print"), ("guide", "--bundle"))),
    "issue": (add_issue, (("build",),)),
}


def build(name: str, folder: Path) -> dict[str, str]:
    prepare, tasks = PROJECTS[name]
    project = copy_project(folder / name)
    if prepare:
        prepare(project)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": EPOCH}
    for task in tasks:
        done = subprocess.run(
            [sys.executable, "-m", "invoke", *task, "--jobs", "1"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            sys.exit(f"{name}: invoke {' '.join(task)} failed:\n{done.stdout}{done.stderr}")
    out = project / "build"
    return {
        path.relative_to(out).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in sorted(out.rglob("*"))
        if path.is_file() and path.name not in LEFT_OUT and not path.relative_to(out).parts[0].startswith(".")
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("projects", nargs="*", help=f"which of {', '.join(PROJECTS)} (default: all)")
    chosen = parser.parse_args().projects or list(PROJECTS)
    if unknown := set(chosen) - set(PROJECTS):
        parser.error(f"unknown project(s): {', '.join(sorted(unknown))}")
    # One fixed folder, not a fresh temporary one: WeasyPrint names a picture in the PDF by a hash of its
    # absolute address, so the same handout built elsewhere differs in those bytes (and only those).
    scratch = Path(tempfile.gettempdir()) / "product-hashes"
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        for name in chosen:
            for path, digest in build(name, scratch).items():
                print(f"{name:8} {path:70} {digest}", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
