"""HTML turned into text, one helper per purpose. (The newsletter's plain-text part is a rendering of
its own: products/newsletter/plaintext.py.)"""

from __future__ import annotations

import html as html_module
import re

_BLOCKS = ("p", "li", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "tr", "figcaption", "br")


def block_lines(html: str) -> str:
    """The text of a fragment, one block element per line: a required block's paragraphs, an
    article's text for the gate."""
    import lxml.html

    if not html.strip():
        return ""
    fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    for block in fragment.iter(*_BLOCKS):
        block.tail = "\n" + (block.tail or "")
    text = fragment.text_content()
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def running_prose(html: str) -> str:
    """An article's running text, one block per line, without headings (they are not sentences):
    what a reading grade is measured on."""
    import lxml.html

    if not html.strip():
        return ""
    fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    blocks = fragment.xpath("//p[not(ancestor::li) and not(ancestor::td)]|//li|//dd|//td|//th")
    return "\n".join(" ".join(block.text_content().split()) for block in blocks)


def tag_free(html: str) -> str:
    """Markup removed and entities decoded, nothing else: a heading's title, the characters a page prints."""
    return html_module.unescape(re.sub(r"<[^>]+>", "", html))
