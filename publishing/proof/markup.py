"""Whether a reader sees a block of an HTML or XHTML document, decided from the built file and its CSS.

A block is hidden when it or anything around it is not displayed (``display:none``, the
``hidden`` attribute, ``aria-hidden``, Outlook's ``mso-hide``), nearly transparent, clipped
to nothing, moved off the screen or out of its place; and its text is unreadable when it is
invisible, under 9 px, its lines overlap, or under 4.5:1 contrast (WCAG AA) against what is
painted beneath it. Each ``@media`` condition in the stylesheets is tried on its own and all
together, so a rule that only applies on phones or in dark mode is caught too.

The proof fails closed: on the block, its ancestors and descendants, a declaration, selector or
element it cannot evaluate with certainty is a failed proof (examination.py says which), and
anywhere in the document a box that could be laid over the block (positioned, transformed,
pulled up by a negative margin, placed in a grid cell) is refused too.
"""

from __future__ import annotations

from .cascade import Cascade, Matches, Stylesheet
from .examination import Examination
from .judgement import CANNOT, MAX_NUDGE_PX, advice, verdict
from .problem import MIN_CONTRAST, MIN_FONT_PX, MIN_OPACITY, Problem

__all__ = ["MIN_CONTRAST", "MIN_FONT_PX", "MIN_OPACITY", "Problem", "Visibility", "text_pieces"]

# Properties that can lay one box over another, wherever in the document that box is.
_OVERLAYS = (
    "position",
    "transform",
    "translate",
    "scale",
    "rotate",
    "grid-area",
    "grid-row",
    "grid-column",
    "grid-row-start",
    "grid-row-end",
    "grid-column-start",
    "grid-column-end",
    "offset-path",
)


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
        width: float = 600.0,
    ):
        import cssselect2

        self.root = root
        self.wrapper = (cssselect2.ElementWrapper.from_html_root if html else cssselect2.ElementWrapper.from_xml_root)(
            root
        )
        self.stylesheets = stylesheets
        self.sources = list(sources)
        self.width = width
        conditions = sorted(set().union(*(sheet.conditions for sheet in stylesheets)) if stylesheets else set())
        self.scenarios: list[frozenset[str]] = [frozenset(), *(frozenset({c}) for c in conditions)]
        if len(conditions) > 1:
            self.scenarios.append(frozenset(conditions))
        matches = Matches(stylesheets)
        self.cascades = [Cascade(stylesheets, scenario, inline_origin, hints, matches) for scenario in self.scenarios]
        self._elements: list | None = None
        self._document_problems: dict[int, Problem | None] = {}

    def elements(self) -> list:
        """Every element of the document, in tree order: one wrapper each, shared by every scenario's
        cascade (cssselect2 makes new wrappers on each walk)."""
        if self._elements is None:
            self._elements = list(self.wrapper.iter_subtree())
        return self._elements

    def find(self, element_id: str):
        for element in self.elements():
            if element.id == element_id:
                return element
        return None

    def problem(self, element) -> Problem | None:
        """Why ``element`` (a cssselect2 wrapper) would not be seen, in the first scenario where it would not."""
        for index, (scenario, cascade) in enumerate(zip(self.scenarios, self.cascades, strict=True)):
            examination = Examination(cascade, element, self.sources, self.width)
            problem = examination.problem()
            if problem is None:
                if index not in self._document_problems:
                    self._document_problems[index] = self._document_problem(cascade, examination)
                problem = self._document_problem_for(index, element)
            if problem is not None:
                return problem.under(" and ".join(sorted(scenario)))
        return None

    def _document_problem_for(self, index: int, element) -> Problem | None:
        problem = self._document_problems[index]
        if problem is None:
            return None
        return Problem(problem.what, problem.origin, "", problem.effect.replace("{block}", f"#{element.id}"), True)

    def _document_problem(self, cascade: Cascade, examination: Examination) -> Problem | None:
        """What anywhere in the document makes every block's proof uncertain: a selector the proof
        cannot match, or a box that could be laid over a block."""
        for rule in cascade.unknown:
            if any(verdict(d.name, d.value) is not None or d.name in _JUDGED_ANYWHERE for d in rule.declarations):
                return Problem(
                    f"the selector '{rule.selector}'",
                    rule.declarations[0].origin,
                    effect=f"{CANNOT}: it cannot tell which elements that selector styles; use element names, "
                    "classes and ids",
                    uncertain=True,
                )
        for element in self.elements():
            for pseudo, rule in cascade.set_aside(element):
                if pseudo and any(d.name in _OVERLAYS or d.name.startswith("margin") for d in rule.declarations):
                    return Problem(
                        f"a ::{pseudo} rule ('{rule.selector}') on {_where(element)}",
                        rule.declarations[0].origin,
                        effect=f"{CANNOT}: a pseudo-element can be laid over {{block}}; style the element itself",
                        uncertain=True,
                    )
            # Most elements set none of these (6 in 10 of the sample's): their declarations need not be
            # resolved here, since an element no declaration of which can set one holds none of them.
            if not cascade.may_set(element, _LAID_OVER):
                continue
            declared = cascade.declared(element)
            where = _where(element)
            for property_name in _OVERLAYS:
                declaration = declared.get(property_name)
                if declaration is None or declaration.value in ("static", "relative", "initial", "unset"):
                    continue
                if declaration.uncertain or verdict(property_name, declaration.value) or property_name == "position":
                    return Problem(
                        f"{property_name}:{declaration.value} on {where}",
                        examination.origin(element, declaration),
                        effect=f"{CANNOT}: that box can be laid over {{block}}; {advice(property_name)}",
                        uncertain=True,
                    )
            for side in ("margin-top", "margin-bottom"):
                declaration = declared.get(side)
                if declaration is None:
                    continue
                offset = examination._length(declaration, examination.computed.get(element.etree_element) or _root())
                if declaration.uncertain or (offset is not None and offset < -MAX_NUDGE_PX):
                    return Problem(
                        f"{side}:{declaration.value} on {where}",
                        examination.origin(element, declaration),
                        effect=f"{CANNOT}: a negative margin can pull a box over {{block}}; use margins of 0 or more",
                        uncertain=True,
                    )
        return None


# What the document-wide check reads of every element's declarations.
_LAID_OVER = frozenset((*_OVERLAYS, "margin-top", "margin-bottom"))


def _where(element) -> str:
    name = element.local_name + "".join(f".{c}" for c in sorted(element.classes)[:1])
    return f"{name} elsewhere in the document"


_JUDGED_ANYWHERE = {"display", "visibility", "opacity", "color", "background-color", "font-size", "position"}


def _root():
    from .computed import ROOT

    return ROOT


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
