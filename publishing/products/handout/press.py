"""What a print shop's preflight asks of pictures: enough pixels for the size they print at."""

from __future__ import annotations

import ctypes
import logging
from pathlib import Path
from typing import Any

from ...errors import PublishingError

WARN_BELOW_PPI = 300
REFUSE_BELOW_PPI = 150

log = logging.getLogger("publishing.handout")


def check_picture_resolution(pdf: Path, article) -> None:
    """Warn for a picture printed under 300 pixels per inch; refuse one under 150 (a press would)."""
    if not article.images:
        return
    import pypdfium2
    import pypdfium2.raw as raw
    from PIL import Image, UnidentifiedImageError

    by_size: dict[tuple[int, int], Any] = {}
    for image in article.images:
        try:
            with Image.open(image.path) as picture:
                by_size.setdefault(picture.size, image)
        except UnidentifiedImageError:
            continue  # a vector picture (SVG): it has no pixels to count
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        for page in document:
            for obj in page.get_objects(max_depth=5):
                if obj.type != raw.FPDF_PAGEOBJ_IMAGE:
                    continue
                width, height = ctypes.c_uint(), ctypes.c_uint()
                raw.FPDFImageObj_GetImagePixelSize(obj.raw, width, height)
                left, _, right, _ = obj.get_bounds()
                image = by_size.get((width.value, height.value))
                if image is None or right <= left:
                    continue  # a picture the layout draws (the QR code is vector)
                inches = (right - left) / 72
                ppi = width.value / inches
                needed = f"{round(REFUSE_BELOW_PPI * inches)} to {round(WARN_BELOW_PPI * inches)} pixels wide"
                if ppi < REFUSE_BELOW_PPI:
                    raise PublishingError(
                        article.source,
                        f"print shop: the picture '{image.src}' prints at {ppi:.0f} ppi "
                        f"({width.value} pixels across {inches:.1f} in), under the {REFUSE_BELOW_PPI} a press needs",
                        line=image.line,
                        hint=f"use a larger original ({needed} at this size), or print the office handout",
                    )
                if ppi < WARN_BELOW_PPI:
                    log.warning(
                        "the picture '%s' prints at %.0f ppi in the print-shop handout (%s would be %s ppi or more)",
                        image.src,
                        ppi,
                        needed.split(" to ")[1],
                        WARN_BELOW_PPI,
                    )
    finally:
        document.close()
