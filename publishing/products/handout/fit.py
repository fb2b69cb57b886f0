"""Whether page 1 of a handout holds what a patient must meet first: the title, the crisis card and the
article's first words. When it cannot (large print sets all of them at 18 pt or more and never shrinks
them), staff are told what is too long and by about how much, measured on the built PDF."""

from __future__ import annotations

import math
from pathlib import Path

from ...errors import RequiredBlockFailure

POINTS_PER_INCH = 72


def require_first_page_holds(
    pdf, article, block, opening: str, page_label: str, *, product: str, large_print: bool = False
) -> None:
    """Page 1 carries the crisis card (``block``) and ``opening`` (the article's first words) after it;
    if the card or the words were pushed to page 2, raise naming the article's title and description."""
    if first_page_holds(pdf, block, opening):
        return
    card_ends = pdf.find(0, block.proof_texts[-1])
    if len(pdf) < 2:
        return  # nothing was pushed anywhere: the block proofs name what is missing
    # What page 1 lacks is what page 2 begins with: the card (if it moved) down to the first words' end.
    first = pdf.find(1, block.text.splitlines()[0]) if card_ends is None else None
    words = pdf.find(1, opening) if opening else None
    if words is None and first is None:
        return
    pushed = [g for found in (first, words) if found is not None for g in pdf.glyphs(1, found)]
    # The card's title and frame stand above its first paragraph: about two lines of the title's size.
    above = 2.4 * max(g.points for g in pushed) if first is not None else 0.0
    needed = max(g.box[3] for g in pushed) - min(g.box[1] for g in pushed) + above
    short = max(needed - _room_left(pdf, page_label), 0.0)
    description = article.description.split()
    printed = pdf.glyphs(0, pdf.find(0, article.description) or range(0))
    lines = _lines(printed)
    per_line = len(description) / lines if lines else 8.0
    line_height = 1.3 * max((g.points for g in printed), default=18.0)
    cut = max(1, math.ceil(math.ceil(short / line_height) * per_line))
    what = f"the {block.name}" if card_ends is None else "the article's first words"
    raise RequiredBlockFailure(
        article.source,
        f"{product}: page 1 cannot hold the title, the {block.name} and the article's first words: {what} "
        f"moved to page 2, about {max(short / POINTS_PER_INCH, 0.1):.1f} in short (the title has "
        f"{len(article.title.split())} words, the description {len(description)})",
        line=article.line_of("description:"),
        hint=f"shorten the description by about {cut} word{'s' if cut > 1 else ''}, or the title, so that page 1 "
        "holds them" + ("; the type cannot be made smaller in large print" if large_print else ""),
    )


def first_page_holds(pdf, block, opening: str) -> bool:
    """Whether page 1 carries the crisis card and, after it, the article's first words."""
    card_ends = pdf.find(0, block.proof_texts[-1])
    return card_ends is not None and (not opening or pdf.find(0, opening, after=card_ends.stop - 1) is not None)


def place_qr_code(article, site, target: Path, variant: str, rebuild: str) -> None:
    """When the QR code in the title band leaves page 1 without the crisis card or the article's first
    words (a long title or description in large print, a language of longer words), lay the handout out
    again with the code in the end matter, beside the address it opens. A reader, a low-vision one
    above all, meets the card and the text first; the code, for reading on a phone at any size, is still
    printed. What then still cannot fit is refused by require_first_page_holds, saying what to cut."""
    from ... import proof
    from ...proof.pdf import PdfText
    from .render import render_pdf

    if not site.settings.article_web_address(article.slug, article.edition):
        return
    with PdfText(target, product="handout", shown_as=target, rebuild=rebuild) as pdf:
        if first_page_holds(pdf, site.blocks.crisis, proof.opening_words(article.plain_text)):
            return
    render_pdf(article, site, target, variant, qr_place="end")


def _room_left(pdf, page_label: str) -> float:
    """Points between page 1's lowest line of text and its footer (the page label's top)."""
    label = pdf.find(0, page_label)
    if label is None:
        return 0.0
    footer_top = max(g.box[3] for g in pdf.glyphs(0, label))
    text = pdf.glyphs(0, range(len(pdf.page(0)[2])))
    above = [g.box[1] for g in text if g.box[1] > footer_top + 1]
    return max(min(above, default=footer_top) - footer_top - 13, 0.0)  # the footer's padding and rule


def _lines(glyphs) -> int:
    """How many lines ``glyphs`` are set on (distinct baselines, near ones taken as one)."""
    bottoms: list[float] = []
    for bottom in sorted(g.box[1] for g in glyphs if g.character.isalnum()):
        if not bottoms or bottom - bottoms[-1] > 0.5 * glyphs[0].points:
            bottoms.append(bottom)
    return len(bottoms)
