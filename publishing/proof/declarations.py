"""Declarations as the cascade keeps them: parsed from a rule or a style attribute, and the shorthands
that can hide text expanded into the longhands the proof judges."""

from __future__ import annotations

from dataclasses import dataclass

from .colour import Colour, parse_colour
from .values import Uncertain


@dataclass(frozen=True)
class Declaration:
    name: str
    value: str  # serialised and lower-cased, e.g. "none", "0.5", "#fff"
    tokens: tuple
    important: bool
    origin: str  # where a person would go to change it
    uncertain: str = ""  # why the proof cannot know its value (an unset var(), ...), or ""


def parse_declarations(content, origin: str) -> list[Declaration]:
    import tinycss2

    if isinstance(content, str):
        content = tinycss2.parse_component_value_list(content)
    declarations = []
    for item in tinycss2.parse_blocks_contents(content or [], skip_whitespace=True, skip_comments=True):
        if item.type != "declaration":
            continue
        value = [token for token in item.value if token.type != "comment"]
        text = " ".join(tinycss2.serialize(value).split()).lower()
        name = item.name if item.name.startswith("--") else item.lower_name  # custom properties keep their case
        declarations.append(Declaration(name, text, tuple(value), bool(item.important), origin))
    return declarations


def _parts(declaration: Declaration) -> list:
    """The value's component values, whitespace dropped: calc(...) stays one part."""
    return [token for token in declaration.tokens if token.type not in ("whitespace", "comment")]


def _text(token) -> str:
    import tinycss2

    return tinycss2.serialize([token]).lower()


def longhands(declaration: Declaration) -> tuple[tuple[str, Declaration], ...]:
    """What ``_longhands`` yields, expanded once per process for each declaration: a stylesheet's rule
    is the same object on every element it matches, so an email's hundreds of elements expand it once.
    Kept by identity (a token such as ',' cannot be hashed), the declaration held with its expansion
    so its id is never another's."""
    held = _EXPANDED.get(id(declaration))
    if held is not None and held[0] is declaration:
        return held[1]
    if len(_EXPANDED) >= 4096:  # declarations made for one element (var() substituted) come and go
        _EXPANDED.clear()
    expanded = tuple(_longhands(declaration))
    _EXPANDED[id(declaration)] = (declaration, expanded)
    return expanded


_EXPANDED: dict[int, tuple[Declaration, tuple[tuple[str, Declaration], ...]]] = {}


def _longhands(declaration: Declaration):
    """The longhand properties a declaration sets, for the shorthands that can hide text."""
    name = declaration.name
    parts = _parts(declaration)
    if declaration.uncertain:
        yield name, declaration
        if name in SHORTHANDS:
            for longhand in SHORTHANDS[name]:
                yield longhand, _replace(declaration, longhand, declaration.value, declaration.tokens)
    elif name == "background":
        colours = [
            token for token in parts if isinstance(parse_colour(token), Colour) or _text(token) == "currentcolor"
        ]
        images = [
            token for token in parts if token.type == "url" or (token.type == "function" and token not in colours)
        ]
        colour = _text(colours[-1]) if colours else ("inherit" if declaration.value == "inherit" else "transparent")
        yield "background-color", _replace(declaration, "background-color", colour, tuple(colours[-1:]))
        image = " ".join(_text(token) for token in images) or "none"
        yield "background-image", _replace(declaration, "background-image", image, tuple(images))
    elif name == "overflow":
        yield "overflow-x", _replace(declaration, "overflow-x", _text(parts[0]) if parts else "", ())
        yield "overflow-y", _replace(declaration, "overflow-y", _text(parts[-1]) if parts else "", ())
    elif name == "font":
        yield from _font(declaration, parts)
    elif name in ("margin", "inset"):
        if parts:
            top, right = parts[0], parts[1] if len(parts) > 1 else parts[0]
            bottom = parts[2] if len(parts) > 2 else top
            left = parts[3] if len(parts) > 3 else right
            prefix = "margin-" if name == "margin" else ""
            for side, token in (("top", top), ("right", right), ("bottom", bottom), ("left", left)):
                yield prefix + side, _replace(declaration, prefix + side, _text(token), (token,))
    else:
        yield name, declaration


SHORTHANDS = {
    "background": ("background-color", "background-image"),
    "overflow": ("overflow-x", "overflow-y"),
    "font": ("font-size", "line-height"),
    "margin": ("margin-top", "margin-right", "margin-bottom", "margin-left"),
    "inset": ("top", "right", "bottom", "left"),
}
_SYSTEM_FONTS = {"caption", "icon", "menu", "message-box", "small-caption", "status-bar"}


def _font(declaration: Declaration, parts: list):
    """font-size and line-height from the font shorthand ('bold 17px/1.5 Arial')."""
    if declaration.value in ("inherit", "initial", "unset", "revert"):
        yield "font-size", _replace(declaration, "font-size", declaration.value, ())
        yield "line-height", _replace(declaration, "line-height", declaration.value, ())
        return
    for at, token in enumerate(parts):
        if token.type == "ident" and token.lower_value in _SYSTEM_FONTS:
            yield "font-size", _uncertain(declaration, "font-size", f"the system font '{token.value}'")
            return
        if (
            token.type in ("dimension", "percentage")
            or (token.type == "number" and token.value == 0)
            or (token.type == "function" and token.lower_name in ("calc", "min", "max", "clamp"))
            or (token.type == "ident" and token.lower_value in FONT_SIZE_KEYWORDS)
        ):
            yield "font-size", _replace(declaration, "font-size", _text(token), (token,))
            rest = parts[at + 1 :]
            if len(rest) >= 2 and rest[0].type == "literal" and rest[0].value == "/":
                yield "line-height", _replace(declaration, "line-height", _text(rest[1]), (rest[1],))
            else:
                yield "line-height", _replace(declaration, "line-height", "normal", ())
            return
    yield "font-size", _uncertain(declaration, "font-size", "a font shorthand without a size the proof can read")


def _replace(declaration: Declaration, name: str, value: str, tokens: tuple) -> Declaration:
    return Declaration(name, value, tokens, declaration.important, declaration.origin, declaration.uncertain)


def _uncertain(declaration: Declaration, name: str, why: str) -> Declaration:
    return Declaration(name, declaration.value, declaration.tokens, declaration.important, declaration.origin, why)


FONT_SIZE_KEYWORDS = {
    "xx-small": 9.0,
    "x-small": 10.0,
    "small": 13.0,
    "medium": 16.0,
    "large": 18.0,
    "x-large": 24.0,
    "xx-large": 32.0,
    "xxx-large": 48.0,
}


def font_size_px(value: str, parent: float, root: float = 16.0, tokens: tuple = ()) -> float:
    """The computed font size in px; Uncertain for a value the proof cannot evaluate."""
    from .values import _term

    if value in FONT_SIZE_KEYWORDS:
        return FONT_SIZE_KEYWORDS[value]
    if value == "smaller":
        return parent / 1.2
    if value == "larger":
        return parent * 1.2
    if value in ("inherit", "unset", "revert", "revert-layer"):
        return parent
    if value == "initial":
        return 16.0
    import tinycss2

    parts = [
        t for t in (tokens or tinycss2.parse_component_value_list(value)) if t.type not in ("whitespace", "comment")
    ]
    if len(parts) != 1:
        raise Uncertain(f"the font size '{value}'")
    kind, size = _term(parts[0], parent, root, parent)
    if kind == "number" and size != 0:
        raise Uncertain(f"the font size '{value}'")
    return max(0.0, size)
