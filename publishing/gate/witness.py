"""The gate's second witness: a real renderer shows each required block, independently of the build's
CSS model.

HTML and XHTML are rendered in headless Chromium (one browser for the whole check, driven through
chromedriver); for each block, at each width and colour scheme the product declares: its box lies
inside the page horizontally, every line of its text is hit-tested (the element under each line is
the block's own, not something laid over it), and the pixels of each line, painted, differ from the
same page with the block's text made transparent, by enough ink and contrast to read. A PDF page is
rendered by PDFium with and without the block's text objects (made transparent) and the ink of each
line is measured the same way: ink that is clipped, covered or faded does not count.

Thresholds, measured on the sample's products (see tests/test_witness.py): a readable line changes
at least MIN_INK of its box's pixels (the sample's lines: 5.3% at least, in the newsletter and the
guide; a line covered, clipped, faded by a filter or set in the ground's colour: 0%), and its
strongest ink pixel stands MIN_WITNESS_CONTRAST from the ground (the sample: 8.2:1 at least; under
an 85% white veil 1.3:1, blurred 2.0:1). Anti-aliasing lowers a thin glyph's contrast below its CSS
value, hence 3:1 and not 4.5:1 (the build's proof holds the 4.5:1 line).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")  # where none is found
MIN_INK = 0.02
MIN_LINE_PX = 9.0  # a rendered line box shorter than this holds text too small to read
MIN_WITNESS_CONTRAST = 3.0
PDF_SCALE = 2.0  # 144 dpi: a 9 pt stem is two pixels wide
VERSION = "witness-1"  # part of the cache key: a changed witness checks everything again


@dataclass(frozen=True)
class Sighting:
    """One block a product asks the witness to see: where, and which lines."""

    block_id: str
    name: str  # what a person calls it, in messages
    lines: tuple[str, ...]
    page: int = 0  # for a PDF: the 0-based page it must be on


@dataclass(frozen=True)
class WitnessPage:
    """One document the gate renders: a browser page (with widths and colour schemes) or a PDF."""

    renderer: str  # "browser" or "pdf"
    document: Path
    where: str  # for messages: "the HTML", "crisis.xhtml"
    sightings: tuple[Sighting, ...]
    widths: tuple[int, ...] = (600, 375)
    schemes: tuple[str, ...] = ("light", "dark")


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)
    seen: int = 0  # (block, situation) pairs seen


class Witness:
    """One headless Chromium for a whole check, started when the first browser page comes."""

    def __init__(self):
        self.driver = None
        self.profile: str | None = None

    def __enter__(self) -> Witness:
        return self

    def __exit__(self, *exc) -> None:
        if self.driver is not None:
            self.driver.quit()
        if self.profile:
            shutil.rmtree(self.profile, ignore_errors=True)

    def _browser(self):
        if self.driver is None:
            from selenium import webdriver
            from selenium.webdriver.chrome.service import Service

            options = webdriver.ChromeOptions()
            from .needs import find_chromedriver, find_chromium

            options.binary_location = str(find_chromium() or CHROMIUM)
            self.profile = tempfile.mkdtemp(prefix="witness-")
            for argument in (
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
                "--host-resolver-rules=MAP * ~NOTFOUND",  # no network: remote images stay their alt text
                f"--user-data-dir={self.profile}",
            ):
                options.add_argument(argument)
            self.driver = webdriver.Chrome(service=Service(str(find_chromedriver() or CHROMEDRIVER)), options=options)
        return self.driver

    def see(self, page: WitnessPage) -> Verdict:
        if page.renderer == "pdf":
            from .ink import see_pdf

            return see_pdf(page)
        return self._see_in_browser(page)

    def _see_in_browser(self, page: WitnessPage) -> Verdict:
        driver = self._browser()
        verdict = Verdict()
        driver.get(page.document.resolve().as_uri())
        for width in page.widths:
            for scheme in page.schemes:
                driver.execute_cdp_cmd(
                    "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]}
                )
                _show_page(driver, width)
                situation = f"{page.where} at {width} px, {scheme}"
                for sighting, problem in self._see_blocks(driver, page.sightings, width):
                    verdict.seen += 1
                    if problem:
                        verdict.problems.append(f"the {sighting.name} is not seen in {situation}: {problem}")
                        return verdict
        return verdict

    def _see_blocks(self, driver, sightings: tuple[Sighting, ...], width: int):
        """(sighting, problem or None) for each block, from two pictures of its box: painted, and with its
        text made transparent (a picture's cost grows with its area: one box at a time is cheapest)."""
        from ..proof.text import contains
        from .sight import MEASURE, TRANSPARENT_TEXT

        for sighting in sightings:
            found = driver.execute_script(MEASURE, sighting.block_id)
            problem = _placement_problem(found, sighting, width, contains)
            if problem is None:
                box = found["box"]
                clip = {"x": box["left"], "y": box["top"], "width": box["width"], "height": box["height"], "scale": 1}
                painted = _screenshot(driver, clip)
                driver.execute_script(TRANSPARENT_TEXT, [sighting.block_id], True)
                try:
                    bare = _screenshot(driver, clip)
                finally:
                    driver.execute_script(TRANSPARENT_TEXT, [sighting.block_id], False)
                problem = _ink_problem(painted, bare, found["lines"], (box["left"], box["top"]))
            yield sighting, problem
            if problem:
                return


def _placement_problem(found, sighting: Sighting, width: int, contains) -> str | None:
    """Why the block is not where a reader looks: not rendered, a line missing, outside the page, covered."""
    if not found:
        return "there is no rendered element with its id"
    if not contains(found["text"], sighting.lines):
        missing = next(line for line in sighting.lines if not contains(found["text"], [line]))
        return f"its line '{missing}' is not rendered"
    left, right = found["box"]["left"], found["box"]["right"]
    if left < -1 or right > width + 1 or found["box"]["top"] < -1:
        return f"its box ({left:.0f} to {right:.0f} px) lies outside the {width} px page"
    if found["covered"]:
        return f"{found['covered']} lies over its text"
    if not found["lines"]:
        return "none of its text is laid out"
    return None


def _ink_problem(painted, bare, lines: list[dict], origin: tuple[float, float]) -> str | None:
    """The first of the block's lines too small, or leaving too little ink, to read; or None."""
    from .ink import line_ink

    left, top = origin
    for line in lines:
        if line["bottom"] - line["top"] < MIN_LINE_PX:
            tall = line["bottom"] - line["top"]
            return f"its line '{line['text'][:40]}' is {tall:.1f} px tall (at least {MIN_LINE_PX:g})"
        area = (
            round(line["left"] - left),
            round(line["top"] - top),
            round(line["right"] - left),
            round(line["bottom"] - top),
        )
        ink, strongest = line_ink(painted, bare, area)
        if ink < MIN_INK or strongest < MIN_WITNESS_CONTRAST:
            return (
                f"its line '{line['text'][:40]}' leaves {ink:.1%} ink at contrast {strongest:.1f}:1 "
                f"(readable: {MIN_INK:.0%} and {MIN_WITNESS_CONTRAST:g}:1)"
            )
    return None


def _show_page(driver, width: int) -> None:
    """A phone's or a mail client's window: ``width`` wide, 900 px tall (lines are scrolled to, as a reader
    would)."""
    metrics = {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)


def _screenshot(driver, clip: dict):
    import base64
    import io

    from PIL import Image

    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "clip": clip,
            "captureBeyondViewport": True,
        },
    )
    return Image.open(io.BytesIO(base64.b64decode(shot["data"]))).convert("RGB")
