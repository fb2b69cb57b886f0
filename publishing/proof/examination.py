"""One required block of one document, examined under one scenario: what hides it, what the proof
cannot evaluate (and so refuses), and whether each piece of its text is readable."""

from __future__ import annotations

from dataclasses import replace

from .cascade import Cascade, Colour, Declaration, Stylesheet, contrast, font_size_px, parse_colour
from .computed import ROOT, Computed, declared_opacity, line_height
from .judgement import CANNOT, KNOWN_ELEMENTS, MAX_NUDGE_PX, WIDE, advice, plain_values, verdict
from .problem import MIN_CONTRAST, MIN_FONT_PX, MIN_LINE_HEIGHT, MIN_OPACITY, Problem
from .values import Uncertain, _term

DISPLAY_KEYWORDS = set(
    """none block inline inline-block flex inline-flex grid inline-grid table inline-table table-row
    table-cell table-row-group table-header-group table-footer-group table-column table-column-group
    table-caption list-item contents flow flow-root run-in ruby ruby-text ruby-base -webkit-box
    -webkit-inline-box""".split()
)
_AUTO_SIZES = {"auto", "none", "fit-content", "max-content", "min-content", "initial", "unset", "inherit"}


class Examination:
    def __init__(self, cascade: Cascade, block, sources: list[Stylesheet], width: float):
        self.cascade = cascade
        self.block = block
        self.block_id = block.id
        self.sources = sources
        self.width = width  # the narrowest screen the product is read on, in px
        self.computed: dict[object, Computed] = {}  # by lxml element (see Cascade.declared)

    def problem(self) -> Problem | None:
        chain = [*reversed(list(self.block.ancestors)), self.block]
        parent = None
        for element in chain:
            parent = self._compute(element, parent)
            found = self._hides(element) or self._doubt(element)
            if found:
                return found
        for element in self.block.iter_subtree():
            if element is not self.block:
                self._compute(element, self.computed[element.parent.etree_element])
                found = self._hides(element) or self._doubt(element) or self._fixed_height(element)
                if found:
                    return found
            if _has_text(element.etree_element):
                found = self._unreadable(element)
                if found:
                    return found
        return None

    # --- computed values -------------------------------------------------------------------------

    def _compute(self, element, parent: Computed | None) -> Computed:
        declared = self.cascade.declared(element)
        parent = parent or ROOT
        computed = replace(parent)
        if "font-size" in declared and not declared["font-size"].uncertain:
            try:
                computed.font_size = font_size_px(
                    declared["font-size"].value, parent.font_size, tokens=declared["font-size"].tokens
                )
                computed.size_from = declared["font-size"]
            except Uncertain:
                pass  # refused by _doubt
        if "line-height" in declared:
            computed.line_height = line_height(declared["line-height"], computed.font_size, parent.line_height)
        for name in ("color", "-webkit-text-fill-color"):
            if name in declared:
                parsed = parse_colour(declared[name].value)
                if parsed == "currentcolor":
                    parsed = computed.colour
                if isinstance(parsed, Colour):
                    if name == "color":
                        computed.colour, computed.colour_from = parsed, declared[name]
                    else:
                        computed.fill = parsed
        if "visibility" in declared and declared["visibility"].value in ("visible", "hidden", "collapse"):
            computed.visibility, computed.visibility_from = declared["visibility"].value, declared["visibility"]
        own = declared_opacity(declared)
        computed.opacity = parent.opacity * (own if own is not None else 1.0)
        background = declared.get("background-color")
        if background is not None:
            parsed = parse_colour(background.value)
            if parsed == "currentcolor":
                parsed = computed.colour
            if isinstance(parsed, Colour) and parsed.alpha > 0:
                computed.ground, computed.ground_from = parsed.faded(computed.opacity).over(parent.ground), background
        if "text-indent" in declared:
            computed.text_indent, computed.text_indent_from = declared["text-indent"].value, declared["text-indent"]
        self.computed[element.etree_element] = computed
        return computed

    # --- what hides an element and everything in it ------------------------------------------------

    def _hides(self, element) -> Problem | None:
        declared = self.cascade.declared(element)
        etree_element = element.etree_element
        where = self.describe(element)
        for attribute, why in (
            ("hidden", "the hidden attribute"),
            ("inert", "the inert attribute (readers could not use its links)"),
            ("popover", "the popover attribute (a browser shows it only when a script opens it)"),
        ):
            if etree_element.get(attribute) is not None:
                return Problem(f"{why} on {where}", "the template")
        if (etree_element.get("aria-hidden") or "").strip().lower() == "true":
            return Problem(f'aria-hidden="true" on {where}', "the template")
        if element.local_name == "dialog" and etree_element.get("open") is None:
            return Problem(f"a <dialog> without 'open' around #{self.block_id}", "the template", effect="never shown")
        if element.local_name == "template":
            return Problem(f"a <template> around #{self.block_id}", "the template", effect="browsers never show it")

        def fault(name: str, what: str, effect: str = "") -> Problem:
            return Problem(
                what.format(value=declared[name].value, where=where),
                self.origin(element, declared[name]),
                effect=effect,
            )

        for name, hidden in (("display", {"none"}), ("content-visibility", {"hidden"}), ("mso-hide", {"all"})):
            if name in declared and declared[name].value in hidden:
                return fault(name, name + ":{value} on {where}")
        opacity = declared_opacity(declared)
        if opacity is not None and opacity < MIN_OPACITY:
            return fault("opacity", "opacity:{value} on {where}")
        computed = self.computed[etree_element]
        if computed.opacity < MIN_OPACITY:
            return Problem(f"opacity {computed.opacity:.2f} on {where}, from the opacity of the boxes around it")
        overflow = {declared[n].value for n in ("overflow-x", "overflow-y", "overflow") if n in declared}
        if overflow & {"hidden", "clip", "scroll", "auto"}:
            for name in ("height", "max-height"):
                if name in declared and declared[name].value not in _AUTO_SIZES:
                    return fault(name, name + ":{value} with overflow hidden on {where}", "it can cut the text off")
            for name in ("width", "max-width"):
                if name in declared:
                    width = self._length(declared[name], computed)
                    if width is not None and width <= 1:
                        return fault(name, name + ":{value} with overflow hidden on {where}")
        moved = self._moved(element, declared, computed)
        if moved:
            return moved
        if "clip" in declared and declared["clip"].value not in ("auto", *WIDE):
            return fault("clip", "clip:{value} on {where}")
        if "clip-path" in declared and declared["clip-path"].value not in ("none", *WIDE):
            return fault("clip-path", "clip-path:{value} on {where}", "it can cut the text away")
        return None

    def _moved(self, element, declared: dict[str, Declaration], computed: Computed) -> Problem | None:
        """An offset, a negative margin or an indent that takes the text out of its place."""
        position = declared["position"].value if "position" in declared else "static"
        names = ["left", "right", "top", "bottom"] if position != "static" else []
        names += [name for name in declared if name.startswith("margin-")]
        for name in names:
            if name not in declared or declared[name].uncertain:
                continue
            offset = self._length(declared[name], computed)
            if offset is None:
                continue
            off = abs(offset) if not name.startswith("margin") else -offset
            if off > MAX_NUDGE_PX:
                effect = (
                    "it moves the text off the screen"
                    if off >= self.width
                    else f"it moves the text out of its place (more than {MAX_NUDGE_PX:g} px)"
                )
                return Problem(
                    f"{name}:{declared[name].value} on {self.describe(element)}",
                    self.origin(element, declared[name]),
                    effect=effect,
                )
        return None

    def _fixed_height(self, element) -> Problem | None:
        """Inside a block, a box of fixed height lets text that does not fit spill over what follows."""
        declared = self.cascade.declared(element)
        for name in ("height", "max-height"):
            if name in declared and declared[name].value not in _AUTO_SIZES and _has_text(element.etree_element):
                return self._refusal(element, declared[name], "text that does not fit spills over what follows")
        return None

    # --- what the proof cannot evaluate ------------------------------------------------------------

    def _doubt(self, element) -> Problem | None:
        where = self.describe(element)
        if element.local_name not in KNOWN_ELEMENTS:
            return Problem(
                f"the element {where}",
                "the template",
                effect=f"{CANNOT}: browsers and reading apps do not all render it; use a <div>, <p> or <span>",
                uncertain=True,
            )
        for pseudo, rule in self.cascade.set_aside(element):
            if not rule.declarations:
                continue
            what = f"a ::{pseudo} rule" if pseudo else rule.uncertain
            how = (
                "style the element itself, without ::before or ::after"
                if pseudo
                else "write it as a plain rule at the top level of the stylesheet"
            )
            return Problem(
                f"{what} ('{rule.selector}') on {where}",
                rule.declarations[0].origin,
                effect=f"{CANNOT}; {how}",
                uncertain=True,
            )
        computed = self.computed[element.etree_element]
        for name, declaration in self.cascade.declared(element).items():
            if declaration.uncertain:
                return self._refusal(element, declaration, f"{declaration.uncertain}; {advice(name)}")
            why = verdict(name, declaration.value) or self._unevaluable(name, declaration, computed)
            if why:
                return self._refusal(element, declaration, why, full=True)
        return None

    def _unevaluable(self, name: str, declaration: Declaration, computed: Computed) -> str:
        """Why a judged property's value cannot be evaluated, or ''."""
        value = declaration.value
        if value in WIDE:
            return ""
        if name == "display" and not set(value.split()) <= DISPLAY_KEYWORDS:
            return f"{CANNOT}: it does not know display:{value}; use block, inline, table... or none"
        if name in ("color", "-webkit-text-fill-color", "background-color"):
            if not (isinstance(parse_colour(value), Colour) or value == "currentcolor"):
                return (
                    f"{CANNOT}: it cannot compute this colour; use a plain colour (#1b1f23, rgb()), and give "
                    "dark mode its own in @media (prefers-color-scheme: dark)"
                )
        if name == "opacity" and declared_opacity({name: declaration}) is None:
            return f"{CANNOT}; {plain_values()}"
        if name == "font-size":
            try:
                font_size_px(value, computed.font_size, tokens=declaration.tokens)
            except Uncertain as why:
                return f"{CANNOT}: {why}; {plain_values()}"
        if name == "position" and value not in ("static", "relative"):
            return f"{CANNOT}: a box out of the flow can land under or over other boxes; leave it in the flow"
        if name == "letter-spacing" and value != "normal":
            spacing = self._length(declaration, computed)
            if spacing is None:
                return f"{CANNOT}; {plain_values()}"
            if spacing < -0.1 * computed.font_size:
                return "the letters overlap; keep the letter spacing above -0.1em"
        if name in ("line-height", "text-indent") or name.startswith(("margin-", "top", "left", "right", "bottom")):
            if value not in ("normal", "auto") and self._length(declaration, computed, numbers=True) is None:
                return f"{CANNOT}; {plain_values()}"
        return ""

    def _refusal(self, element, declaration: Declaration, why: str, *, full: bool = False) -> Problem:
        return Problem(
            f"{declaration.name}:{declaration.value} on {self.describe(element)}",
            self.origin(element, declaration),
            effect=why if full or why.startswith(CANNOT) else f"{CANNOT}: {why}",
            uncertain=True,
        )

    def _length(self, declaration: Declaration, computed: Computed, *, numbers: bool = False) -> float | None:
        parts = [t for t in declaration.tokens if t.type not in ("whitespace", "comment")]
        if len(parts) != 1:
            return None
        try:
            kind, value = _term(parts[0], computed.font_size, 16.0, self.width)
        except Uncertain:
            return None
        return value if kind == "length" or numbers or value == 0 else None

    # --- what makes text unreadable --------------------------------------------------------------

    def _unreadable(self, element) -> Problem | None:
        computed = self.computed[element.etree_element]
        where = self.describe(element)
        if computed.visibility != "visible":
            return Problem(
                f"visibility:{computed.visibility} on {self._declarer(element, 'visibility')}",
                self.origin(element, computed.visibility_from),
            )
        if computed.font_size < MIN_FONT_PX:
            return Problem(
                f"font-size {computed.font_size:.1f}px on {where} (at least {MIN_FONT_PX:g}px)",
                self.origin(element, computed.size_from),
            )
        indent = self._length(computed.text_indent_from, computed) if computed.text_indent_from else None
        if indent is not None and (indent < -MAX_NUDGE_PX or indent > self.width / 2):
            return Problem(
                f"text-indent:{computed.text_indent} on {self._declarer(element, 'text-indent')}",
                self.origin(element, computed.text_indent_from),
                effect="it moves the text off the screen",
            )
        if computed.line_px < MIN_LINE_HEIGHT * computed.font_size:
            return Problem(
                f"line-height {computed.line_px:.1f}px for {computed.font_size:.1f}px text in {where}",
                self.origin(element, self._declaration(element, "line-height")),
                effect="its lines overlap each other",
            )
        ink = computed.fill or computed.colour
        seen = ink.faded(computed.opacity).over(computed.ground)
        ratio = contrast(seen, computed.ground)
        if ratio < MIN_CONTRAST:
            origins = [self.origin(element, d) for d in (computed.colour_from, computed.ground_from) if d]
            return Problem(
                f"text {seen.hex()} on {computed.ground.hex()} in {where}",
                " and ".join(dict.fromkeys(o for o in origins if o)),
                effect=f"contrast {ratio:.1f}:1, under {MIN_CONTRAST}:1",
            )
        return None

    # --- words for the message -------------------------------------------------------------------

    def describe(self, element) -> str:
        if element.id:
            return f"#{element.id}"
        name = element.local_name + "".join(f".{c}" for c in sorted(element.classes)[:1])
        if element is self.block or any(a is self.block for a in element.ancestors):
            return f"{name} inside #{self.block_id}"
        return f"{name} around #{self.block_id}"

    def _declaration(self, element, name: str) -> Declaration | None:
        for candidate in (element, *element.ancestors):
            declared = self.cascade.declared(candidate)
            if name in declared:
                return declared[name]
        return None

    def _declarer(self, element, name: str) -> str:
        for candidate in (element, *element.ancestors):
            if name in self.cascade.declared(candidate):
                return self.describe(candidate)
        return self.describe(element)

    def origin(self, element, declaration: Declaration | None) -> str:
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
