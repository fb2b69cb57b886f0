"""CSS values the proof resolves exactly: custom properties (``var()`` with its fallback) and the math
functions of lengths (``calc()``, ``min()``, ``max()``, ``clamp()``).

What cannot be resolved with certainty raises ``Uncertain``: the proof then refuses the declaration
instead of guessing (a proof that guesses fails open).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

# A 375 x 667 phone: the narrowest screen the products are read on, for vw/vh.
PHONE_WIDTH, PHONE_HEIGHT = 375.0, 667.0
ABSOLUTE_UNITS = {"px": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4, "q": 96 / 101.6}
MATH_FUNCTIONS = ("calc", "min", "max", "clamp")


class Uncertain(Exception):
    """A value the proof cannot evaluate with certainty; the message says why."""


def has_var(tokens: Sequence) -> bool:
    for token in tokens:
        if token.type == "function" and (token.lower_name == "var" or has_var(token.arguments)):
            return True
        if token.type in ("() block", "[] block", "{} block") and has_var(token.content):
            return True
    return False


def substitute(tokens: Sequence, lookup: Callable[[str], tuple | None]) -> tuple:
    """``tokens`` with every ``var(--name, fallback)`` replaced by the custom property's value, or its
    fallback when the property is not defined; Uncertain when neither exists."""
    from tinycss2.ast import FunctionBlock, ParenthesesBlock

    result: list = []
    for token in tokens:
        if token.type == "function" and token.lower_name == "var":
            arguments = list(token.arguments)
            name = next((t for t in arguments if t.type not in ("whitespace", "comment")), None)
            if name is None or name.type != "ident" or not name.value.startswith("--"):
                raise Uncertain("a var() without a custom property's name")
            comma = next((i for i, t in enumerate(arguments) if t.type == "literal" and t.value == ","), None)
            value = lookup(name.value)
            if value is None:
                if comma is None:
                    raise Uncertain(f"var({name.value}) names a custom property that is not set here")
                value = substitute(arguments[comma + 1 :], lookup)
            result.extend(value)
        elif token.type == "function":
            result.append(
                FunctionBlock(token.source_line, token.source_column, token.name, substitute(token.arguments, lookup))
            )
        elif token.type == "() block":
            result.append(ParenthesesBlock(token.source_line, token.source_column, substitute(token.content, lookup)))
        else:
            result.append(token)
    return tuple(result)


def length_px(value, font_size: float, root_font_size: float = 16.0, percent_of: float | None = None) -> float | None:
    """A CSS length in px (a serialised value or its tokens), None when it is not a length that can be
    known without layout (auto, a percentage of an unknown size, a keyword)."""
    import tinycss2

    tokens = tinycss2.parse_component_value_list(value) if isinstance(value, str) else list(value)
    tokens = [t for t in tokens if t.type not in ("whitespace", "comment")]
    if len(tokens) != 1:
        return None
    try:
        kind, number = _term(tokens[0], font_size, root_font_size, percent_of)
    except Uncertain:
        return None
    if kind == "number":
        return 0.0 if number == 0 else None
    return number


def is_math(value: str) -> bool:
    return any(value.startswith(name + "(") for name in MATH_FUNCTIONS)


def _unit_factor(unit: str, font_size: float, root: float) -> float | None:
    if unit in ABSOLUTE_UNITS:
        return ABSOLUTE_UNITS[unit]
    return {
        "em": font_size,
        "rem": root,
        "ex": font_size / 2,
        "ch": font_size / 2,
        "vw": PHONE_WIDTH / 100,
        "vh": PHONE_HEIGHT / 100,
        "vmin": PHONE_WIDTH / 100,
        "vmax": PHONE_HEIGHT / 100,
        "svw": PHONE_WIDTH / 100,
        "lvw": PHONE_WIDTH / 100,
        "dvw": PHONE_WIDTH / 100,
    }.get(unit)


def _term(token, font_size: float, root: float, percent_of: float | None) -> tuple[str, float]:
    """("length", px) or ("number", n) for one token; Uncertain otherwise."""
    if token.type == "number":
        return "number", float(token.value)
    if token.type == "dimension":
        factor = _unit_factor(token.lower_unit, font_size, root)
        if factor is None:
            raise Uncertain(f"the unit '{token.unit}'")
        return "length", token.value * factor
    if token.type == "percentage":
        if percent_of is None:
            raise Uncertain("a percentage of a size known only after layout")
        return "length", token.value / 100 * percent_of
    if token.type == "function" and token.lower_name in MATH_FUNCTIONS:
        return _function(token, font_size, root, percent_of)
    if token.type == "() block":
        return _Expression(list(token.content), font_size, root, percent_of).sum()
    raise Uncertain(f"'{getattr(token, 'value', token.type)}' in a length")


def _function(token, font_size: float, root: float, percent_of: float | None) -> tuple[str, float]:
    arguments: list[list] = [[]]
    for item in token.arguments:
        if item.type == "literal" and item.value == ",":
            arguments.append([])
        else:
            arguments[-1].append(item)
    values = [_Expression(argument, font_size, root, percent_of).sum() for argument in arguments]
    kinds = {kind for kind, _ in values}
    if len(kinds) != 1:
        raise Uncertain(f"{token.lower_name}() of a length and a number")
    numbers = [number for _, number in values]
    name = token.lower_name
    if name == "calc" and len(numbers) == 1:
        return values[0]
    if name == "min" and numbers:
        return kinds.pop(), min(numbers)
    if name == "max" and numbers:
        return kinds.pop(), max(numbers)
    if name == "clamp" and len(numbers) == 3:
        low, preferred, high = numbers
        return kinds.pop(), max(low, min(preferred, high))
    raise Uncertain(f"{name}() with {len(numbers)} argument(s)")


class _Expression:
    """``a + b * c - d / e`` of lengths and numbers, as calc() reads it."""

    def __init__(self, tokens: list, font_size: float, root: float, percent_of: float | None):
        self.tokens = [t for t in tokens if t.type not in ("whitespace", "comment")]
        self.at = 0
        self.context = (font_size, root, percent_of)

    def sum(self) -> tuple[str, float]:
        kind, total = self._product()
        while self.at < len(self.tokens):
            operator = self.tokens[self.at]
            if operator.type != "literal" or operator.value not in "+-":
                raise Uncertain("an expression the proof cannot read")
            self.at += 1
            other_kind, other = self._product()
            if other_kind != kind:
                raise Uncertain("a sum of a length and a number")
            total = total + other if operator.value == "+" else total - other
        if not self.tokens:
            raise Uncertain("an empty expression")
        return kind, total

    def _product(self) -> tuple[str, float]:
        kind, value = self._operand()
        while self.at < len(self.tokens) and self.tokens[self.at].type == "literal":
            operator = self.tokens[self.at].value
            if operator not in "*/":
                break
            self.at += 1
            other_kind, other = self._operand()
            if operator == "*":
                if kind == "length" and other_kind == "length":
                    raise Uncertain("a length times a length")
                kind = "length" if "length" in (kind, other_kind) else "number"
                value *= other
            else:
                if other_kind != "number" or other == 0:
                    raise Uncertain("a division by a length or by zero")
                value /= other
        return kind, value

    def _operand(self) -> tuple[str, float]:
        if self.at >= len(self.tokens):
            raise Uncertain("an incomplete expression")
        token = self.tokens[self.at]
        self.at += 1
        return _term(token, *self.context)
