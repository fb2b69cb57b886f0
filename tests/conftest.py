"""Build the sample article (and the rich fixture) once per test session, with the real CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE = "how-does-ketamine-work-for-depression"


def invoke(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `invoke ARGS` as a user would, in ``cwd``; return the finished process."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> Path:
    """build/ for the clinic's sources, built once into a temporary folder."""
    out = tmp_path_factory.mktemp("sample") / "build"
    result = invoke("build", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "warning" not in result.stderr.lower(), result.stderr  # WeasyPrint warnings fail the build test
    return out


@pytest.fixture(scope="session")
def rich_build(tmp_path_factory) -> Path:
    """build/ for the fixture that uses every kind of Markdown staff write."""
    out = tmp_path_factory.mktemp("rich") / "build"
    result = invoke("build", "--sources", str(FIXTURES / "rich"), "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in result.stderr.lower(), result.stderr
    return out


def add_spanish_translation(project: Path) -> Path:
    """Put the Spanish test translation of the sample (tests/fixtures/spanish/) into ``project``, recording
    the sample's current version the way a translator's `invoke translate --current` would: the first
    seven hex digits of the SHA-256 of its bytes (computed here, not by the pipeline)."""
    import hashlib

    version = hashlib.sha256((project / "sources" / f"{SAMPLE}.md").read_bytes()).hexdigest()[:7]
    text = (FIXTURES / "spanish" / f"{SAMPLE}.es.md").read_text(encoding="utf-8")
    target = project / "sources" / f"{SAMPLE}.es.md"
    target.write_text(text.replace('source_version: "0000000"', f'source_version: "{version}"'), encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def spanish_build(tmp_path_factory) -> Path:
    """A copy of the project with the Spanish test translation of the sample, built (every product and
    both combined guides, the large-print handouts); returns the project folder."""
    project = copy_project(tmp_path_factory.mktemp("spanish"))
    add_spanish_translation(project)
    for task in (("build",), ("handout", "--variant", "large-print"), ("guide", "--bundle")):
        result = invoke(*task, cwd=project)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "warning" not in result.stderr.lower(), result.stderr
    return project


def copy_project(folder: Path) -> Path:
    """Copy the project (tasks, settings, layouts, sources) into ``folder``, for a test to change."""
    for name in ("tasks.py", "pyproject.toml"):
        shutil.copy(ROOT / name, folder / name)
    for name in ("layouts", "sources"):
        shutil.copytree(ROOT / name, folder / name)
    return folder


def write_own_words(article: Path) -> None:
    """What a writer does after `invoke new`: the example description and text replaced by the article's
    own (a test stand-in, not clinical advice); the front matter `invoke new` wrote otherwise kept."""
    import re

    front = article.read_text().split("\n---\n", 1)[0]
    front = re.sub(
        r"(?m)^description: >-\n(?:  .*\n?)+", "description: A test article about a regular bedtime.\n", front
    )
    article.write_text(
        front + "\n---\n\nThis test article stands in for one a clinician wrote.\n\n"
        "## Keeping a regular bedtime\n\nGoing to bed at the same time each night is what this test text is about.\n"
    )


def add_copies(project: Path, count: int) -> list[str]:
    """Add ``count`` copies of the sample article (copy-0 ...), each with its own title; return their slugs."""
    text = (project / "sources" / f"{SAMPLE}.md").read_text()
    for number in range(count):
        (project / "sources" / f"copy-{number}.md").write_text(
            text.replace("title: How Does", f"title: ({number}) How Does")
        )
    return [f"copy-{number}" for number in range(count)]


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """A private copy of the project that a test may break."""
    return copy_project(tmp_path)


def pdf_pages(path: Path) -> list[str]:
    """The text of each page by pypdf: not the PDFium reading the pipeline's own proof uses."""
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(path).pages]


@pytest.fixture(scope="module")
def chromium():
    """Debian's headless Chromium through its chromedriver, with the flags this machine needs (no network)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    profile = tempfile.mkdtemp(prefix="chromium-")
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)
