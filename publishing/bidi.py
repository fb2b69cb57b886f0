"""Numbers and addresses held left to right inside right-to-left text, without the author writing
markup for it.

In a Farsi or Arabic paragraph the Unicode bidi algorithm reorders the runs of a phone number around
its neutral characters: "(310) 280-4440" shows as "280-4440 (310)", a number nobody can dial. Only an
explicit left-to-right embedding keeps it whole in every renderer the products meet: WeasyPrint
ignores <bdi>, dir="auto" and unicode-bidi: isolate, but honours <span dir="ltr">, as do Chromium
and the email clients; plain text has LRI ... PDI. So every product of a right-to-left edition passes
its HTML (or text) through here once, and each phone number, short code (988, 911), e-mail and web
address, version mark and numeric date in it is isolated.
"""

from __future__ import annotations

import re

# The forms of a phone number, what must never break across two lines, in any direction.
PHONE_NUMBERS = r"""
    (?:\+?1[\s.-]?)?\(\d{3}\)[\s\u00a0]?\d{3}[-.\u2011]\d{4}     # (310) 280-4440
    | (?:\+?1[\s.-]?)?\b\d{3}[-.\u2011]\d{3}[-.\u2011]\d{4}\b   # 310-280-4440
"""
# One pattern, tried left to right: the longest forms first, so "(310) 280-4440" is one run, not three.
LEFT_TO_RIGHT = re.compile(
    PHONE_NUMBERS
    + r"""
    | \+\d[\d\s.-]{6,}\d                                         # +1 310 280 4440
    | [\w.+-]+@[\w-]+(?:\.[\w-]+)+                               # someone@example.org
    | (?:https?://)?(?:[\w-]+\.)+[a-z]{2,}(?:/[^\s<>"'()]*[^\s<>"'().,;:!?])?/?  # www.example.org/es
    | \b\d{4}-\d{2}-\d{2}\b                                      # 2026-12-04
    | \b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}\b        # a version mark: 3f9c2e1
    | \b\d+(?:[.,:/]\d+)*\b                                      # 988, 911, 4.5, 10:30
    """,
    re.VERBOSE | re.ASCII | re.IGNORECASE,
)

LRI, PDI = "\u2066", "\u2069"  # LEFT-TO-RIGHT ISOLATE ... POP DIRECTIONAL ISOLATE
OPEN_SPAN = '<span dir="ltr">'

# Where text is not shown as running text: the document's head, scripts, styles, and what is already
# held left to right.
_SKIPPED = re.compile(r"<(head|style|script|title)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_TEXT = re.compile(r">([^<]+)")
_ENTITY = re.compile(r"(&#?\w+;)")  # &#39; holds digits that are not text


def _held(run: str) -> str:
    # "(310) 280-4440" on one line where no stylesheet may say nowrap (the newsletter's crisis card,
    # whose proof refuses what it cannot evaluate): a no-break space inside it, and a word joiner
    # (invisible, drawn by no font) after each hyphen, where Chromium would otherwise break the line.
    return run.replace(" ", "\u00a0").replace("-", "-\u2060")


def _placeholder(number: int) -> str:
    # No digit in it, so the patterns above never see one.
    return "\x00" + "".join(chr(0xE000 + int(digit)) for digit in str(number)) + "\x00"


def _isolated(text: str, joiners: bool) -> str:
    def span(run: re.Match) -> str:
        return f"{OPEN_SPAN}{_held(run[0]) if joiners else run[0]}</span>"

    return "".join(
        piece if _ENTITY.fullmatch(piece) else LEFT_TO_RIGHT.sub(span, piece) for piece in _ENTITY.split(text)
    )


def isolate_text(text: str) -> str:
    """Plain text with each left-to-right run between LRI and PDI (the newsletter's text part)."""
    return LEFT_TO_RIGHT.sub(lambda run: f"{LRI}{run[0]}{PDI}", text)


_PHONE_NUMBER = re.compile(PHONE_NUMBERS, re.VERBOSE | re.ASCII)


def hold_phone_numbers(html: str) -> str:
    """HTML with each phone number in its running text held on one line by its characters (a no-break
    space, a word joiner after each hyphen): "(310) 280-" / "4440" at a phone's width is misdialled,
    and the newsletter's crisis card may not say nowrap. A held number is not matched again."""
    return in_running_text(html, lambda match: ">" + _PHONE_NUMBER.sub(lambda run: _held(run[0]), match[1]))


def isolate_html(html: str, *, joiners: bool = True) -> str:
    """HTML (or XHTML) with each left-to-right run in the text between tags wrapped in
    <span dir="ltr">: never inside an attribute, the head, a style or a script, nor twice.
    ``joiners``: hold each run on one line by its characters (no-break space, word joiner), for
    renderers the layout cannot tell to (the handout's stylesheet sets nowrap, and a word joiner
    would reach its text layer as a space)."""

    def in_text(match: re.Match) -> str:
        if match.string.endswith(OPEN_SPAN, 0, match.start() + 1):
            return match[0]  # already isolated (a second pass, or a layout that did it itself)
        return ">" + _isolated(match[1], joiners)

    return in_running_text(html, in_text)


def in_running_text(html: str, change) -> str:
    """``html`` with ``change(match)`` applied to each run of text between tags (``match[1]``, after
    its '>'), never to an attribute, the head, a style or a script."""
    kept: list[str] = []

    def keep(match: re.Match) -> str:
        kept.append(match[0])
        return _placeholder(len(kept) - 1)

    changed = _TEXT.sub(change, _SKIPPED.sub(keep, html))
    return re.sub(
        "\x00([\ue000-\ue009]+)\x00",
        lambda mark: kept[int("".join(str(ord(c) - 0xE000) for c in mark[1]))],
        changed,
    )
