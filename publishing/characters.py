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


# What a terminal obeys instead of printing: C0 and C1 controls (ESC starts the codes that clear the screen,
# move the cursor or retitle the window; CR and LF start a line), DEL, and the bidirectional overrides and
# isolates that make a file name read differently from what it is ("Trojan Source").
TERMINAL_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINE_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` (a file name, a title, anything a user wrote) safe to print on one line: every control
    character shown as an escape (``\\x1b``), never obeyed."""
    return TERMINAL_CONTROLS.sub(_escaped, text)


class EscapingStream:
    """A text stream that escapes every control character written to it but tab and line end, so no
    message can carry a terminal escape, whoever forgot to escape what went into it."""

    def __init__(self, stream):
        self.raw = stream

    def write(self, text: str) -> int:
        self.raw.write(_LINE_CONTROLS.sub(_escaped, text))
        return len(text)

    def __getattr__(self, name: str):
        return getattr(self.raw, name)  # flush, isatty, fileno, encoding...


def decoded_words(value: str) -> str:
    """``value`` with RFC 2047 encoded words (=?utf-8?q?...?=) decoded, as a mail program shows them (and
    as Python's email package splits them into header lines when they hold CR LF)."""
    if "=?" not in value:
        return value
    from email.header import decode_header, make_header

    try:
        return str(make_header(decode_header(value)))
    except (ValueError, LookupError, UnicodeError, AssertionError):
        return value + "\x00"  # undecodable: judged as holding a control character, never passed through


def hides_controls(value: str) -> str | None:
    """The control character (or line break) an encoded word in ``value`` decodes to, if any."""
    decoded = decoded_words(value)
    if decoded == value:
        return None
    found = re.search("[\r\n\t]", decoded) or INVISIBLE.search(decoded)
    return found.group() if found else None
