"""Files a build may read: the project's sources and layouts, and the fonts it ships. Nothing else.

WeasyPrint's own fetcher would read any file:// path and fetch http(s) URLs; a
pasted ``<img src="/etc/passwd">`` or a remote image must never reach a product.
"""

from __future__ import annotations

import functools
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import PublishingError

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


@functools.cache
def font_characters() -> frozenset[int]:
    """Every character the shipped fonts can print: the handout's text and the emoji check of a source
    (leftovers.py) both ask."""
    from fontTools.ttLib import TTFont

    covered: set[int] = set()
    for file, _, _ in FONT_FACES:
        covered.update(TTFont(font_dir() / file, lazy=True).getBestCmap())
    return frozenset(covered)


def font_face_css() -> str:
    """@font-face rules for the shipped fonts, as file:// URLs the fetcher allows."""
    rules = []
    for file, weight, style in FONT_FACES:
        url = (font_dir() / file).as_uri()
        rules.append(
            f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{url}"); '
            f"font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)


def allowed_roots(sources: Path, layouts: Path) -> tuple[Path, ...]:
    return (sources.resolve(), layouts.resolve(), font_dir().resolve())


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
