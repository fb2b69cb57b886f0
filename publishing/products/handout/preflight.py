"""A structural PDF/X-4 colour preflight of the print-shop handout (pikepdf).

Every content stream (pages, Form XObjects at any depth, annotations' appearances, tiling patterns,
soft-mask groups, Type 3 glyphs) is parsed operator by operator, and every resource reachable from
a page (colour spaces, images, shadings, patterns, transparency groups) is judged. Allowed colour:
DeviceCMYK, DeviceGray, ICC-based CMYK, a Separation (the registration colour /All of the crop marks)
whose alternate is one of those, a pattern whose own colour is. Anything else, and anything the
preflight cannot judge (an operator it does not know, a colour space it does not read), is refused
with the object named: "page 2, Form XObject /Fm3: DeviceRGB colour `0.2 0.3 0.4 rg`".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Operators that neither set a colour nor draw anything coloured on their own (the PDF 2.0 list).
NEUTRAL = set(
    "w J j M d ri i gs q Q cm m l c v y h re S s f F f* B B* b b* n W W* BT ET Tc Tw Tz TL Tf Tr Ts "
    "Td TD Tm T* Tj TJ ' \" d0 d1 MP DP BMC BDC EMC".split()
)
DEVICE_OK = {"/DeviceCMYK", "/DeviceGray"}
COLOUR_SET = {"sc", "scn", "SC", "SCN"}


class Refusal(Exception):
    """One thing in the file a press's preflight would refuse, with where it is."""


def preflight(pdf_path: Path) -> list[str]:
    """Every refusal in the file, each naming its object (empty: CMYK-clean)."""
    import pikepdf

    try:
        pdf = pikepdf.open(pdf_path)
    except pikepdf.PdfError as error:  # fail closed: what cannot be read cannot be judged
        return [f"the file cannot be read as a PDF ({error})"]
    with pdf:
        walker = _Walker()
        figures = _figures(pdf)
        try:
            for number, page in enumerate(pdf.pages, start=1):
                where = f"page {number}"
                walker.group(page.obj, where)
                walker.figures = {mcid: alt for (owner, mcid), alt in figures.items() if owner == page.obj.objgen}
                walker.stream(page.obj, page.obj.get("/Resources"), where)
                walker.figures = {}
                for index, annotation in enumerate(page.obj.get("/Annots") or [], start=1):
                    walker.annotation(annotation, f"{where}, annotation {index} ({annotation.get('/Subtype')})")
            # What a stream lists but never paints, judged last: what is painted is named where it is painted.
            while walker.listed:
                walker.resources(*walker.listed.pop(0))
        except RecursionError:
            walker.refuse("the file", "Form XObjects nested deeper than the preflight can follow")
        return walker.refusals


class _Walker:
    def __init__(self) -> None:
        self.refusals: list[str] = []
        self.judged: set[tuple[Any, ...]] = set()
        self.listed: list[tuple[Any, str]] = []
        self.figures: dict[int, str] = {}  # the page's figures: marked-content id -> alternative text

    def refuse(self, where: str, why: str) -> None:
        self.refusals.append(f"{where}: {why}")

    def once(self, obj, where: str) -> bool:
        """True the first time an indirect object is met (shared resources are judged once); always for a
        direct object (it cannot be shared or form a cycle)."""
        if not getattr(obj, "is_indirect", False):
            return True
        key = obj.objgen
        if key in self.judged:
            return False
        self.judged.add(key)
        return True

    # --- content streams ------------------------------------------------------------------------

    def stream(self, owner, resources, where: str) -> None:
        import pikepdf

        try:
            instructions = pikepdf.parse_content_stream(owner)
        except pikepdf.PdfError as error:
            self.refuse(where, f"a content stream the preflight cannot read ({error})")
            return
        figures, self.figures = self.figures, {}  # a Form XObject's marked content is its own
        marked: list[str] = []  # where each open marked-content sequence is (a figure names its picture)
        for instruction in instructions:
            here = marked[-1] if marked else where
            if isinstance(instruction, pikepdf.ContentStreamInlineImage):
                self.inline_image(instruction.iimage, here)
                continue
            operator, operands = str(instruction.operator), list(instruction.operands)
            if operator in {"BMC", "BDC"}:
                mcid = operands[1].get("/MCID") if operator == "BDC" and hasattr(operands[1], "get") else None
                alt = figures.get(int(mcid)) if mcid is not None else None
                marked.append(f"{where}, figure '{alt}'" if alt else here)
            elif operator == "EMC" and marked:
                marked.pop()
            self.operator(operator, operands, resources, here)
        if resources is not None:
            self.listed.append((resources, where))

    def operator(self, operator: str, operands: list, resources, where: str) -> None:
        text = " ".join(_show(value) for value in operands)
        shown = f"`{text} {operator}`" if text else f"`{operator}`"
        if operator in NEUTRAL or operator in {"g", "G", "k", "K"} | COLOUR_SET:
            return  # sc/scn take the colour space cs/CS chose, judged there; a pattern name is judged below
        if operator in {"rg", "RG"}:
            self.refuse(where, f"DeviceRGB colour {shown}")
        elif operator in {"cs", "CS"}:
            self.colour_space_named(operands[0] if operands else None, resources, where, shown)
        elif operator == "Do":
            self.painted(resources, "/XObject", operands, where, shown, self.xobject_body)
        elif operator == "sh":
            self.painted(resources, "/Shading", operands, where, shown, self.shading_named)
        else:
            self.refuse(where, f"an operator the preflight cannot judge: {shown}")

    def colour_space_named(self, name, resources, where: str, shown: str) -> None:
        if name is None:
            self.refuse(where, f"a colour space operator without a name: {shown}")
            return
        if str(name) in DEVICE_OK | {"/Pattern"}:
            return
        if str(name) == "/DeviceRGB":
            self.refuse(where, f"DeviceRGB colour space {shown}")
            return
        spaces = _get(resources, "/ColorSpace")
        if spaces is None or str(name) not in spaces:
            self.refuse(where, f"colour space {name} is not in the resources: {shown}")
        # a named colour space's own judgement is made when the resources are walked

    def painted(self, resources, kind: str, operands: list, where: str, shown: str, judge) -> None:
        """What ``Do`` or ``sh`` paints, judged where it is painted."""
        table = _get(resources, kind)
        if table is None or not operands or str(operands[0]) not in table:
            self.refuse(where, f"{shown} paints {kind.lstrip('/')} that is not in the resources")
        else:
            judge(table[str(operands[0])], where, str(operands[0]))

    # --- resources ------------------------------------------------------------------------------

    def resources(self, resources, where: str) -> None:
        if resources is None:
            return
        for name, space in (_get(resources, "/ColorSpace") or {}).items():
            self.colour_space(space, f"{where}, colour space {name}")
        for name, obj in (_get(resources, "/XObject") or {}).items():
            self.xobject_body(obj, where, str(name))
        for name, obj in (_get(resources, "/Pattern") or {}).items():
            self.pattern(obj, f"{where}, pattern {name}")
        for name, obj in (_get(resources, "/Shading") or {}).items():
            self.shading(obj, f"{where}, shading {name}")
        for name, obj in (_get(resources, "/ExtGState") or {}).items():
            self.graphics_state(obj, f"{where}, graphics state {name}")
        for name, obj in (_get(resources, "/Font") or {}).items():
            if obj.get("/Subtype") == "/Type3" and self.once(obj, where):
                for glyph, proc in (obj.get("/CharProcs") or {}).items():
                    self.stream(proc, obj.get("/Resources", resources), f"{where}, Type 3 font {name} glyph {glyph}")

    def xobject_body(self, obj, parent: str, name: str) -> None:
        """An image or a Form XObject, named after its resource name under ``parent``."""
        if not self.once(obj, parent):
            return
        subtype = obj.get("/Subtype")
        if subtype == "/Image":
            self.image(obj, f"{parent}, image {name}")
        elif subtype == "/Form":
            where = f"{parent}, Form XObject {name}"
            self.group(obj, where)
            self.stream(obj, obj.get("/Resources"), where)
        else:
            self.refuse(f"{parent}, XObject {name}", f"an XObject of a kind the preflight cannot judge ({subtype})")

    def group(self, obj, where: str) -> None:
        group = obj.get("/Group")
        if group is not None and "/CS" in group:
            self.colour_space(group["/CS"], f"{where}, transparency group")

    def image(self, image, where: str) -> None:
        if bool(image.get("/ImageMask", False)):
            return  # a stencil: painted in the fill colour, judged where it is set
        size = f"{image.get('/Width')} × {image.get('/Height')} pixels"
        if "/ColorSpace" not in image:
            self.refuse(where, f"a picture whose colour the preflight cannot read ({size}, no /ColorSpace)")
        else:
            self.colour_space(image["/ColorSpace"], where, picture=size)
        if "/SMask" in image:
            self.image(image["/SMask"], f"{where}, soft mask")

    def inline_image(self, image, where: str) -> None:
        space = image.obj.get("/CS", image.obj.get("/ColorSpace"))
        names = {"/G": "/DeviceGray", "/CMYK": "/DeviceCMYK", "/RGB": "/DeviceRGB"}
        if bool(image.obj.get("/IM", image.obj.get("/ImageMask", False))):
            return
        self.colour_space(names.get(str(space), space) if space is not None else None, f"{where}, inline image")

    def pattern(self, obj, where: str) -> None:
        if not self.once(obj, where):
            return
        kind = int(obj.get("/PatternType", 0))
        if kind == 1:
            self.stream(obj, obj.get("/Resources"), where)
        elif kind == 2:
            self.shading(obj.get("/Shading"), f"{where}, shading")
            if "/ExtGState" in obj:
                self.graphics_state(obj["/ExtGState"], f"{where}, graphics state")
        else:
            self.refuse(where, f"a pattern of a type the preflight cannot judge ({kind})")

    def shading_named(self, obj, parent: str, name: str) -> None:
        self.shading(obj, f"{parent}, shading {name}")

    def shading(self, obj, where: str) -> None:
        if obj is None or "/ColorSpace" not in obj:
            self.refuse(where, "a shading without a colour space")
        elif self.once(obj, where):
            self.colour_space(obj["/ColorSpace"], where)

    def graphics_state(self, state, where: str) -> None:
        mask = state.get("/SMask")
        if mask is None or not hasattr(mask, "get"):
            return  # /None or absent
        if "/G" in mask:
            self.xobject_body(mask["/G"], where, "(soft mask)")
        backdrop = mask.get("/BC")
        if backdrop is not None and len(backdrop) == 3:
            self.refuse(where, f"an RGB soft-mask backdrop `{_show(backdrop)}`")

    def annotation(self, annotation, where: str) -> None:
        for key in ("/C", "/IC"):
            if key in annotation and len(annotation[key]) == 3:
                self.refuse(where, f"an RGB annotation colour {key} `{_show(annotation[key])}`")
        for state, appearance in _appearances(annotation.get("/AP")):
            self.xobject_body(appearance, where, f"(appearance {state})")

    # --- colour spaces --------------------------------------------------------------------------

    def colour_space(self, space, where: str, picture: str = "") -> None:
        why = judge_colour_space(space)
        if why:
            what = f"a {why} picture ({picture})" if picture else f"{why} colour space"
            self.refuse(where, what)


def judge_colour_space(space) -> str:
    """Empty when a press accepts the colour space; else what it is ("DeviceRGB", "Lab", ...)."""
    import pikepdf

    if space is None:
        return "an unnamed"
    if isinstance(space, pikepdf.Name):
        name = str(space)
        return "" if name in DEVICE_OK | {"/Pattern"} else name.lstrip("/")
    if not isinstance(space, pikepdf.Array) or len(space) == 0:
        return f"an unreadable ({_show(space)})"
    family = str(space[0])
    if family == "/ICCBased":
        return _judge_icc(space[1])
    if family == "/Separation" and len(space) >= 3:
        alternate = judge_colour_space(space[2])
        return f"Separation {space[1]} with a {alternate} alternate" if alternate else ""
    if family in {"/Indexed", "/Pattern"} and len(space) >= 2:
        base = judge_colour_space(space[1])
        return f"{family.lstrip('/')} on {base}" if base else ""
    return family.lstrip("/")


def _judge_icc(profile) -> str:
    """ICC-based CMYK only: four components and a profile whose header says CMYK."""
    components = int(profile.get("/N", 0))
    if components != 4:
        return {1: "ICC-based gray", 3: "ICC-based RGB"}.get(components, f"ICC-based {components}-component")
    header = profile.read_bytes()[16:20]
    return "" if header == b"CMYK" else f"ICC-based ({header.decode('latin-1').strip()!r} profile)"


def _figures(pdf) -> dict[tuple[Any, int], str]:
    """(page, marked-content id) -> alternative text of every Figure in the structure tree."""
    import pikepdf

    found: dict[tuple[Any, int], str] = {}
    root = pdf.Root.get("/StructTreeRoot")
    stack: list[tuple[Any, Any, str | None]] = [(root.get("/K"), None, None)] if root is not None else []
    while stack:
        kid, page, figure = stack.pop()
        if isinstance(kid, pikepdf.Array):
            stack.extend((item, page, figure) for item in kid)
        elif isinstance(kid, int) and figure and page is not None:
            found[(page.objgen, kid)] = figure
        elif isinstance(kid, pikepdf.Dictionary):
            page = kid.get("/Pg", page)
            if "/MCID" in kid and figure and page is not None:
                found[(page.objgen, int(kid.MCID))] = figure
            elif "/S" in kid:
                alt = str(kid.get("/Alt", "")) if kid.S == "/Figure" else ""
                stack.append((kid.get("/K"), page, alt or figure))
    return found


def _appearances(ap) -> Iterator[tuple[str, Any]]:
    import pikepdf

    for key, value in (ap or {}).items():
        if isinstance(value, pikepdf.Stream):
            yield key, value
        elif isinstance(value, pikepdf.Dictionary):
            for state, stream in value.items():
                yield f"{key} {state}", stream


def _get(resources, key: str):
    return resources.get(key) if resources is not None else None


def _show(value) -> str:
    import pikepdf

    if isinstance(value, pikepdf.Array):
        return " ".join(_show(item) for item in value)
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    try:
        return f"{float(text):g}"
    except ValueError:
        return text


SHOWN = 6  # refusals named in the message; the rest are counted


def require_press_ready(pdf_path: Path, shown_as: Path) -> None:
    """The print-shop product's preflight: any refusal is a failed build naming the objects."""
    from ...errors import PublishingError

    refusals = list(dict.fromkeys(preflight(pdf_path)))  # once each, in the order met
    if not refusals:
        return
    more = f"; and {len(refusals) - SHOWN} more" if len(refusals) > SHOWN else ""
    raise PublishingError(
        shown_as,
        f"print shop: PDF/X-4 preflight refused {len(refusals)} thing(s) not in press colour: "
        + "; ".join(refusals[:SHOWN])
        + more,
        hint="give every colour of layouts/handout/print-shop.css as device-cmyk(...) (an RGB, hex, named or "
        "lab() colour is not press colour); a picture named here must be a PNG or JPEG in 8-bit RGB, gray or CMYK "
        "(the build converts it) or an SVG whose colours are device-cmyk(...)",
    )
