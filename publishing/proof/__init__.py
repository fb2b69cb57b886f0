"""The proof, from each built file, that its reader gets the required blocks: there, whole, visible, in order.

``text`` finds a block's wording in extracted text; ``markup`` decides from an HTML or XHTML
document and its CSS whether a reader sees an element; ``pdf`` does the same for PDF pages
from the glyphs PDFium draws. The product modules say where each block must be; these
functions raise ``RequiredBlockFailure`` (a failed build) when it is not so.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import RequiredBlockFailure
from .problem import MIN_POINTS
from .text import contains, normalise, opening_words

if TYPE_CHECKING:
    from ..required import RequiredBlock
    from ..site import Site
    from .markup import Visibility
    from .pdf import PdfText

__all__ = [
    "RequiredBlockFailure",
    "contains",
    "normalise",
    "require_text",
    "require_in_markup",
    "require_in_pdf",
    "require_before",
    "require_on_later_pages",
    "opening_words",
    "unreadable",
]


def _missing(product: str, where: str, block: RequiredBlock, shown_as: Path) -> RequiredBlockFailure:
    return RequiredBlockFailure(
        shown_as,
        f"{product}: the {block.name} is missing from {where}",
        hint=f"the layout must place it with the {block.key}() macro of layouts/_partials/required.html",
    )


def _hidden(product: str, where: str, block: RequiredBlock, shown_as: Path, problem, hint: str) -> RequiredBlockFailure:
    verdict = "cannot be proven visible" if getattr(problem, "uncertain", False) else "is not visible"
    return RequiredBlockFailure(shown_as, f"{product}: the {block.name} {verdict} {where}: {problem}", hint=hint)


def card_lines(site: Site, block: RequiredBlock) -> tuple[str, ...]:
    """Every line of the block a reader sees: its ``proof_texts`` (the clinic's wording), then every
    other line the partial in layouts/_partials/required.html prints around them (the action lines,
    the chat and emergency lines), in this site's language."""
    layouts = site.folders.layouts
    try:
        partial = (layouts / "_partials" / "required.html").read_text(encoding="utf-8")
    except OSError:  # Jinja names the missing partial itself
        return _card_lines.__wrapped__(layouts, site.words, site.blocks, block, "")
    # Every product of every article asks for the same two cards: compiling and rendering the partial
    # each time was 17 ms a call, 8 calls an article. Cached by everything the card is made of (the
    # partial's text, the blocks' words, the language's catalog), so an edit is never missed.
    return _card_lines(layouts, site.words, site.blocks, block, partial)


@functools.lru_cache(maxsize=32)
def _card_lines(layouts: Path, words, blocks, block: RequiredBlock, partial: str) -> tuple[str, ...]:
    from ..htmltext import block_lines
    from ..templates import environment

    template = environment(layouts, words).from_string(
        '{% from "_partials/required.html" import crisis, disclaimer %}{{ ' + block.key + "(blocks) }}"
    )
    lines = list(block.proof_texts)
    seen = {normalise(line) for line in lines}
    for line in block_lines(template.render(blocks=blocks)).splitlines():
        if normalise(line) and normalise(line) not in seen:
            seen.add(normalise(line))
            lines.append(line)
    return tuple(lines)


def unreadable(product: str, shown_as: Path, kind: str, error, rebuild: str) -> RequiredBlockFailure:
    """A built file that cannot even be opened carries no block anyone can read. ``rebuild``: the
    command that makes it again, as its product gives it (Product.rebuild_command)."""
    return RequiredBlockFailure(
        shown_as, f"{product}: the file is not a readable {kind} ({error})", hint=f"rebuild it with '{rebuild}'"
    )


def require_text(product: str, where: str, text: str, block: RequiredBlock, shown_as: Path) -> None:
    """``text`` (extracted from the built file) must carry ``block``'s wording: for plain text,
    where present is visible."""
    if not contains(text, block.proof_texts):
        raise _missing(product, where, block, shown_as)


def require_in_markup(
    visibility: Visibility,
    block: RequiredBlock,
    *,
    product: str,
    where: str,
    shown_as: Path,
    lines: tuple[str, ...] = (),
) -> None:
    """The element with the block's id carries its wording (and every line of ``lines``: the card as
    the partial prints it), and a reader sees it and everything in it."""
    element = visibility.find(block.id)
    if element is None or not contains("".join(element.etree_element.itertext()), lines or block.proof_texts):
        raise _missing(product, where, block, shown_as)
    problem = visibility.problem(element)
    if problem is not None:
        raise _hidden(
            product,
            f"in {where}",
            block,
            shown_as,
            problem,
            f"every reader must see it: change that rule back (the block keeps its id '{block.id}')",
        )


def require_in_pdf(
    pdf: PdfText,
    page: int,
    block: RequiredBlock,
    *,
    product: str,
    where: str,
    shown_as: Path,
    title_at_least: float = 0.0,
    lines: tuple[str, ...] = (),
) -> None:
    """Page ``page`` (0-based) draws the block's wording (and every line of ``lines``: the card as the
    partial prints it), every glyph large, on the paper and in contrast."""
    wanted = lines or block.proof_texts
    found: list[range] = []
    for part in wanted:  # in the card's order, each after the one before: not the same words elsewhere
        characters = pdf.find(page, part, after=found[-1].stop - 1 if found else -1)
        if characters is None:
            break
        found.append(characters)
    if len(found) < len(wanted):
        missing = wanted[len(found)]
        if found:  # the block is there, a line of it is not: name the line
            raise RequiredBlockFailure(
                shown_as,
                f"{product}: the {block.name} is missing its line '{missing}' on {where}",
                hint=f"every line of the block must be printed: check the rules for #{block.id} and its "
                "lines in the product's stylesheets in layouts/",
            )
        raise _missing(product, where, block, shown_as)
    title, *rest = found
    hint = (
        f"every reader must see it: check the rules for #{block.id} and .required-block in the product's "
        "stylesheets in layouts/"
    )
    problem = pdf.problem(page, pdf.glyphs(page, title), at_least=max(MIN_POINTS, title_at_least))
    if problem is not None:
        raise _hidden(product, f"on {where}", block, shown_as, f"its title: {problem}", hint)
    problem = pdf.problem(page, [glyph for characters in rest for glyph in pdf.glyphs(page, characters)])
    if problem is not None:
        raise _hidden(product, f"on {where}", block, shown_as, problem, hint)


def require_on_later_pages(pdf: PdfText, block: RequiredBlock, line: str, *, product: str, shown_as: Path) -> None:
    """Every page after the first draws ``line`` (the block's own words, run in the page footer) on one
    line, large enough, on the paper and in contrast: a loose page 2 still says where to turn."""
    hint = (
        f"every page after the first must carry '{line}' in its footer: check the string-set of "
        f"#{block.id} .required-title and the @bottom-left rule (string({block.key})) in the product's "
        "stylesheets in layouts/"
    )
    for page in range(1, len(pdf)):
        where = f"the footer of page {page + 1}"
        characters = pdf.find(page, line)
        if characters is None:
            raise RequiredBlockFailure(
                shown_as, f"{product}: {where} lacks the line '{line}' of the {block.name}", hint=hint
            )
        glyphs = pdf.glyphs(page, characters)
        problem: object = pdf.problem(page, glyphs)
        if problem is None and max(g.box[1] for g in glyphs) - min(g.box[1] for g in glyphs) > max(
            g.points for g in glyphs
        ):
            problem = "it is broken across lines"
        if problem is not None:
            raise _hidden(product, f"in {where}", block, shown_as, f"its line '{line}': {problem}", hint)


def require_before(
    product: str,
    where: str,
    pieces: list[tuple[str, str]],
    block: RequiredBlock,
    first_text: str,
    what_follows: str,
    shown_as: Path,
) -> None:
    """The block comes before ``first_text`` (the start of what must follow it).

    ``pieces`` is the document's text in reading order, each piece tagged with the key of the
    required block it belongs to, or '' for the rest. The text may also occur before the block
    (a short article's first words in its title): what counts is that it follows the block."""
    needle = normalise(first_text)
    outside: list[str] = []
    length = 0
    block_starts = None
    for owner, piece in pieces:
        if owner == block.key and block_starts is None:
            block_starts = length
        if not owner:
            folded = normalise(piece)
            outside.append(folded)
            length += len(folded)
    text = "".join(outside)
    if needle and block_starts is not None and needle in text and text.find(needle, block_starts) < 0:
        raise RequiredBlockFailure(
            shown_as,
            f"{product}: in {where} the {block.name} comes after {what_follows}",
            hint=f"the reader must meet it first: place the {block.key}() macro before {what_follows} in the layout",
        )
