"""Running headers, footers and page numbers as artifacts, which a screen reader skips.

WeasyPrint tags what its page-margin boxes (``@page { @bottom-left {...} }``) draw as content: each
line a /Span under a /NonStruct that names /Document as its parent but is not among its children,
reached only through the ParentTree (WeasyPrint issue #1836; it would be an Artifact element in PDF
2.0 only). A screen reader then reads "Page 2 of 4" and the footer in the middle of the article,
and outloud reports PAG-001. Here those marked contents become /Artifact /Pagination in the page's
content stream and leave the tree: they still print and still extract as text (the proof reads
the crisis line in every footer with poppler), but the reading order holds the article alone.

The footer's crisis line (the crisis card's title, pages 2 on) stays tagged as WeasyPrint
left it: it is words a person needs, not pagination, and a checker reads an artifact sentence as
prose hidden from every reader (outloud's TAG-002 error, on the Spanish line of ten words).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

# WeasyPrint draws in CSS pixels (0.75 pt) from the top of the page.
POINTS_PER_PIXEL = 0.75


def mark_margin_boxes_as_artifacts(pdf_path: Path, keep: str) -> int:
    """Rewrite the handout at ``pdf_path`` in place; the number of marked contents made artifacts.
    ``keep``: the crisis line, left as content wherever a margin box prints it."""
    import pikepdf

    texts = _texts_by_mcid(pdf_path)
    kept = " ".join(keep.split())

    with pikepdf.open(pdf_path, allow_overwriting_input=True) as pdf:
        root = pdf.Root.get("/StructTreeRoot")
        if root is None:
            return 0
        in_tree = _elements_in_tree(root)
        numbers = root.ParentTree.get("/Nums")
        if numbers is None:  # a tree WeasyPrint does not write (it writes one flat /Nums array)
            return 0
        by_key = {int(numbers[index]): numbers[index + 1] for index in range(0, len(numbers), 2)}
        marked = 0
        for number, page in enumerate(pdf.pages):
            key = page.obj.get("/StructParents")
            mapping = by_key.get(int(key)) if key is not None else None
            if not isinstance(mapping, pikepdf.Array):
                continue
            outside = {
                mcid
                for mcid, element in enumerate(mapping)
                if _outside(element, in_tree) and texts.get((number, mcid)) != kept
            }
            if outside:
                _rewrite_page(pdf, page, outside)
                for mcid in outside:
                    mapping[mcid] = None  # the MCIDs of the article keep their numbers
                while len(mapping) and mapping[len(mapping) - 1] is None:
                    del mapping[len(mapping) - 1]
                marked += len(outside)
        if marked:
            pdf.save(pdf_path, deterministic_id=True)
        return marked


def _elements_in_tree(root) -> set[tuple[int, int]]:
    """The struct elements reachable from the root through /K: the tree a screen reader walks."""
    import pikepdf

    seen: set[tuple[int, int]] = set()
    pending = [root.K]
    while pending:
        node = pending.pop()
        if isinstance(node, pikepdf.Array):
            pending.extend(node)
        elif isinstance(node, pikepdf.Dictionary) and node.get("/Type") != "/MCR":
            if node.is_indirect:
                if node.objgen in seen:
                    continue
                seen.add(node.objgen)
            if "/K" in node and node.get("/Type") != "/OBJR":
                pending.append(node.K)
    return seen


def _outside(element, in_tree: set[tuple[int, int]]) -> bool:
    """Whether a ParentTree entry is a struct element the tree does not reach (a margin box's)."""
    import pikepdf

    return isinstance(element, pikepdf.Dictionary) and element.is_indirect and element.objgen not in in_tree


def _rewrite_page(pdf, page, outside: set[int]) -> None:
    """Turn each ``/Span <</MCID n>> BDC`` whose n is in ``outside`` into an /Artifact /Pagination,
    a /Header above the middle of the page and a /Footer below it."""
    import pikepdf

    instructions = list(pikepdf.parse_content_stream(page))
    middle = float(page.mediabox[3] + page.mediabox[1]) / 2
    for index, instruction in enumerate(instructions):
        if str(instruction.operator) != "BDC" or len(instruction.operands) != 2:
            continue
        properties = instruction.operands[1]
        if not isinstance(properties, pikepdf.Dictionary) or int(properties.get("/MCID", -1)) not in outside:
            continue
        top = _distance_from_top(instructions, index)
        subtype = "/Header" if top is not None and top < middle else "/Footer"
        artifact = pikepdf.Dictionary(Type=pikepdf.Name.Pagination, Subtype=pikepdf.Name(subtype))
        instructions[index] = pikepdf.ContentStreamInstruction([pikepdf.Name.Artifact, artifact], instruction.operator)
    page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))


def _distance_from_top(instructions, start: int) -> float | None:
    """Where the marked content starting at ``start`` sets its first line, in points from the top
    of the page (WeasyPrint's text matrix counts CSS pixels downwards), or None if it sets none."""
    for instruction in instructions[start + 1 :]:
        operator = str(instruction.operator)
        if operator == "EMC":
            return None
        if operator == "Tm":
            return float(instruction.operands[5]) * POINTS_PER_PIXEL
    return None


def _texts_by_mcid(pdf_path: Path) -> dict[tuple[int, int], str]:
    """{(page index, MCID): the words it prints}, read with PDFium (which decodes the fonts)."""
    import ctypes

    import pypdfium2
    import pypdfium2.raw as raw

    texts: dict[tuple[int, int], list[str]] = {}
    document = pypdfium2.PdfDocument(str(pdf_path))
    try:
        for number, page in enumerate(document):
            textpage = page.get_textpage()
            for obj in page.get_objects(max_depth=5):
                mcid = raw.FPDFPageObj_GetMarkedContentID(obj.raw) if obj.type == raw.FPDF_PAGEOBJ_TEXT else -1
                if mcid < 0:
                    continue
                size = raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)  # in bytes, with the end mark
                buffer = (ctypes.c_ushort * max(size // 2, 1))()
                raw.FPDFTextObj_GetText(obj.raw, textpage.raw, buffer, size)
                # A character beyond U+FFFF split across two text objects leaves half a surrogate pair in
                # each: kept as it is (the words are only compared with the crisis title, never printed).
                words = bytes(buffer).decode("utf-16-le", errors="surrogatepass").rstrip("\x00")
                texts.setdefault((number, mcid), []).append(words)
    finally:
        document.close()
    return {key: " ".join(" ".join(parts).split()) for key, parts in texts.items()}


def mark_crop_marks_as_production_aids(pdf_path: Path) -> int:
    """Type the print shop's crop marks, which WeasyPrint wraps in an untyped /Artifact, as what
    ISO 32000-1 (14.8.2.2, table 330) calls them: /Page artifacts, "production aids extraneous to the
    document itself, such as cut marks and color bars". Rewrites the file in place; the number typed."""
    import pikepdf

    typed = 0
    with pikepdf.open(pdf_path, allow_overwriting_input=True) as pdf:
        for page in pdf.pages:
            instructions = list(pikepdf.parse_content_stream(page))
            resources = page.obj.get("/Resources")
            forms: Any = (resources.get("/XObject") if resources is not None else None) or {}
            marks = [index for index in range(len(instructions)) if _opens_crop_marks(instructions, index, forms)]
            for index in marks:
                production_aid = pikepdf.Dictionary(Type=pikepdf.Name.Page)
                instructions[index] = pikepdf.ContentStreamInstruction(
                    [pikepdf.Name.Artifact, production_aid], pikepdf.Operator("BDC")
                )
            if marks:
                page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))
                typed += len(marks)
        if typed:
            pdf.save(pdf_path, deterministic_id=True)
    return typed


def _opens_crop_marks(instructions, start: int, forms) -> bool:
    """Whether ``/Artifact BMC`` at ``start`` holds nothing but Form XObjects drawn in the registration
    colour /All: the marks as press_colour.draw_crop_marks_in_registration has WeasyPrint draw them."""
    import pikepdf

    opening = instructions[start]
    if str(opening.operator) != "BMC" or opening.operands[0] != pikepdf.Name.Artifact:
        return False
    drawn = []
    for instruction in instructions[start + 1 :]:
        operator = str(instruction.operator)
        if operator == "EMC":
            break
        if operator == "Do":
            drawn.append(forms.get(str(instruction.operands[0])))
        elif operator not in {"q", "Q", "cm"}:
            return False
    return bool(drawn) and all(
        isinstance(form, pikepdf.Stream)
        and form.get("/Subtype") == "/Form"
        and any(
            str(instruction.operator) == "CS" and instruction.operands[0] == pikepdf.Name.All
            for instruction in pikepdf.parse_content_stream(form)
        )
        for form in drawn
    )
