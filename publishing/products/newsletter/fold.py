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
    pieces: list[str] = []
    breakable: list[int] = []  # indices in pieces of separators that may become "\n"
    line = 0  # bytes on the current output line
    preserved = 0

    def add(text: str, separator: bool = False) -> None:
        nonlocal line
        if separator:
            breakable.append(len(pieces))
        pieces.append(text)
        if "\n" in text:
            line = len(text.rsplit("\n", 1)[1].encode("utf-8"))
            breakable.clear()
            if separator:
                breakable.append(len(pieces) - 1)
            return
        line += len(text.encode("utf-8"))
        while line > limit and breakable:
            index = breakable.pop()
            pieces[index] = "\n" if pieces[index] == " " else pieces[index] + "\n"
            line = sum(len(p.encode("utf-8")) for p in pieces[index + 1 :])
            breakable[:] = [i for i in breakable if i > index]

    for token in _TOKENS.finditer(html):
        kind, value = token.lastgroup, token.group()
        if kind == "text":
            if preserved:
                add(value)
                continue
            for index, word in enumerate(value.split(" ")):
                if index:
                    add(" ", separator=True)
                if word:
                    add(word)
        elif kind == "tag":
            tag_name = _TAG_NAME.match(value)
            head = tag_name.group() if tag_name else value  # a tag token always starts with its name
            name = head.lstrip("</").lower()
            if name in _PRESERVED:
                preserved += -1 if value.startswith("</") else 1
            add(head)
            rest = value[len(head) :]
            position = 0
            for attribute in _ATTRIBUTE.finditer(rest):
                if attribute.start() != position:
                    break
                space, attr_name, assignment = attribute.groups()
                add(" " if space == " " else space, separator=space == " ")
                add(attr_name)
                if assignment and attr_name.lower() == "style":
                    for index, declaration in enumerate(re.split(r"(?<=;)", assignment)):
                        if index and declaration:
                            add("", separator=True)
                        if declaration:
                            add(declaration)
                elif assignment:
                    add(assignment)
                position = attribute.end()
            add(rest[position:])
        else:
            add(value)
    return "".join(pieces)
