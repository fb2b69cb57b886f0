"""What the proof knows about each CSS property on a required block, its ancestors and descendants.

A property is *harmless* (it cannot hide text or cover it, whatever its value: borders, padding,
font weight), *judged* (the proof evaluates it: colour, size, offsets...), or *unknown*. A judged
property whose value the proof cannot evaluate, and any unknown property, is refused: the
proof fails closed, because a value it does not understand is one it cannot prove harmless.
"""

from __future__ import annotations

import re

CANNOT = "the publishing proof cannot tell whether readers see this"
# Nudges smaller than this (a relative offset, a negative margin, a translate()) leave text in place.
MAX_NUDGE_PX = 24.0
WIDE = ("initial", "inherit", "unset", "revert", "revert-layer")

_HARMLESS_PREFIXES = (
    "border",
    "padding",
    "outline",
    "list-style",
    "text-decoration",
    "text-underline",
    "text-emphasis",
    "font-variant",
    "page-break",
    "break-",
    "flex",
    "align-",
    "justify-",
    "place-",
    "transition",
    "scroll-",
    "overscroll",
    "counter-",
    "column-gap",
    "column-rule",
    "background-position",
    "background-size",
    "background-repeat",
    "background-origin",
    "background-attachment",
    "bookmark-",
    "mso-",  # Outlook's own properties; mso-hide is judged before this table is read
)
HARMLESS = {
    "font-family",
    "font-weight",
    "font-style",
    "font-stretch",
    "font-kerning",
    "font-synthesis",
    "font-feature-settings",
    "font-variation-settings",
    "font-optical-sizing",
    "font-palette",
    "text-align",
    "text-align-last",
    "text-justify",
    "text-transform",
    "text-rendering",
    "text-overflow",
    "word-spacing",
    "word-wrap",
    "overflow-wrap",
    "word-break",
    "line-break",
    "hyphens",
    "-webkit-hyphens",
    "hyphenate-character",
    "hyphenate-limit-chars",
    "orphans",
    "widows",
    "box-sizing",
    "box-decoration-break",
    "-webkit-box-decoration-break",
    "vertical-align",
    "direction",
    "unicode-bidi",
    "float",
    "clear",
    "z-index",
    "isolation",
    "cursor",
    "caret-color",
    "accent-color",
    "user-select",
    "-webkit-user-select",
    "table-layout",
    "border-collapse",
    "border-spacing",
    "caption-side",
    "empty-cells",
    "quotes",
    "tab-size",
    "gap",
    "row-gap",
    "order",
    "object-fit",
    "object-position",
    "image-rendering",
    "aspect-ratio",
    "resize",
    "appearance",
    "-webkit-appearance",
    "will-change",
    "string-set",
    "-webkit-font-smoothing",
    "-moz-osx-font-smoothing",
    "-webkit-text-stroke-color",
    "print-color-adjust",
    "-webkit-print-color-adjust",
    "color-adjust",
    "forced-color-adjust",
    "speak",
    "speak-as",
    "-webkit-tap-highlight-color",
    "-webkit-box-orient",
    "shape-outside",
    "perspective-origin",
    "transform-origin",
    "transform-box",
    "text-orientation",
    "width",
    "min-width",
    "max-width",
    "min-height",
    "text-wrap-style",
    "white-space-collapse",
    "column-fill",
    "column-span",
    "page",
    "size",
}
# The properties the examination evaluates itself (markup.py), with the values it understands.
JUDGED = {
    "display",
    "visibility",
    "opacity",
    "color",
    "-webkit-text-fill-color",
    "background-color",
    "font-size",
    "line-height",
    "text-indent",
    "overflow-x",
    "overflow-y",
    "overflow",
    "height",
    "max-height",
    "position",
    "top",
    "right",
    "bottom",
    "left",
    "margin-top",
    "margin-right",
    "margin-bottom",
    "margin-left",
    "clip",
    "clip-path",
    "content-visibility",
    "mso-hide",
    "letter-spacing",
}
# Properties that can hide, cover, move or reshape text, accepted only with these values.
NEUTRAL = {
    "transform": {"none"},
    "translate": {"none"},
    "scale": {"none", "1"},
    "rotate": {"none", "0deg", "0"},
    "zoom": {"normal", "1", "100%", "reset"},
    "filter": {"none"},
    "backdrop-filter": {"none"},
    "-webkit-backdrop-filter": {"none"},
    "mix-blend-mode": {"normal"},
    "background-blend-mode": {"normal"},
    "background-image": {"none"},
    "background-clip": {"border-box", "padding-box", "content-box"},
    "-webkit-background-clip": {"border-box", "padding-box", "content-box"},
    "text-shadow": {"none"},
    "-webkit-text-stroke": {"0", "0px", "none"},
    "-webkit-text-stroke-width": {"0", "0px"},
    "content": {"normal", "none"},
    "columns": {"auto", "1", "auto auto"},
    "column-count": {"auto", "1"},
    "column-width": {"auto"},
    "animation": {"none"},
    "animation-name": {"none"},
    "writing-mode": {"horizontal-tb"},
    "font-size-adjust": {"none"},
    "-webkit-text-size-adjust": {"auto", "none", "100%"},
    "text-size-adjust": {"auto", "none", "100%"},
    "pointer-events": {"auto"},
    "color-scheme": {"normal", "light", "only light"},
    "contain": {"none", "layout", "style", "layout style", "style layout"},
    "offset-path": {"none"},
    "offset": {"none"},
    "-webkit-line-clamp": {"none"},
    "line-clamp": {"none"},
    "white-space": {"normal", "pre-wrap", "pre-line", "break-spaces"},
    "text-wrap": {"wrap", "balance", "pretty", "stable", "auto"},
    "text-wrap-mode": {"wrap"},
    "perspective": {"none"},
    "transform-style": {"flat"},
    "backface-visibility": {"visible"},
    "mask": {"none"},
    "mask-image": {"none"},
    "-webkit-mask": {"none"},
    "-webkit-mask-image": {"none"},
    "mask-border": {"none"},
    "-webkit-mask-box-image": {"none"},
    "box-shadow": {"none"},
    "grid-area": {"auto"},
    "grid-row": {"auto"},
    "grid-column": {"auto"},
    "grid-row-start": {"auto"},
    "grid-row-end": {"auto"},
    "grid-column-start": {"auto"},
    "grid-column-end": {"auto"},
    "display-mode": {"normal"},
}
_ADVICE = {
    "transform": "leave the block untransformed (no scale, rotate, skew or 3-D transform)",
    "translate": "leave the block in place",
    "scale": "leave the block at its size",
    "rotate": "leave the block unrotated",
    "zoom": "set a font size instead",
    "filter": "use plain colours instead of a filter",
    "backdrop-filter": "use a plain background colour",
    "mix-blend-mode": "use plain colours, without blending",
    "background-blend-mode": "use a plain background colour",
    "background-image": "use a plain background colour under the text: contrast is measured against a colour",
    "text-shadow": "use a plain text colour, without a shadow",
    "content": "put the words in the template, not in CSS content",
    "columns": "set the block in one column",
    "column-count": "set the block in one column",
    "animation": "leave the block unanimated: an animation can change what readers see",
    "white-space": "let the text wrap (white-space: normal)",
    "pointer-events": "leave it at auto: readers must be able to tap the block's links",
    "color-scheme": "leave it out, and give dark mode its colours in @media (prefers-color-scheme: dark)",
}


def plain_values() -> str:
    return "use plain values (colours such as #1b1f23, lengths in px, pt or em, calc() of lengths)"


def advice(name: str) -> str:
    for key, text in _ADVICE.items():
        if name == key or name.startswith(key + "-") or name.startswith("-webkit-" + key):
            return text
    if name.startswith(("mask", "-webkit-mask")):
        return "leave the block unmasked"
    if name.startswith("-webkit-text-stroke"):
        return "use a plain text colour, without a stroke"
    if name.startswith("grid-"):
        return "let the block take its own place in the grid"
    return plain_values()


def verdict(name: str, value: str) -> str | None:
    """None when the declaration is harmless or judged elsewhere; otherwise what is wrong with it."""
    if name.startswith("--") or name in JUDGED or name in HARMLESS or name.startswith(_HARMLESS_PREFIXES):
        return None
    if name.startswith("margin-") or name.startswith("inset-"):
        return None  # logical margins and offsets: judged with the physical ones (markup.py)
    if name == "all":
        return f"{CANNOT}: 'all' resets every property at once; set the properties one by one"
    if value in WIDE:
        return None  # back to the initial or the parent's value, which is judged where it is set
    if name in NEUTRAL:
        if value in NEUTRAL[name] or _neutral_value(name, value):
            return None
        return f"{CANNOT}; {advice(name)}"
    return f"{CANNOT}: it does not know the property '{name}'; leave it off the block"


def _neutral_value(name: str, value: str) -> bool:
    if name == "box-shadow":
        return "inset" not in value  # an outer shadow lies outside the box, under the text of others
    if name == "zoom":
        number = _number(value)
        return number is not None and number >= 1
    if name in ("-webkit-text-size-adjust", "text-size-adjust"):
        number = _number(value)
        return number is not None and number >= 1
    if name in ("transform", "translate"):
        return _small_translation(value)
    return False


def _small_translation(value: str) -> bool:
    """translate(2px, 1px) (or the translate property's '2px 1px'): a nudge, not a move."""
    from .values import length_px

    match = re.fullmatch(r"translate[xy]?\((.*)\)", value)
    inner = match.group(1) if match else value
    if "(" in inner:
        return False
    pieces = [piece for piece in re.split(r"[,\s]+", inner.strip()) if piece]
    offsets = [length_px(piece, 16.0) for piece in pieces]
    return bool(pieces) and all(offset is not None and abs(offset) <= MAX_NUDGE_PX for offset in offsets)


def _number(value: str) -> float | None:
    try:
        return float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError:
        return None


# Elements of HTML that render their text as text (the HTML standard's element index, less the
# ones browsers never render and the replaced or interactive ones that would need their own proof).
KNOWN_ELEMENTS = set(
    """html body div span p a aside section article main header footer nav h1 h2 h3 h4 h5 h6 hgroup
    strong b em i u s small mark abbr cite q dfn code kbd samp var sub sup time data bdi bdo br wbr
    ul ol li dl dt dd figure figcaption blockquote address table caption thead tbody tfoot tr td th
    col colgroup center img picture source hr pre ins del details summary label search""".split()
)
NOT_RENDERED = {"template", "dialog", "noscript", "script", "style", "head", "title", "datalist", "noembed"}
