"""Whether a reader sees a block of an HTML or XHTML document, decided from the built file and its CSS.

A block is hidden when it or anything around it is not displayed (``display:none``, the
``hidden`` attribute, ``aria-hidden``, Outlook's ``mso-hide``), nearly transparent, clipped
to nothing, moved off the screen or scaled away; and its text is unreadable when it is
invisible, under 9 px, or under 4.5:1 contrast (WCAG AA) against what is painted beneath it.
Each ``@media`` condition in the stylesheets is tried on its own and all together, so a
rule that only applies on phones or in dark mode is caught too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .cascade import (
    BLACK,
    WHITE,
    Cascade,
    Colour,
    Declaration,
    Stylesheet,
    contrast,
    font_size_px,
    length_px,
    parse_colour,
)

MIN_CONTRAST = 4.5
MIN_FONT_PX = 9.0
# Further than this from its place, a box is off any screen (the "left:-9999px" trick).
OFF_SCREEN_PX = 1000.0
MIN_OPACITY = 0.1


@dataclass(frozen=True)
class Problem:
    """Why a reader would not see a block: the declaration at fault and where to change it."""

    what: str
    origin: str = ""
    scenario: str = ""
    effect: str = ""  # what the declaration does, when its name does not say it

    def __str__(self) -> str:
        text = self.what + (f" from {self.origin}" if self.origin else "") + (f": {self.effect}" if self.effect else "")
        return text + (f" (under {self.scenario})" if self.scenario else "")


@dataclass
class _Computed:
    font_size: float
    colour: Colour
    colour_from: Declaration | None
    fill: Colour | None  # -webkit-text-fill-color paints glyphs instead of color
    visibility: str
    visibility_from: Declaration | None
    size_from: Declaration | None
    text_indent: str
    text_indent_from: Declaration | None
    opacity: float  # the product of this element's and its ancestors' opacity
    ground: Colour  # what is painted beneath this element's text
    ground_from: Declaration | None


class Visibility:
    """The styles of one built document, under every scenario its stylesheets describe."""

    def __init__(
        self,
        root,
        stylesheets: list[Stylesheet],
        *,
        html: bool,
        inline_origin: str,
        sources: tuple[Stylesheet, ...] | list[Stylesheet] = (),
        hints=None,
    ):
        import cssselect2

        self.root = root
        self.wrapper = (cssselect2.ElementWrapper.from_html_root if html else cssselect2.ElementWrapper.from_xml_root)(
            root
        )
        self.stylesheets = stylesheets
        self.sources = list(sources)
        conditions = sorted(set().union(*(sheet.conditions for sheet in stylesheets)) if stylesheets else set())
        self.scenarios: list[frozenset[str]] = [frozenset(), *(frozenset({c}) for c in conditions)]
        if len(conditions) > 1:
            self.scenarios.append(frozenset(conditions))
        self.cascades = [Cascade(stylesheets, scenario, inline_origin, hints) for scenario in self.scenarios]

    def find(self, element_id: str):
        for element in self.wrapper.iter_subtree():
            if element.id == element_id:
                return element
        return None

    def problem(self, element) -> Problem | None:
        """Why ``element`` (a cssselect2 wrapper) would not be seen, in the first scenario where it would not."""
        for scenario, cascade in zip(self.scenarios, self.cascades, strict=True):
            problem = _Examination(cascade, element, self.sources).problem()
            if problem is not None:
                label = " and ".join(sorted(scenario))
                return Problem(problem.what, problem.origin, label, problem.effect)
        return None


class _Examination:
    def __init__(self, cascade: Cascade, block, sources: list[Stylesheet]):
        self.cascade = cascade
        self.block = block
        self.block_id = block.id
        self.sources = sources
        self.computed: dict[object, _Computed] = {}  # by lxml element (see Cascade.declared)

    def problem(self) -> Problem | None:
        chain = [*reversed(list(self.block.ancestors)), self.block]
        parent = None
        for element in chain:
            parent = self._compute(element, parent)
            found = self._hides(element)
            if found:
                return found
        for element in self.block.iter_subtree():
            if element is not self.block:
                self._compute(element, self.computed[element.parent.etree_element])
                found = self._hides(element)
                if found:
                    return found
            if _has_text(element.etree_element):
                found = self._unreadable(element)
                if found:
                    return found
        return None

    # --- computed values -------------------------------------------------------------------------

    def _compute(self, element, parent: _Computed | None) -> _Computed:
        declared = self.cascade.declared(element)
        if parent is None:
            parent = _Computed(16.0, BLACK, None, None, "visible", None, None, "0", None, 1.0, WHITE, None)
        size = parent.font_size
        size_from = parent.size_from
        if "font-size" in declared:
            size = font_size_px(declared["font-size"].value, parent.font_size)
            size_from = declared["font-size"]
        colour, colour_from = parent.colour, parent.colour_from
        if "color" in declared:
            parsed = parse_colour(declared["color"].value)
            if isinstance(parsed, Colour):
                colour, colour_from = parsed, declared["color"]
        fill = parent.fill
        if "-webkit-text-fill-color" in declared:
            parsed = parse_colour(declared["-webkit-text-fill-color"].value)
            fill = parsed if isinstance(parsed, Colour) else (colour if parsed == "currentcolor" else fill)
        visibility, visibility_from = parent.visibility, parent.visibility_from
        if "visibility" in declared and declared["visibility"].value in ("visible", "hidden", "collapse"):
            visibility, visibility_from = declared["visibility"].value, declared["visibility"]
        opacity = parent.opacity * _opacity(declared)
        ground, ground_from = parent.ground, parent.ground_from
        background = declared.get("background-color")
        if background is not None:
            parsed = parse_colour(background.value)
            if parsed == "currentcolor":
                parsed = colour
            if isinstance(parsed, Colour) and parsed.alpha > 0:
                ground, ground_from = parsed.faded(opacity).over(ground), background
        indent, indent_from = parent.text_indent, parent.text_indent_from
        if "text-indent" in declared:
            indent, indent_from = declared["text-indent"].value, declared["text-indent"]
        computed = _Computed(
            size,
            colour,
            colour_from,
            fill,
            visibility,
            visibility_from,
            size_from,
            indent,
            indent_from,
            opacity,
            ground,
            ground_from,
        )
        self.computed[element.etree_element] = computed
        return computed

    # --- what hides an element and everything in it ------------------------------------------------

    def _hides(self, element) -> Problem | None:
        declared = self.cascade.declared(element)
        etree_element = element.etree_element
        where = self._describe(element)
        if etree_element.get("hidden") is not None:
            return Problem(f"the hidden attribute on {where}", "the template")
        if (etree_element.get("aria-hidden") or "").strip().lower() == "true":
            return Problem(f'aria-hidden="true" on {where}', "the template")

        def fault(name: str, what: str, effect: str = "") -> Problem:
            return Problem(
                what.format(value=declared[name].value, where=where),
                self._origin(element, declared[name]),
                effect=effect,
            )

        for name, hidden in (("display", {"none"}), ("content-visibility", {"hidden"}), ("mso-hide", {"all"})):
            if name in declared and declared[name].value in hidden:
                return fault(name, name + ":{value} on {where}")
        if "opacity" in declared and _opacity(declared) < MIN_OPACITY:
            return fault("opacity", "opacity:{value} on {where}")
        computed = self.computed[etree_element]
        if computed.opacity < MIN_OPACITY:
            return Problem(f"opacity {computed.opacity:.2f} on {where}, from the opacity of the boxes around it")
        overflow = {declared[n].value for n in ("overflow-x", "overflow-y", "overflow") if n in declared}
        if overflow & {"hidden", "clip", "scroll", "auto"}:
            for name in ("height", "max-height"):
                if name in declared and declared[name].value not in (
                    "auto",
                    "none",
                    "fit-content",
                    "max-content",
                    "min-content",
                    "initial",
                    "unset",
                ):
                    return fault(name, name + ":{value} with overflow hidden on {where}", "it can cut the text off")
            for name in ("width", "max-width"):
                if name in declared:
                    width = length_px(declared[name].value, computed.font_size)
                    if width is not None and width <= 1:
                        return fault(name, name + ":{value} with overflow hidden on {where}")
        position = declared["position"].value if "position" in declared else "static"
        for name in ("left", "right", "top", "bottom") if position != "static" else ():
            if name in declared:
                offset = length_px(declared[name].value, computed.font_size)
                if offset is not None and abs(offset) >= OFF_SCREEN_PX:
                    return fault(name, name + ":{value} on {where}", "it moves the text off the screen")
        for name in ("margin-left", "margin-top", "margin-right"):
            if name in declared:
                offset = length_px(declared[name].value, computed.font_size)
                if offset is not None and offset <= -OFF_SCREEN_PX:
                    return fault(name, name + ":{value} on {where}", "it moves the text off the screen")
        if (
            "clip" in declared
            and declared["clip"].value not in ("auto", "initial", "unset")
            and position in ("absolute", "fixed")
        ):
            return fault("clip", "clip:{value} on {where}")
        if "clip-path" in declared and declared["clip-path"].value not in ("none", "initial", "unset"):
            return fault("clip-path", "clip-path:{value} on {where}", "it can cut the text away")
        if "transform" in declared and _transform_hides(declared["transform"].value, computed.font_size):
            return fault("transform", "transform:{value} on {where}")
        if "filter" in declared and re.search(
            r"opacity\(\s*0*(\.0*)?\s*%?\s*\)|brightness\(\s*0", declared["filter"].value
        ):
            return fault("filter", "filter:{value} on {where}")
        return None

    # --- what makes text unreadable --------------------------------------------------------------

    def _unreadable(self, element) -> Problem | None:
        computed = self.computed[element.etree_element]
        where = self._describe(element)
        if computed.visibility != "visible":
            return Problem(
                f"visibility:{computed.visibility} on {self._declarer(element, 'visibility')}",
                self._origin(element, computed.visibility_from),
            )
        if computed.font_size < MIN_FONT_PX:
            return Problem(
                f"font-size {computed.font_size:.1f}px on {where} (at least {MIN_FONT_PX:g}px)",
                self._origin(element, computed.size_from),
            )
        indent = length_px(computed.text_indent, computed.font_size)
        if indent is not None and abs(indent) >= OFF_SCREEN_PX:
            return Problem(
                f"text-indent:{computed.text_indent} on {self._declarer(element, 'text-indent')}",
                self._origin(element, computed.text_indent_from),
                effect="it moves the text off the screen",
            )
        ink = computed.fill or computed.colour
        seen = ink.faded(computed.opacity).over(computed.ground)
        ratio = contrast(seen, computed.ground)
        if ratio < MIN_CONTRAST:
            origins = [self._origin(element, d) for d in (computed.colour_from, computed.ground_from) if d]
            return Problem(
                f"text {seen.hex()} on {computed.ground.hex()} in {where}",
                " and ".join(dict.fromkeys(o for o in origins if o)),
                effect=f"contrast {ratio:.1f}:1, under {MIN_CONTRAST}:1",
            )
        return None

    # --- words for the message -------------------------------------------------------------------

    def _describe(self, element) -> str:
        if element.id:
            return f"#{element.id}"
        name = element.local_name + "".join(f".{c}" for c in sorted(element.classes)[:1])
        if element is self.block or any(a is self.block for a in element.ancestors):
            return f"{name} inside #{self.block_id}"
        return f"{name} around #{self.block_id}"

    def _declarer(self, element, name: str) -> str:
        for candidate in (element, *element.ancestors):
            if name in self.cascade.declared(candidate):
                return self._describe(candidate)
        return self._describe(element)

    def _origin(self, element, declaration: Declaration | None) -> str:
        """Where to change ``declaration``: the source stylesheet whose rule it came from, when the
        built file only shows it as inlined."""
        if declaration is None:
            return ""
        if declaration.origin not in {sheet.origin for sheet in self.sources}:
            for candidate in (element, *element.ancestors):
                for sheet in self.sources:
                    for selector, rule in sheet.rules:
                        if selector.test(candidate) and any(
                            d.name == declaration.name and d.value == declaration.value for d in rule.declarations
                        ):
                            return sheet.origin
        return declaration.origin


def _has_text(element) -> bool:
    return bool((element.text or "").strip()) or any((child.tail or "").strip() for child in element)


def _opacity(declared: dict[str, Declaration]) -> float:
    if "opacity" not in declared:
        return 1.0
    value = declared["opacity"].value
    try:
        number = float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError:
        return 1.0
    return max(0.0, min(1.0, number))


def _transform_hides(value: str, font_size: float) -> bool:
    for function, arguments in re.findall(r"([a-z0-9]+)\(([^)]*)\)", value):
        numbers = [a.strip() for a in re.split(r"[,\s]+", arguments.strip()) if a.strip()]
        values = [_number(n) for n in numbers]
        if function.startswith("scale") and any(v is not None and abs(v) < 0.1 for v in values):
            return True
        if function == "matrix" and len(values) == 6:
            a, b, c, d, e, f = (v if v is not None else 1.0 for v in values)
            if abs(a * d - b * c) < 0.01 or abs(e) >= OFF_SCREEN_PX or abs(f) >= OFF_SCREEN_PX:
                return True
        if function.startswith("translate"):
            for n in numbers:
                offset = length_px(n, font_size)
                if offset is not None and abs(offset) >= OFF_SCREEN_PX:
                    return True
    return False


def _number(text: str) -> float | None:
    try:
        return float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        return None


def text_pieces(root, owners: dict[str, str]) -> list[tuple[str, str]]:
    """The document's text in reading order, each piece tagged with the owner of the element it is in
    (``owners`` maps element ids to names, e.g. a required block's id to its key), '' elsewhere."""
    pieces: list[tuple[str, str]] = []
    stack = [(root, "")]
    while stack:
        item, owner = stack.pop()
        if isinstance(item, str):
            pieces.append((owner, item))
            continue
        if not isinstance(item.tag, str) or item.tag.rsplit("}", 1)[-1] in ("head", "script", "style"):
            continue
        owner = owners.get(item.get("id") or "", owner)
        if item.text:
            pieces.append((owner, item.text))
        later = []
        for child in item:
            later.append((child, owner))
            if child.tail:
                later.append((child.tail, owner))
        stack.extend(reversed(later))
    return pieces
