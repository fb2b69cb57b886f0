"""Characters no product can carry.

C0 controls (but tab and line ends), DEL, C1 controls, lone surrogates and the non-characters
U+FFFE/U+FFFF: invisible when pasted, refused by XML, and taken by spam filters and some email
clients as the mark of a broken message.
"""

from __future__ import annotations

import re

INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def without_invisible(text: str) -> str:
    return INVISIBLE.sub("", text)
