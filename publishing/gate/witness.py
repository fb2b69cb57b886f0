"""The gate's second witness: a real renderer shows each required block, independently of the build's
CSS model.

HTML and XHTML are rendered in headless Chromium (one browser for the whole check, driven through
chromedriver); for each block, at each width and colour scheme the product declares: its box lies
inside the page horizontally, every line of its text is hit-tested (the element under each line is
the block's own, not something laid over it), and the pixels of each line, painted, differ from the
same page with the block's text made transparent, by enough ink and contrast to read. A PDF page is
rendered by PDFium with and without the block's text objects (made transparent) and the ink of each
line is measured the same way: ink that is clipped, covered or faded does not count.

What a readable line's ink is, and the thresholds: publishing/gate/ink.py; what products ask it to see:
publishing/sighting.py.
"""

from __future__ import annotations

import shutil
import tempfile
from typing import TYPE_CHECKING

from .ink import MIN_INK, MIN_WITNESS_CONTRAST, Verdict, line_ink, see_pdf
from .needs import CHROMEDRIVER, CHROMIUM, find_chromedriver, find_chromium

if TYPE_CHECKING:
    from ..sighting import Sighting, WitnessPage

MIN_LINE_PX = 9.0  # a rendered line box shorter than this holds text too small to read
VERSION = "witness-1"  # part of the cache key: a changed witness checks everything again


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
