"""The handout's tag tree, as a screen reader needs it (PDF/UA-1).

WeasyPrint tags the PDF from the HTML; where its mapping falls short, the handout's markup
is given in a form it tags well, and its tree is finished before the file is written:

* a definition list becomes list items that each hold a term and its definitions (WeasyPrint
  makes every <dt> and <dd> an item of its own, so terms and definitions come apart);
* a footnote's text is a <x-note>, tagged Note (with the ID PDF/UA asks of notes);
* a nested list moves inside its item's body (WeasyPrint hangs it beside the item);
* a link's annotation hangs on its Link element, not on a span inside the link;
* a link's annotation says in words where it goes ("Call 988", "Footnote 1") instead of the
  raw target, and prints (the Print flag);
* a glyph that draws several right-to-left letters (the lam-alef ligature) maps them in the order
  text extractors give back as written.
"""

from __future__ import annotations

import re

NOTE_ELEMENT = "x-note"


def tag_notes(weasyprint) -> None:
    """Teach WeasyPrint's tagger that <x-note> is a Note (it maps elements by name alone)."""
    from weasyprint.pdf import tags

    if getattr(tags._get_pdf_tag, "knows_notes", False):
        return
    original = tags._get_pdf_tag

    def pdf_tag(tag):
        return "Note" if tag == NOTE_ELEMENT else original(tag)

    pdf_tag.knows_notes = True  # type: ignore[attr-defined]
    tags._get_pdf_tag = pdf_tag


def for_tagging(body_html: str) -> str:
    """The article's markup in the form WeasyPrint tags well (the same string when nothing changes)."""
    if "<dl" not in body_html and 'class="footnote"' not in body_html:
        return body_html
    import html as html_module

    import lxml.etree
    import lxml.html

    fragment = lxml.html.fragment_fromstring(body_html, create_parent="div")
    for definitions in list(fragment.iter("dl")):
        items = lxml.html.Element("ul", {"class": "definitions"})
        item = None
        for child in list(definitions):
            if child.tag == "dt" or item is None:
                item = lxml.etree.SubElement(items, "li")
            child.tag, kind = "div", "term" if child.tag == "dt" else "definition"
            child.set("class", kind)
            item.append(child)
        items.tail = definitions.tail
        definitions.getparent().replace(definitions, items)
    for notes in fragment.xpath("//div[contains(concat(' ', @class, ' '), ' footnote ')]"):
        for note in notes.iter("li"):
            body = lxml.html.Element(NOTE_ELEMENT)
            body.text, note.text = note.text, None
            for child in list(note):
                body.append(child)
            note.append(body)
    return html_module.escape(fragment.text or "", quote=False) + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in fragment
    )


def finisher(document, pdf, words) -> None:
    """Finish WeasyPrint's tree and annotations, in memory, before the file is written. ``words``:
    the handout's language (publishing/words.py), for what a screen reader says of a link."""
    import pydyf

    objects = {obj.number: obj for obj in pdf.objects if hasattr(obj, "number")}

    def element(reference) -> pydyf.Dictionary | None:
        found = objects.get(int(reference.split()[0])) if isinstance(reference, bytes) else None
        return found if isinstance(found, pydyf.Dictionary) else None

    notes = 0
    for obj in list(objects.values()):
        if not isinstance(obj, pydyf.Dictionary) or obj.get("Type") != "/StructElem":
            continue
        if obj["S"] == "/Note":
            notes += 1
            obj["ID"] = pydyf.String(f"note-{notes}")
        if obj["S"] == "/L":
            _nest_lists(obj, element)
    for obj in list(objects.values()):
        if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/StructElem" and obj["S"] == "/LI":
            _items_hold_a_label_and_a_body(obj, element, pdf)
    _annotations_in_their_link(objects, element)
    for obj in objects.values():
        if isinstance(obj, pydyf.Stream) and b"/Ordering (UCS)" in obj.stream:
            _right_to_left_clusters_read_in_order(obj)
    for page in document.pages:
        for link_type, target, _, box in page.links:
            annotation = getattr(box, "link_annotation", None)
            if annotation is not None:
                annotation["F"] = 4  # Print: the annotation is part of the page on paper too
                said = _spoken_label(box) or _describe(link_type, target, _link_words(box), words)
                annotation["Contents"] = pydyf.String(said)


def _annotations_in_their_link(objects: dict, element) -> None:
    """A link's annotation belongs to its Link element (PDF/UA). WeasyPrint hangs it on the innermost
    element that holds its text: a <span> inside the link (a Korean word held whole, a number held left
    to right in Farsi, an author's <em>) took it out. It moves up to the Link, and the parent tree's
    entry for it follows."""
    parent_tree = next(
        (
            element(obj["ParentTree"])
            for obj in objects.values()
            if isinstance(obj, dict) and obj.get("Type") == "/StructTreeRoot"
        ),
        None,
    )
    numbers = parent_tree["Nums"] if parent_tree is not None else []
    for obj in list(objects.values()):
        if not isinstance(obj, dict) or obj.get("Type") != "/StructElem" or obj.get("S") == "/Link":
            continue
        for kid in list(obj["K"]):
            found = objects.get(int(kid.split()[0])) if isinstance(kid, bytes) else None
            if not isinstance(found, dict) or found.get("Type") != "/OBJR":
                continue
            link = element(obj.get("P"))
            while link is not None and link.get("S") != "/Link":
                link = element(link.get("P"))
            if link is None:
                continue
            obj["K"].remove(kid)
            link["K"].append(kid)
            annotation = objects.get(int(found["Obj"].split()[0]))
            key = annotation.get("StructParent") if isinstance(annotation, dict) else None
            for index in range(0, len(numbers) - 1, 2):
                if numbers[index] == key:
                    numbers[index + 1] = link.reference


_CMAP_ENTRY = re.compile(rb"^<([0-9a-f]{4,})> <((?:[0-9a-f]{4})+)>$")


def _right_to_left_clusters_read_in_order(to_unicode) -> None:
    """A glyph that stands for several right-to-left characters (the lam-alef ligature, لا) read back
    in logical order. Text extractors (PDFium, poppler: what screen readers and copy and paste meet)
    take a line's glyphs in visual order and reverse a right-to-left run, the characters of each
    glyph's mapping with them: WeasyPrint's logical "لا" came back as "ال", and "نوروپلاستیسیته" as
    "نوروپالستیسیته". So such a glyph is mapped to its characters in visual order."""
    import unicodedata

    for index, line in enumerate(to_unicode.stream):
        entry = _CMAP_ENTRY.match(line) if isinstance(line, bytes) else None
        if entry is None or len(entry[2]) <= 4:
            continue
        text = bytes.fromhex(entry[2].decode()).decode("utf-16-be")
        classes = {unicodedata.bidirectional(character) for character in text}
        if classes & {"R", "AL"} and classes <= {"R", "AL", "NSM"}:
            reversed_hex = "".join(character.encode("utf-16-be").hex() for character in reversed(text))
            to_unicode.stream[index] = b"<" + entry[1] + b"> <" + reversed_hex.encode() + b">"


def _nest_lists(listing, element) -> None:
    """Move each list that follows an item into that item's body, where it belongs."""
    kids = listing["K"]
    index = 1
    while index < len(kids):
        nested, previous = element(kids[index]), element(kids[index - 1])
        if nested is not None and nested.get("S") == "/L" and previous is not None and previous.get("S") == "/LI":
            bodies = [kid for kid in previous["K"] if (body := element(kid)) is not None and body.get("S") == "/LBody"]
            if bodies:
                body = element(bodies[-1])
                assert body is not None
                body["K"].append(kids[index])
                nested["P"] = bodies[-1]
                del kids[index]
                continue
        index += 1


def _items_hold_a_label_and_a_body(item, element, pdf) -> None:
    """An item's children are its label and its body (PDF/UA): anything else goes into the body."""
    import pydyf

    strays = [kid for kid in item["K"] if (child := element(kid)) is None or child.get("S") not in ("/Lbl", "/LBody")]
    if not strays:
        return
    body = pydyf.Dictionary({"Type": "/StructElem", "S": "/LBody", "K": pydyf.Array(strays), "P": item.reference})
    if "Pg" in item:
        body["Pg"] = item["Pg"]
    pdf.add_object(body)
    for kid in strays:
        child = element(kid)
        if child is not None:
            child["P"] = body.reference
    kept = [kid for kid in item["K"] if kid not in strays]
    item["K"] = pydyf.Array([*kept, body.reference])


def _link_words(box) -> str:
    """All the words of the link a box belongs to: a link broken over two lines has a box (and an
    annotation) on each, and each annotation describes the whole link."""
    element = getattr(box, "element", None)
    return "".join(element.itertext()) if element is not None else _words(box)


def _words(box) -> str:
    if hasattr(box, "text"):
        return box.text
    return "".join(_words(child) for child in getattr(box, "children", ()))


def _spoken_label(box) -> str:
    """What the link's own markup says a screen reader should say (a safety block's ``says``)."""
    element = getattr(box, "element", None)
    label = element.get("aria-label") if element is not None else None
    return " ".join(label.split()) if label else ""


def _describe(link_type: str, target: str, words: str, language) -> str:
    """What a screen reader should say for a link: its words, described once. Only a bare number or
    address (words without a letter: "988") gets what it is said before it ("Call 988"), in the
    handout's language (``language``: its Words); words that say something are never prefixed, in
    any language (prefixing them made the Spanish handout say its verb twice)."""
    _ = language.gettext
    words = " ".join(words.split())
    if link_type == "internal":
        if target.startswith("fn-"):
            return _("Footnote %(number)s", number=words)
        return _("Go to: %(place)s", place=words) if words else _("Go to another part of this handout")
    kind, _colon, rest = target.partition(":")
    bare = not any(character.isalpha() for character in words)
    if kind == "tel" and bare:
        return _("Call %(number)s", number=words or rest)
    if kind == "sms" and bare:
        return _("Text %(number)s", number=words or rest.split("?")[0])
    if kind == "mailto" and "@" in words and " " not in words:  # a bare address, not "Write to a@b.org"
        return _("Email %(address)s", address=words)
    return words or _("Open %(address)s", address=target)
