"""Markup nested the way XHTML allows, whatever HTML was pasted.

An HTML parser accepts `<b>` left open across a list, and keeps it there: browsers do not
mind, but in an EPUB a `<b>` around list items, or text straight inside a list, is invalid
(EPUBCheck RSC-005). After sanitising, the fragment is mended the way a careful editor
would: formatting that wraps whole blocks is unwrapped (its words stay), stray content of a
list, a definition list or a table row goes into an item of its own, and blocks inside a
paragraph or heading give up their markup. Well-formed markup comes back byte for byte.
"""

from __future__ import annotations

import html as html_module

# Elements that may hold only text and other such elements.
_PHRASING = {
    "a",
    "abbr",
    "b",
    "br",
    "code",
    "del",
    "em",
    "i",
    "img",
    "ins",
    "kbd",
    "mark",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
}
_PHRASING_ONLY = {"p", "h2", "h3", "h4", "h5", "h6", "pre", "caption", "figcaption", "dt", *_PHRASING}
# Containers and the only children they may have; stray content goes into a new child of the first kind.
_CHILDREN = {
    "ul": ("li",),
    "ol": ("li",),
    "dl": ("dd", "dt", "div"),
    "tr": ("td", "th"),
    "table": ("tr", "caption", "thead", "tbody", "tfoot", "colgroup"),
    "thead": ("tr",),
    "tbody": ("tr",),
    "tfoot": ("tr",),
}


def mend(html: str) -> str:
    """``html`` with its nesting made valid (the same string when it already was)."""
    if "<" not in html:
        return html
    import lxml.html

    fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    changed = False

    def is_block(element) -> bool:
        return isinstance(element.tag, str) and element.tag not in _PHRASING

    # Formatting around blocks (a <b> left open across a list): the formatting goes, the blocks stay.
    for element in list(fragment.iter(*_PHRASING)):
        if any(is_block(inner) for inner in element.iterdescendants()):
            element.drop_tag()
            changed = True
    # Blocks inside a paragraph or heading: the block's markup goes, its words stay.
    for element in list(fragment.iter(*(_PHRASING_ONLY - _PHRASING))):
        for inner in list(element.iterdescendants()):
            if is_block(inner):
                inner.drop_tag()
                changed = True
    # Stray content of a list, a definition list, a table: into an item of its own.
    for container in list(fragment.iter(*_CHILDREN)):
        kind = _CHILDREN[container.tag][0]
        if (container.text or "").strip():
            item = _item(kind, container.text)
            container.text = None
            container.insert(0, item)
            changed = True
        for child in list(container):
            if not isinstance(child.tag, str):
                continue
            if (
                child.tag not in _CHILDREN[container.tag]
                and child.tag in _PHRASING
                and not child.text_content().strip()
                and not list(child.iter("img"))
            ):
                child.drop_tree()  # an empty stray <b>: nothing to keep (drop_tree keeps its tail)
                changed = True
                continue
            if child.tag not in _CHILDREN[container.tag]:
                item = _item(kind, None)
                child.addprevious(item)
                (item if kind != "tr" else item[0]).append(child)
                child = item
                changed = True
            if (child.tail or "").strip():
                item = _item(kind, child.tail)
                child.tail = None
                child.addnext(item)
                changed = True
    if not changed:
        return html
    return html_module.escape(fragment.text or "", quote=False) + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in fragment
    )


def _item(kind: str, text: str | None):
    """A new child for a container: an <li>, a <dd>, a <td>, or a row holding a cell."""
    import lxml.etree
    import lxml.html

    item = lxml.html.Element(kind)
    cell = lxml.etree.SubElement(item, "td") if kind == "tr" else item
    cell.text = text
    return item
