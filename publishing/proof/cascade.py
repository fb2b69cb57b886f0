"""A CSS cascade over a built document: what each element's style is, as a renderer would decide it.

tinycss2 parses and cssselect2 matches, the two libraries WeasyPrint's own cascade is built
on; this module orders the matching declarations the way CSS does (origin, importance,
specificity, order) and resolves the few properties that decide whether text can be seen.

Rules inside ``@media`` (or ``@supports``) apply only in some readers' situations: a phone,
dark mode. Each such condition is a *scenario*; a block must be visible in every one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# What browsers never show, whatever the author's stylesheet says (the HTML standard's rendering
# section, reduced to what can hold text).
USER_AGENT_CSS = """
head, script, style, template, title, noscript, datalist, noembed, noframes, rp { display: none }
[hidden] { display: none }
details:not([open]) > :not(summary) { display: none }
"""

# Origins, in ascending precedence (CSS Cascading 4: normal declarations, then important ones).
USER_AGENT, HINT, AUTHOR, INLINE = 0, 1, 2, 3
INHERITED = {"color", "visibility", "font-size", "-webkit-text-fill-color", "text-indent", "mso-hide"}


@dataclass(frozen=True)
class Declaration:
    name: str
    value: str  # serialised and lower-cased, e.g. "none", "0.5", "#fff"
    tokens: tuple
    important: bool
    origin: str  # where a person would go to change it


@dataclass
class _Rule:
    declarations: list[Declaration]
    conditions: tuple[str, ...]  # the @media/@supports preludes it sits in


@dataclass
class Stylesheet:
    """One stylesheet's rules, parsed once."""

    origin: str
    rules: list[tuple[Any, _Rule]] = field(default_factory=list)  # (cssselect2's compiled selector, rule)
    conditions: set[str] = field(default_factory=set)

    @classmethod
    def parse(cls, css: str, origin: str, load_import=None) -> Stylesheet:
        import tinycss2

        sheet = cls(origin)
        namespaces: dict[str | None, str] = {}
        sheet._add(
            tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True), (), namespaces, load_import
        )
        return sheet

    def _add(self, nodes, conditions: tuple[str, ...], namespaces: dict[str | None, str], load_import) -> None:
        import cssselect2
        import tinycss2

        for node in nodes:
            if node.type == "qualified-rule":
                try:
                    selectors = cssselect2.compile_selector_list(node.prelude, namespaces)
                except cssselect2.SelectorError:
                    continue  # a browser drops a rule it cannot parse; so do we
                rule = _Rule(parse_declarations(node.content, self.origin), conditions)
                self.rules += [(selector, rule) for selector in selectors if selector.pseudo_element is None]
            elif node.type == "at-rule":
                keyword = node.lower_at_keyword
                prelude = " ".join(tinycss2.serialize(node.prelude).split())
                if keyword == "namespace":
                    tokens = [t for t in node.prelude if t.type not in ("whitespace", "comment")]
                    url = tokens[-1].value if tokens else ""
                    prefix = tokens[0].value if len(tokens) == 2 and tokens[0].type == "ident" else None
                    namespaces[prefix] = url
                elif keyword == "import" and load_import is not None:
                    imported = load_import(node.prelude)
                    if imported:
                        self._add(
                            tinycss2.parse_stylesheet(imported, skip_whitespace=True, skip_comments=True),
                            conditions,
                            namespaces,
                            load_import,
                        )
                elif keyword in ("media", "supports", "container", "document") and node.content is not None:
                    condition = f"@{keyword} {prelude}"
                    self.conditions.add(condition)
                    self._add(
                        tinycss2.parse_blocks_contents(node.content, skip_whitespace=True, skip_comments=True),
                        (*conditions, condition),
                        namespaces,
                        load_import,
                    )
                elif keyword in ("layer", "scope") and node.content is not None:
                    self._add(
                        tinycss2.parse_blocks_contents(node.content, skip_whitespace=True, skip_comments=True),
                        conditions,
                        namespaces,
                        load_import,
                    )


def parse_declarations(content, origin: str) -> list[Declaration]:
    import tinycss2

    if isinstance(content, str):
        content = tinycss2.parse_component_value_list(content)
    declarations = []
    for item in tinycss2.parse_blocks_contents(content, skip_whitespace=True, skip_comments=True):
        if item.type != "declaration":
            continue
        value = [token for token in item.value if token.type != "comment"]
        text = " ".join(tinycss2.serialize(value).split()).lower()
        declarations.append(Declaration(item.lower_name, text, tuple(value), bool(item.important), origin))
    return declarations


@functools.lru_cache(maxsize=64)
def cached_stylesheet(css: str, origin: str) -> Stylesheet:
    return Stylesheet.parse(css, origin)


@dataclass(frozen=True)
class Colour:
    red: float
    green: float
    blue: float
    alpha: float = 1.0

    def over(self, ground: Colour) -> Colour:
        """This colour painted over an opaque ``ground``."""
        a = self.alpha
        return Colour(
            *(
                c * a + g * (1 - a)
                for c, g in zip((self.red, self.green, self.blue), (ground.red, ground.green, ground.blue), strict=True)
            )
        )

    def faded(self, opacity: float) -> Colour:
        return Colour(self.red, self.green, self.blue, self.alpha * opacity)

    @property
    def luminance(self) -> float:
        """WCAG 2 relative luminance."""

        def linear(c: float) -> float:
            return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

        return 0.2126 * linear(self.red) + 0.7152 * linear(self.green) + 0.0722 * linear(self.blue)

    def hex(self) -> str:
        return "#" + "".join(f"{round(max(0, min(1, c)) * 255):02x}" for c in (self.red, self.green, self.blue))


WHITE, BLACK = Colour(1, 1, 1), Colour(0, 0, 0)


def contrast(one: Colour, other: Colour) -> float:
    """WCAG 2 contrast ratio of two opaque colours."""
    high, low = sorted((one.luminance, other.luminance), reverse=True)
    return (high + 0.05) / (low + 0.05)


def parse_colour(value) -> Colour | str | None:
    """A Colour, the string 'currentcolor', or None for a value that is not a colour."""
    from tinycss2.color4 import parse_color

    parsed = parse_color(value)
    if parsed is None or isinstance(parsed, str):
        return parsed
    red, green, blue = parsed.to("srgb").coordinates
    return Colour(red, green, blue, parsed.alpha)


class Cascade:
    """The styles of one document's elements under one scenario (a set of @media conditions that hold)."""

    def __init__(self, stylesheets: list[Stylesheet], active: frozenset[str], inline_origin: str, hints=None):
        import cssselect2

        self.matcher = cssselect2.Matcher()
        order = 0
        for level, sheet in [
            (USER_AGENT, cached_stylesheet(USER_AGENT_CSS, "the browser's defaults")),
            *((AUTHOR, sheet) for sheet in stylesheets),
        ]:
            for selector, rule in sheet.rules:
                if set(rule.conditions) <= active:
                    self.matcher.add_selector(selector, (level, order, rule))
                    order += 1
        self.active = active
        self.inline_origin = inline_origin
        self.hints: Callable[[Any], list[Declaration]] = hints or (lambda element: [])
        self._declared: dict[object, dict[str, Declaration]] = {}

    def declared(self, element) -> dict[str, Declaration]:
        """The winning declaration of each property set on ``element`` (shorthands expanded)."""
        # Keyed by the lxml element itself, held here: an id() alone could be reused by another
        # element once lxml frees a proxy object.
        key = element.etree_element
        if key in self._declared:
            return self._declared[key]
        candidates: list[tuple[tuple, Declaration]] = []
        for specificity, order, _pseudo, (level, _, rule) in self.matcher.match(element):
            for declaration in rule.declarations:
                candidates.append(((declaration.important, level, specificity, order), declaration))
        for declaration in self.hints(element):
            candidates.append(((False, HINT, (0, 0, 0), 0), declaration))
        style = element.etree_element.get("style")
        if style:
            for position, declaration in enumerate(parse_declarations(style, self.inline_origin)):
                candidates.append(((declaration.important, INLINE, (1, 0, 0, 0), position), declaration))
        winners: dict[str, Declaration] = {}
        for _, declaration in sorted(candidates, key=lambda item: item[0]):
            for name, expanded in _longhands(declaration):
                winners[name] = expanded
        self._declared[key] = winners
        return winners


def _longhands(declaration: Declaration):
    """The longhand properties a declaration sets, for the few shorthands that can hide text."""
    name = declaration.name
    if name == "background":
        import tinycss2

        colour = next((token for token in declaration.tokens if isinstance(parse_colour(token), Colour)), None)
        yield (
            "background-color",
            _replace(
                declaration,
                "background-color",
                tinycss2.serialize([colour]).lower() if colour is not None else "transparent",
                (colour,) if colour is not None else (),
            ),
        )
    elif name == "overflow":
        parts = declaration.value.split()
        yield "overflow-x", _replace(declaration, "overflow-x", parts[0] if parts else "", ())
        yield "overflow-y", _replace(declaration, "overflow-y", parts[-1] if parts else "", ())
    elif name == "font":
        size = _font_shorthand_size(declaration.tokens)
        if size is not None:
            yield "font-size", _replace(declaration, "font-size", size, ())
    elif name in ("margin", "inset"):
        parts = declaration.value.split()
        if parts:
            top, right = parts[0], parts[1] if len(parts) > 1 else parts[0]
            bottom = parts[2] if len(parts) > 2 else top
            left = parts[3] if len(parts) > 3 else right
            prefix = "margin-" if name == "margin" else ""
            for side, value in (("top", top), ("right", right), ("bottom", bottom), ("left", left)):
                yield prefix + side, _replace(declaration, prefix + side, value, ())
    else:
        yield name, declaration


def _replace(declaration: Declaration, name: str, value: str, tokens: tuple) -> Declaration:
    return Declaration(name, value, tokens, declaration.important, declaration.origin)


_FONT_SIZE_KEYWORDS = {
    "xx-small": 9.0,
    "x-small": 10.0,
    "small": 13.0,
    "medium": 16.0,
    "large": 18.0,
    "x-large": 24.0,
    "xx-large": 32.0,
    "xxx-large": 48.0,
}


def _font_shorthand_size(tokens) -> str | None:
    import tinycss2

    for token in tokens:
        if token.type in ("dimension", "percentage") or (token.type == "number" and token.value == 0):
            return tinycss2.serialize([token]).lower()
        if token.type == "ident" and token.lower_value in _FONT_SIZE_KEYWORDS:
            return token.lower_value
    return None


def length_px(
    value: str, font_size: float, root_font_size: float = 16.0, percent_of: float | None = None
) -> float | None:
    """A CSS length in px, or None when it cannot be known without layout (auto, %, calc())."""
    import tinycss2

    tokens = [t for t in tinycss2.parse_component_value_list(value) if t.type != "whitespace"]
    if len(tokens) != 1:
        return None
    token = tokens[0]
    if token.type == "number" and token.value == 0:
        return 0.0
    if token.type == "percentage":
        return token.value / 100 * percent_of if percent_of is not None else None
    if token.type != "dimension":
        return None
    factor = {
        "px": 1,
        "pt": 4 / 3,
        "pc": 16,
        "in": 96,
        "cm": 96 / 2.54,
        "mm": 96 / 25.4,
        "q": 96 / 101.6,
        "em": font_size,
        "rem": root_font_size,
        "ex": font_size / 2,
        "ch": font_size / 2,
        "vw": 3.75,
        "vh": 6.67,
        "vmin": 3.75,
        "vmax": 6.67,
    }.get(token.lower_unit)  # a 375x667 phone
    return token.value * factor if factor is not None else None


def font_size_px(value: str, parent: float, root: float = 16.0) -> float:
    if value in _FONT_SIZE_KEYWORDS:
        return _FONT_SIZE_KEYWORDS[value]
    if value == "smaller":
        return parent / 1.2
    if value == "larger":
        return parent * 1.2
    if value in ("inherit", "unset", "revert"):
        return parent
    if value == "initial":
        return 16.0
    size = length_px(value, parent, root, percent_of=parent)
    return size if size is not None and size >= 0 else parent
