"""A CSS cascade over a built document: what each element's style is, as a renderer would decide it.

tinycss2 parses and cssselect2 matches, the two libraries WeasyPrint's own cascade is built
on; this module orders the matching declarations the way CSS does (origin, importance,
specificity, order), substitutes custom properties (``var()``, inherited, with fallbacks) and
expands the few shorthands that decide whether text can be seen.

Rules inside ``@media`` (or ``@supports``) apply only in some readers' situations: a phone,
dark mode. Each such condition is a *scenario*; a block must be visible in every one. What the
cascade cannot order with certainty (a nested rule, a rule in ``@layer`` or ``@scope``, a
pseudo-element's rule, a selector it cannot match) is kept aside, so the proof can refuse it
where it touches a block instead of guessing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .colour import BLACK, WHITE, Colour, contrast, parse_colour
from .declarations import (
    FONT_SIZE_KEYWORDS,
    SHORTHANDS,
    Declaration,
    _replace,
    font_size_px,
    longhands,
    parse_declarations,
)
from .values import Uncertain, has_var, length_px, substitute

__all__ = [
    "BLACK",
    "WHITE",
    "FONT_SIZE_KEYWORDS",
    "Colour",
    "Declaration",
    "Uncertain",
    "contrast",
    "font_size_px",
    "length_px",
    "parse_colour",
    "parse_declarations",
]

# What browsers never show, whatever the author's stylesheet says (the HTML standard's rendering
# section, reduced to what can hold text). A popover shows only when a script opens it.
USER_AGENT_CSS = """
head, script, style, template, title, noscript, datalist, noembed, noframes, rp { display: none }
[hidden], [popover], dialog:not([open]) { display: none }
details:not([open]) > :not(summary) { display: none }
"""

# Origins, in ascending precedence (CSS Cascading 4: normal declarations, then important ones).
USER_AGENT, HINT, AUTHOR, INLINE = 0, 1, 2, 3
# Pseudo-elements that can neither cover nor replace an element's text.
HARMLESS_PSEUDO_ELEMENTS = {"marker", "selection"}
# At-rules whose content is not style rules for elements.
_NOT_RULES = {"font-face", "page", "keyframes", "counter-style", "font-feature-values", "color-profile"}
_CONDITIONS = {"media", "supports", "container", "document"}


@dataclass
class _Rule:
    declarations: list[Declaration]
    conditions: tuple[str, ...]  # the @media/@supports preludes it sits in
    selector: str = ""  # as written, for messages
    uncertain: str = ""  # why the proof cannot order it in the cascade (a nested rule, @layer...), or ""


@dataclass
class Stylesheet:
    """One stylesheet's rules, parsed once."""

    origin: str
    rules: list[tuple[Any, _Rule]] = field(default_factory=list)  # (cssselect2's compiled selector, rule)
    conditions: set[str] = field(default_factory=set)
    unknown: list[_Rule] = field(default_factory=list)  # selectors the proof cannot match
    registered: set[str] = field(default_factory=set)  # custom properties given a type by @property

    @classmethod
    def parse(cls, css: str, origin: str, load_import=None) -> Stylesheet:
        import tinycss2

        sheet = cls(origin)
        sheet._add(tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True), (), {}, load_import, "")
        return sheet

    def _add(self, nodes, conditions: tuple[str, ...], namespaces: dict, load_import, uncertain: str) -> None:
        import tinycss2

        for node in nodes:
            if node.type == "qualified-rule":
                self._qualified(node, tinycss2.serialize(node.prelude).strip(), conditions, namespaces, uncertain)
            elif node.type == "at-rule":
                self._at_rule(node, conditions, namespaces, load_import, uncertain)

    def _qualified(self, node, selector: str, conditions, namespaces, uncertain: str) -> None:
        import cssselect2
        import tinycss2

        rule = _Rule(parse_declarations(node.content, self.origin), conditions, " ".join(selector.split()), uncertain)
        try:
            selectors = cssselect2.compile_selector_list(tinycss2.parse_component_value_list(selector), namespaces)
        except cssselect2.SelectorError:
            # A browser may know a selector cssselect2 does not (:has(), :popover-open...): the
            # proof cannot tell which elements it styles.
            self.unknown.append(rule)
            return
        self.rules += [(compiled, rule) for compiled in selectors]
        for item in tinycss2.parse_blocks_contents(node.content or [], skip_whitespace=True, skip_comments=True):
            if item.type == "qualified-rule":  # CSS nesting: resolved to a plain selector, then set aside
                child = tinycss2.serialize(item.prelude).strip()
                self._qualified(item, _nested(selector, child), conditions, namespaces, "a nested rule")
            elif item.type == "at-rule" and item.content is not None:
                self._qualified(item, selector, conditions, namespaces, "a nested rule")

    def _at_rule(self, node, conditions, namespaces, load_import, uncertain: str) -> None:
        import tinycss2

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
                nodes = tinycss2.parse_stylesheet(imported, skip_whitespace=True, skip_comments=True)
                self._add(nodes, conditions, namespaces, load_import, uncertain)
        elif keyword == "property":
            self.registered.add(prelude)
        elif node.content is None or keyword in _NOT_RULES:
            return
        else:
            contents = tinycss2.parse_blocks_contents(node.content, skip_whitespace=True, skip_comments=True)
            if keyword in _CONDITIONS:
                condition = f"@{keyword} {prelude}"
                self.conditions.add(condition)
                self._add(contents, (*conditions, condition), namespaces, load_import, uncertain)
            else:  # @layer, @scope, @starting-style, anything newer: their precedence is not modelled
                self._add(contents, conditions, namespaces, load_import, uncertain or f"a rule inside @{keyword}")


def _nested(parent: str, child: str) -> str:
    """A nested rule's selector written out in full (CSS Nesting: '&' is the parent rule's selector)."""
    pieces = []
    for part in child.split(","):
        part = part.strip()
        pieces.append(part.replace("&", f":is({parent})") if "&" in part else f":is({parent}) {part}")
    return ", ".join(pieces)


@functools.lru_cache(maxsize=64)
def cached_stylesheet(css: str, origin: str) -> Stylesheet:
    """A stylesheet parsed once per process for each text: every article's products share the layouts'
    stylesheets (read only: a Cascade never changes the sheets it is given)."""
    return Stylesheet.parse(css, origin)


@functools.lru_cache(maxsize=4096)
def _inline_declarations(style: str, origin: str) -> tuple[Declaration, ...]:
    """A style attribute's declarations, parsed once per text: the inliner writes the same few
    attributes on hundreds of elements of every email (Declarations are frozen)."""
    return tuple(parse_declarations(style, origin))


class Matches:
    """Which rules of a document's stylesheets match each element, whatever the scenario: matched once
    per element and shared by the cascades of every scenario (a newsletter has five), which keep the
    matches whose @media conditions hold. Selector matching was most of the proofs' cascade time."""

    def __init__(self, stylesheets: list[Stylesheet]):
        import cssselect2

        self.matcher = cssselect2.Matcher()
        sheets = [(USER_AGENT, cached_stylesheet(USER_AGENT_CSS, "the browser's defaults"))]
        sheets += [(AUTHOR, sheet) for sheet in stylesheets]
        for level, sheet in sheets:
            for selector, rule in sheet.rules:
                self.matcher.add_selector(selector, (level, rule))
        self._matched: dict[object, list] = {}

    def match(self, element) -> list:
        """(specificity, order, pseudo-element, (origin level, rule)) of every matching rule, in the
        order the rules were added (the order of one scenario's rules among themselves is the same)."""
        key = element.etree_element
        if key not in self._matched:
            self._matched[key] = self.matcher.match(element)
        return self._matched[key]


class Cascade:
    """The styles of one document's elements under one scenario (a set of @media conditions that hold)."""

    def __init__(
        self,
        stylesheets: list[Stylesheet],
        active: frozenset[str],
        inline_origin: str,
        hints=None,
        matches: Matches | None = None,
    ):
        self.matches = matches or Matches(stylesheets)
        self.unknown = [rule for sheet in stylesheets for rule in sheet.unknown if set(rule.conditions) <= active]
        self.registered = set().union(*(sheet.registered for sheet in stylesheets))
        self.active = active
        self.inline_origin = inline_origin
        self.hints: Callable[[Any], list[Declaration]] = hints or (lambda element: [])
        # Keyed by the lxml element itself, held here: an id() alone could be reused by another
        # element once lxml frees a proxy object.
        self._sorted: dict[object, list[Declaration]] = {}
        self._set_aside: dict[object, list[tuple[str, _Rule]]] = {}
        self._custom: dict[object, dict[str, tuple]] = {}
        self._declared: dict[object, dict[str, Declaration]] = {}

    def _match(self, element) -> None:
        key = element.etree_element
        candidates: list[tuple[tuple, Declaration]] = []
        aside: list[tuple[str, _Rule]] = []
        for specificity, order, pseudo, (level, rule) in self.matches.match(element):
            if not self.active.issuperset(rule.conditions):
                continue  # a rule of another scenario
            if pseudo is not None or rule.uncertain:
                if pseudo not in HARMLESS_PSEUDO_ELEMENTS:
                    aside.append((pseudo or "", rule))
                continue
            for declaration in rule.declarations:
                candidates.append(((declaration.important, level, specificity, order), declaration))
        for declaration in self.hints(element):
            candidates.append(((False, HINT, (0, 0, 0), 0), declaration))
        style = element.etree_element.get("style")
        if style:
            for position, declaration in enumerate(_inline_declarations(style, self.inline_origin)):
                candidates.append(((declaration.important, INLINE, (1, 0, 0, 0), position), declaration))
        self._sorted[key] = [declaration for _, declaration in sorted(candidates, key=lambda item: item[0])]
        self._set_aside[key] = aside

    def may_set(self, element, names: frozenset[str]) -> bool:
        """Whether a declaration matching ``element`` (rule, attribute hint or style attribute) could set
        one of ``names``: its own name or, for a shorthand, any longhand it can expand to. False means
        ``declared(element)`` holds none of them, without substituting var()s and expanding."""
        if element.etree_element not in self._sorted:
            self._match(element)
        return any(
            declaration.name in names or not names.isdisjoint(SHORTHANDS.get(declaration.name, ()))
            for declaration in self._sorted[element.etree_element]
        )

    def set_aside(self, element) -> list[tuple[str, _Rule]]:
        """The rules matching ``element`` that the cascade cannot order: (pseudo-element or '', rule)."""
        if element.etree_element not in self._set_aside:
            self._match(element)
        return self._set_aside[element.etree_element]

    def custom(self, element) -> dict[str, tuple]:
        """The custom properties ``element`` inherits or sets, their var()s substituted; a property
        whose value cannot be resolved (a cycle, an unset var() without fallback) is not set."""
        key = element.etree_element
        if key in self._custom:
            return self._custom[key]
        if key not in self._sorted:
            self._match(element)
        inherited = self.custom(element.parent) if element.parent is not None else {}
        own = {d.name: d for d in self._sorted[key] if d.name.startswith("--")}
        result = inherited
        if own:
            result = dict(inherited)
            resolved: dict[str, tuple | None] = {}

            def resolve(name: str) -> tuple | None:
                if name not in own:
                    return inherited.get(name)
                if name not in resolved:
                    resolved[name] = None  # while resolving: a reference back to it is a cycle
                    try:
                        resolved[name] = substitute(own[name].tokens, resolve)
                    except Uncertain:
                        pass
                return resolved[name]

            for name in own:
                value = resolve(name)
                if value is None:
                    result.pop(name, None)
                else:
                    result[name] = value
        self._custom[key] = result
        return result

    def declared(self, element) -> dict[str, Declaration]:
        """The winning declaration of each property set on ``element`` (var() substituted, shorthands
        expanded)."""
        import tinycss2

        key = element.etree_element
        if key in self._declared:
            return self._declared[key]
        if key not in self._sorted:
            self._match(element)
        custom = self.custom(element)

        def lookup(name: str) -> tuple | None:
            if name in self.registered:
                raise Uncertain(f"{name} is given a type and an initial value by @property")
            return custom.get(name)

        winners: dict[str, Declaration] = {}
        for declaration in self._sorted[key]:
            if declaration.name.startswith("--"):
                continue
            if has_var(declaration.tokens):
                try:
                    tokens = substitute(declaration.tokens, lookup)
                    value = " ".join(tinycss2.serialize(tokens).split()).lower()
                    declaration = _replace(declaration, declaration.name, value, tokens)
                except Uncertain as why:
                    declaration = Declaration(
                        declaration.name,
                        declaration.value,
                        declaration.tokens,
                        declaration.important,
                        declaration.origin,
                        str(why),
                    )
            for name, expanded in longhands(declaration):
                winners[name] = expanded
        self._declared[key] = winners
        return winners
