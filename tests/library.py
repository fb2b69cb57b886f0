"""The handouts the print tests hold up to a patient's eyes: a project copy with the reviewed sample, its
Spanish translation, the rich fixture (footnotes, a picture upscaled to print at 300 ppi), and an article
with the longest title and description page 1 of the large print promises to hold (12 words and 60), in
English and in Spanish; with or without the clinic's web address (the QR code). Each test module builds
the library once, every variant by the real CLI, as staff would."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from conftest import FIXTURES, SAMPLE, add_spanish_translation, copy_project, invoke

VARIANTS = {"office": "", "large-print": ".large-print", "print-shop": ".print-shop"}
LONG = "long-title"
RICH = "how-we-support-you"
# slug (with its edition) -> language
ARTICLES = {SAMPLE: "en", f"{SAMPLE}.es": "es", RICH: "en", LONG: "en", f"{LONG}.es": "es"}
WEB_ADDRESS = "https://example.org/guides/"

# Test stand-ins for a long title and description (not clinical text): 12 words and 60 in each language.
LONG_TITLE = "How Does Ketamine Work for Depression When Other Treatments Have Not Helped?"
LONG_DESCRIPTION = (
    "Ketamine works for depression differently from traditional antidepressants. The science, in plain "
    "language: how it helps the brain rebuild connections and why it can act within hours, what a session "
    "feels like, which risks are worth knowing about, and how our team stays with you before, during and "
    "after each treatment at the clinic, from the first call to the last follow-up visit."
)
SPANISH_LONG_TITLE = "¿Cómo funciona la ketamina para la depresión resistente y la ansiedad diaria?"
SPANISH_LONG_DESCRIPTION = (
    "La ketamina actúa contra la depresión de manera diferente a los antidepresivos tradicionales. La "
    "ciencia, en lenguaje sencillo: cómo ayuda al cerebro a reconstruir conexiones y por qué puede actuar en "
    "cuestión de horas, qué se siente durante una sesión, qué riesgos conviene conocer y cómo nuestro equipo "
    "le acompaña antes, durante y después de cada tratamiento en la clínica."
)


def _retitled(text: str, title: str, description: str) -> str:
    text = re.sub(r"(?m)^title: .*$", f'title: "{title}"', text, count=1)
    return re.sub(r"(?m)^description: >-\n(?:  .*\n)+", f'description: "{description}"\n', text, count=1)


def library_project(folder: Path, web_address: str = "") -> Path:
    """The project copy holding the library, in ``folder``; with ``web_address`` the clinic's address set."""
    from PIL import Image

    project = copy_project(folder)
    sources = project / "sources"
    sample = sources / f"{SAMPLE}.md"
    sample.write_text(
        sample.read_text().replace(
            "category: Conditions",
            "category: Conditions\nlast_reviewed: 2026-05-04\nmedical_reviewer: {name: Dana Reyes, credentials: MD}",
        )
    )
    add_spanish_translation(project)
    shutil.copy(FIXTURES / f"rich/{RICH}.md", sources)
    shutil.copytree(FIXTURES / "rich/images", sources / "images")
    picture = sources / "images/connections.png"
    with Image.open(picture) as original:  # sharp enough for a press: 300 ppi at its printed width
        original.convert("RGB").resize((1800, 900), Image.Resampling.LANCZOS).save(picture)
    long = sources / f"{LONG}.md"
    long.write_text(_retitled(sample.read_text(), LONG_TITLE, LONG_DESCRIPTION))
    version = hashlib.sha256(long.read_bytes()).hexdigest()[:7]  # as `invoke translate --current` records it
    spanish = (sources / f"{SAMPLE}.es.md").read_text(encoding="utf-8")
    spanish = re.sub(r'source_version: "[0-9a-f]{7}"', f'source_version: "{version}"', spanish)
    (sources / f"{LONG}.es.md").write_text(
        _retitled(spanish, SPANISH_LONG_TITLE, SPANISH_LONG_DESCRIPTION), encoding="utf-8"
    )
    if web_address:
        settings = project / "pyproject.toml"
        settings.write_text(settings.read_text().replace('web_address = ""', f'web_address = "{web_address}"', 1))
    return project


def build_library(project: Path) -> dict[tuple[str, str], Path]:
    """Every variant of every article built by `invoke handout`: (article, variant) -> PDF."""
    for variant in VARIANTS:
        result = invoke("handout", "--variant", variant, cwd=project)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "warning" not in result.stderr.lower(), result.stderr
    return {
        (article, variant): project / f"build/handouts/{article}{infix}.pdf"
        for article in ARTICLES
        for variant, infix in VARIANTS.items()
    }


def both_libraries(tmp_path_factory) -> dict[tuple[str, str, bool], Path]:
    """(article, variant, with a QR code) -> PDF, for the library built without and with a web address."""
    plain = build_library(library_project(tmp_path_factory.mktemp("plain")))
    web = build_library(library_project(tmp_path_factory.mktemp("web"), WEB_ADDRESS))
    return {**{(*key, False): pdf for key, pdf in plain.items()}, **{(*key, True): pdf for key, pdf in web.items()}}


def pdfium_glyphs(pdf: Path):
    """(page number from 1, character, size on paper in points, fill colour as 0-255 RGB) of every
    printed character, read with PDFium (pypdfium2) here, not by the pipeline's proof: the font size
    times the scale of the text matrix."""
    import ctypes
    import math

    import pypdfium2
    import pypdfium2.raw as raw

    document = pypdfium2.PdfDocument(str(pdf))
    try:
        for number in range(len(document)):
            page = document[number]
            text = page.get_textpage()
            matrix = raw.FS_MATRIX()
            r, g, b, a = (ctypes.c_uint() for _ in range(4))
            for index in range(text.count_chars()):
                character = chr(raw.FPDFText_GetUnicode(text, index))
                if not character.strip():
                    continue
                raw.FPDFText_GetMatrix(text, index, matrix)
                raw.FPDFText_GetFillColor(text, index, r, g, b, a)
                scale = math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
                size = raw.FPDFText_GetFontSize(text, index) * scale
                yield number + 1, character, size, (r.value, g.value, b.value)
            text.close()
            page.close()
    finally:
        document.close()


def sizes_of(glyphs, words: str, page: int | None = None) -> list[float]:
    """The sizes of the characters of ``words`` wherever they are printed (on ``page``, if given),
    matched without the spaces PDFium reads between lines."""
    printed = [(character, size) for number, character, size, _ in glyphs if page in (None, number)]
    letters = "".join(character for character, _ in printed)
    wanted = "".join(words.split())
    found, start = [], letters.find(wanted)
    while start >= 0:
        found += [size for _, size in printed[start : start + len(wanted)]]
        start = letters.find(wanted, start + len(wanted))
    return found
