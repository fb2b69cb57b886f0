"""Limits that keep a pasted monster from hanging a build or exhausting memory: what one source may
be, checked before its conversion (check_size) and after it (check_depth)."""

from __future__ import annotations

import re

from .errors import PublishingError

# A patient handout is 5-50 KB; WeasyPrint and lxml fail on nesting a few hundred levels deep.
MAX_SOURCE_BYTES = 400_000
MAX_LINE_CHARACTERS = 10_000
MAX_NESTING = 12  # lists and quotes, as written in Markdown
MAX_HTML_DEPTH = 40  # elements inside elements, after conversion


def check_size(source) -> None:
    for number, line in enumerate(source.body.split("\n"), start=source.body_line):
        if len(line) > MAX_LINE_CHARACTERS:
            raise PublishingError(
                source.path,
                f"the line is {len(line):,} characters long (at most {MAX_LINE_CHARACTERS:,})",
                line=number,
                hint="break it into paragraphs",
            )
        stripped = line.lstrip(" \t")
        indent = len(line[: len(line) - len(stripped)].expandtabs(4)) // 4
        quote_marks = re.match(r"(?:>\s*)*", stripped)
        quotes = quote_marks.group(0).count(">") if quote_marks else 0
        if max(indent, quotes) > MAX_NESTING:
            raise PublishingError(
                source.path,
                f"lists or quotes are nested {max(indent, quotes)} levels deep (at most {MAX_NESTING})",
                line=number,
                hint="flatten the list or quote; readers lose their way after two or three levels",
            )
    size = len(source.body.encode("utf-8"))
    if size > MAX_SOURCE_BYTES:
        raise PublishingError(
            source.path,
            f"the article is {size // 1000:,} KB; at most {MAX_SOURCE_BYTES // 1000} KB is supported",
            line=source.body_line,
            hint="split it into several articles (a handout is usually under 50 KB)",
        )


def check_depth(source, html: str) -> None:
    depth = deepest = 0
    for closing, tag in re.findall(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(?<!/)>", html):
        if tag.lower() in ("img", "br", "hr", "col", "wbr"):
            continue
        depth += -1 if closing else 1
        deepest = max(deepest, depth)
    if deepest > MAX_HTML_DEPTH:
        raise PublishingError(
            source.path,
            f"the article's elements are nested {deepest} levels deep (at most {MAX_HTML_DEPTH})",
            line=source.body_line,
            hint="remove the pasted HTML that wraps elements inside elements",
        )
