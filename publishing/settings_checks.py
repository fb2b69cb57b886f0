"""Settings that parse but cannot be used: patterns with placeholders of their own (str.format would
read {slug.__class__} or crash on a stray brace), numbers out of their bounds (0 or a billion months,
nan), text that carries control characters (a CR LF in clinic_name becomes a mail header)."""

from __future__ import annotations

import re

_PLACEHOLDERS = {"article_url": {"slug"}, "translation_url": {"slug", "lang"}}
# Numbers that mean something only within these bounds (inclusive).
_BOUNDS = {"review_policy_months": (1, 120), "reading_grade_target": (1, 20)}
# Settings whose text may run over several lines; every other setting is one line (a header, a link).
_MULTILINE = {"clinic_about", "postal_address"}


def check_patterns(values: dict, text: str, problems: list) -> None:
    """article_url and translation_url are filled in with str.format: only their own placeholders, plain."""
    import string

    for key, allowed in _PLACEHOLDERS.items():
        pattern = values.get(key)
        if not pattern:
            continue
        example = " and ".join("{" + name + "}" for name in sorted(allowed, reverse=True))
        try:
            fields_used = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(pattern)]
        except ValueError as error:
            problems.append((key_line(text, key), f"{key} has a stray brace ({error}); use only {example}"))
            continue
        for name, spec, conversion in fields_used:
            if name is not None and (name not in allowed or spec or conversion):
                shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
                problems.append((key_line(text, key), f"{key} has the placeholder {shown}; use only {example}"))


def check_numbers(values: dict, text: str, problems: list) -> None:
    import math

    for key, (low, high) in _BOUNDS.items():
        value = values.get(key)
        if value is None:
            continue
        if not math.isfinite(value) or not low <= value <= high:
            problems.append((key_line(text, key), f"setting '{key}' must be from {low} to {high}, not {value!r}"))
            values.pop(key)


def check_text(table: dict, text: str, problems: list, where: str = "") -> None:
    """No setting carries a control character (a CR LF in clinic_name would be a new mail header), written
    as a TOML escape or hidden in an RFC 2047 encoded word (=?utf-8?q?...=0D=0A...?=)."""
    from .characters import INVISIBLE, decoded_words

    for key, value in table.items():
        if isinstance(value, dict):
            check_text(value, text, problems, f"{where}{key}.")
            continue
        if not isinstance(value, str):
            continue
        decoded = decoded_words(value)
        found = INVISIBLE.search(decoded) or (
            re.search(r"[\r\n\t]", decoded) if key not in _MULTILINE or decoded != value else None
        )
        if found:
            problems.append(
                (
                    key_line(text, key),
                    f"setting '{where}{key}' contains the control character U+{ord(found.group()):04X}"
                    + (" inside an encoded word (=?...?=)" if decoded != value else "")
                    + "; write it as plain text on one line",
                )
            )


def key_line(text: str, key: str) -> int | None:
    match = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*=", text, flags=re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None
