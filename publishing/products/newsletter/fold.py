"""Lines no longer than SMTP allows, broken only where a reader sees no difference."""

from __future__ import annotations

import re

from .limits import LINE_LIMIT

_TOKENS = re.compile(
    r"(?P<comment><!--.*?-->)"
    r"|(?P<tag></?[A-Za-z][^\s/>]*(?:\s+[^\s=/>]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*\s*/?>)"
    r"|(?P<other><![^>]*>)"
    r"|(?P<text>[^<]+|<)",
    re.DOTALL,
)


_ATTRIBUTE = re.compile(r"""(\s+)([^\s=/>]+)(\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?""")


_TAG_NAME = re.compile(r"</?[A-Za-z][^\s/>]*")
_PRESERVED = {"pre", "textarea"}


def fold_long_lines(html: str, limit: int = LINE_LIMIT) -> str:
    """Break lines over ``limit`` bytes where a line break changes nothing a reader sees.

    Safe places: a space in text (outside <pre>), the space between two attributes, and
    after a ';' in a style attribute. Comments (Outlook's conditional ones), URLs and
    other attribute values are never broken.
    """
    lines = _Lines(limit)
    preserved = 0
    for token in _TOKENS.finditer(html):
        kind, value = token.lastgroup, token.group()
        if kind == "text":
            if preserved:
                lines.add(value)
                continue
            for index, word in enumerate(value.split(" ")):
                if index:
                    lines.add(" ", separator=True)
                if word:
                    lines.add(word)
        elif kind == "tag":
            if lines.add_tag(value) in _PRESERVED:
                preserved += -1 if value.startswith("</") else 1
        else:
            lines.add(value)
    return "".join(lines.pieces)


class _Lines:
    """The output in pieces, and the separators on the current line that may still become a break."""

    def __init__(self, limit: int):
        self.limit = limit
        self.pieces: list[str] = []
        self.breakable: list[int] = []  # indices in pieces of separators that may become "\n"
        self.line = 0  # bytes on the current output line

    def add(self, text: str, separator: bool = False) -> None:
        pieces, breakable = self.pieces, self.breakable
        if separator:
            breakable.append(len(pieces))
        pieces.append(text)
        if "\n" in text:
            self.line = len(text.rsplit("\n", 1)[1].encode("utf-8"))
            breakable.clear()
            if separator:
                breakable.append(len(pieces) - 1)
            return
        self.line += len(text.encode("utf-8"))
        while self.line > self.limit and breakable:
            index = breakable.pop()
            pieces[index] = "\n" if pieces[index] == " " else pieces[index] + "\n"
            self.line = sum(len(p.encode("utf-8")) for p in pieces[index + 1 :])
            breakable[:] = [i for i in breakable if i > index]

    def add_tag(self, value: str) -> str:
        """A tag, breakable between its attributes and after each declaration of its style; its name."""
        tag_name = _TAG_NAME.match(value)
        head = tag_name.group() if tag_name else value  # a tag token always starts with its name
        self.add(head)
        rest = value[len(head) :]
        position = 0
        for attribute in _ATTRIBUTE.finditer(rest):
            if attribute.start() != position:
                break
            space, attr_name, assignment = attribute.groups()
            self.add(" " if space == " " else space, separator=space == " ")
            self.add(attr_name)
            if assignment and attr_name.lower() == "style":
                for index, declaration in enumerate(re.split(r"(?<=;)", assignment)):
                    if index and declaration:
                        self.add("", separator=True)
                    if declaration:
                        self.add(declaration)
            elif assignment:
                self.add(assignment)
            position = attribute.end()
        self.add(rest[position:])
        return head.lstrip("</").lower()
