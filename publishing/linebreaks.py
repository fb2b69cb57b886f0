"""Line breaks a renderer gets wrong for a script, put right in the markup it is given.

Korean is written with spaces between words, and a line may break only at those spaces (CSS
``word-break: keep-all``, which Chromium, the email clients and reading systems honour). WeasyPrint
ignores keep-all and breaks between any two Hangul syllables, as UAX #14 allows by default: 3 of 6
lines of a short test broke inside a word. So the handout's HTML holds each Korean word in a
``<span class="keep-word">`` that its Korean rules (layouts/handout/lang-ko.css) keep on one line.
Chinese needs nothing: Pango breaks between characters and never before closing punctuation (UAX #14's
CL class), as tests/test_cjk_editions.py proves of the built handout.
"""

from __future__ import annotations

import re

from .bidi import in_running_text

# A word holding at least one Hangul syllable or jamo, with what clings to it ("다.", "(BDNF)와").
_KOREAN_WORD = re.compile(r"[^\s&]*[\uac00-\ud7a3\u3131-\u318e][^\s&]*")
OPEN_SPAN = '<span class="keep-word">'


def keep_korean_words_whole(html: str) -> str:
    """``html`` with each Korean word of its running text in a keep-word span (never inside an
    attribute, the head or a style, nor twice)."""

    def in_text(match: re.Match) -> str:
        if match.string.endswith(OPEN_SPAN, 0, match.start() + 1):
            return match[0]
        return ">" + _KOREAN_WORD.sub(lambda word: f"{OPEN_SPAN}{word[0]}</span>", match[1])

    return in_running_text(html, in_text)
