"""Files a build may read: the project's sources and layouts, and the fonts it ships. Nothing else.

WeasyPrint's own fetcher would read any file:// path and fetch http(s) URLs; a
pasted ``<img src="/etc/passwd">`` or a remote image must never reach a product.
"""

from __future__ import annotations

import functools
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import PublishingError
from .languages import SCRIPT_FONTS, script

FONT_FAMILY = "Atkinson Hyperlegible"


def font_dir() -> Path:
    """Atkinson Hyperlegible (SIL OFL), shipped as a Python package: no download at build time."""
    import fontpkg_atkinson_hyperlegible

    return fontpkg_atkinson_hyperlegible.ROOT / "files"


FONT_FACES = (  # (file, weight, style)
    ("AtkinsonHyperlegible-Regular.ttf", 400, "normal"),
    ("AtkinsonHyperlegible-Italic.ttf", 400, "italic"),
    ("AtkinsonHyperlegible-Bold.ttf", 700, "normal"),
    ("AtkinsonHyperlegible-BoldItalic.ttf", 700, "italic"),
)


def script_font_dir() -> Path:
    """The fonts shipped in the repository for scripts Atkinson Hyperlegible lacks, each with its
    licence in its folder (publishing/fonts/<font>/OFL.txt)."""
    return Path(__file__).parent / "fonts"


def designated_faces(lang: str | None = None) -> list[tuple[Path, str, int, str]]:
    """(file, family, weight, style) of every font designated for an edition in ``lang``: Atkinson
    Hyperlegible, then the font of the language's script (Noto Sans Arabic for fa and ar)."""
    faces = [(font_dir() / file, FONT_FAMILY, weight, style) for file, weight, style in FONT_FACES]
    if lang is not None and script(lang) in SCRIPT_FONTS:
        family, folder, files = SCRIPT_FONTS[script(lang)]
        faces += [(script_font_dir() / folder / file, family, weight, "normal") for file, weight in files]
    # A font file removed from the checkout is not declared: the glyph proof then names the first
    # character it would have drawn (publishing/proof/glyphs.py), and missing_faces() says why.
    return [face for face in faces if face[0].is_file()]


def missing_faces(lang: str) -> list[Path]:
    """The files of the fonts designated for ``lang`` that are not on this machine."""
    if script(lang) not in SCRIPT_FONTS:
        return []
    _, folder, files = SCRIPT_FONTS[script(lang)]
    return [path for file, _ in files if not (path := script_font_dir() / folder / file).is_file()]


@functools.cache
def font_characters(lang: str | None = None) -> frozenset[int]:
    """Every character the fonts designated for ``lang`` can print (Atkinson Hyperlegible alone by
    default): the handout's text and the emoji check of a source (leftovers.py) both ask."""
    from fontTools.ttLib import TTFont

    covered: set[int] = set()
    for path, _, _, _ in designated_faces(lang):
        covered.update(TTFont(path, lazy=True).getBestCmap())
    return frozenset(covered)


def font_face_css(lang: str | None = None) -> str:
    """@font-face rules for the fonts designated for ``lang``, as file:// URLs the fetcher allows. The
    layouts name every designated family in their font stacks; only an edition's own are declared,
    so an English handout never loads the Arabic font."""
    rules = []
    for path, family, weight, style in designated_faces(lang):
        rules.append(
            f'@font-face {{ font-family: "{family}"; src: url("{path.as_uri()}"); '
            f"font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)


def allowed_roots(sources: Path, layouts: Path) -> tuple[Path, ...]:
    return (sources.resolve(), layouts.resolve(), font_dir().resolve(), script_font_dir().resolve())


def local_path(url: str, roots: tuple[Path, ...]) -> Path:
    """The file a file:// URL names, if it lies inside one of ``roots``; else a PublishingError."""
    parts = urlsplit(url)
    if parts.scheme != "file":
        raise PublishingError(
            None,
            f"refused to fetch '{url}': builds never use the network",
            hint="save the file under sources/ and link it by a relative path",
        )
    path = Path(unquote(parts.path)).resolve()
    if not any(path.is_relative_to(root) for root in roots):
        raise PublishingError(
            None,
            f"refused to read '{path}': it is outside sources/ and layouts/",
            hint="copy the file into sources/ and link it from there",
        )
    if not path.is_file():
        raise PublishingError(None, f"'{path}' does not exist", hint="check the file name")
    return path
