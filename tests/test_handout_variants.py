"""Handouts true to their names: an office page people read, a large print that meets large-print guidance,
a print-shop PDF/X-4 a press accepts, and a tag tree a screen reader can follow.

Built by `invoke` in a project copy where the sample has been clinically reviewed (the footers then carry
the most text), beside the rich fixture."""

from __future__ import annotations

import math
import re
import shutil
import statistics
import subprocess

import pytest
from pypdf import PdfReader

from conftest import FIXTURES, SAMPLE, copy_project, invoke
from extract import pdftotext

VARIANTS = {"office": "", "large-print": ".large-print", "print-shop": ".print-shop"}
REVIEW = "Last reviewed May 4, 2026 by Dana Reyes, MD · Next review due May 4, 2027"


@pytest.fixture(scope="module")
def handouts(tmp_path_factory):
    """{(article, variant): pdf} for the reviewed sample (every variant) and the rich fixture."""
    project = copy_project(tmp_path_factory.mktemp("variants"))
    source = project / f"sources/{SAMPLE}.md"
    source.write_text(
        source.read_text().replace(
            "category: Conditions",
            "category: Conditions\nlast_reviewed: 2026-05-04\nmedical_reviewer: {name: Dana Reyes, credentials: MD}",
        )
    )
    shutil.copy(FIXTURES / "rich/how-we-support-you.md", project / "sources")
    shutil.copytree(FIXTURES / "rich/images", project / "sources/images")
    for variant in VARIANTS:
        result = invoke("handout", "--variant", variant, cwd=project)
        assert "Traceback" not in result.stderr
    built: dict = {
        (name, variant): project / f"build/handouts/{name}{infix}.pdf"
        for variant, infix in VARIANTS.items()
        for name in (SAMPLE, "how-we-support-you")
    }
    built["project"] = project
    return built


def _glyphs(pdf):
    """(page, character, box, size in points) of every drawn character, read with PDFium directly."""
    import ctypes

    import pypdfium2
    import pypdfium2.raw as raw

    document = pypdfium2.PdfDocument(str(pdf))
    for number, page in enumerate(document):
        text = page.get_textpage()
        for index in range(text.count_chars()):
            character = chr(raw.FPDFText_GetUnicode(text, index))
            if not character.strip() or ord(character) < 32:
                continue
            matrix = raw.FS_MATRIX()
            raw.FPDFText_GetMatrix(text, index, matrix)
            size = raw.FPDFText_GetFontSize(text, index) * math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
            left, bottom, right, top, x, y = (ctypes.c_double() for _ in range(6))
            raw.FPDFText_GetCharBox(text, index, left, right, bottom, top)
            raw.FPDFText_GetCharOrigin(text, index, x, y)
            yield number, character, (left.value, bottom.value, right.value, top.value, y.value), size
    document.close()


@pytest.mark.parametrize(
    "article, variant",
    [(SAMPLE, v) for v in VARIANTS] + [("how-we-support-you", "office"), ("how-we-support-you", "large-print")],
)
def test_no_two_glyphs_overlap_on_any_page(handouts, article, variant):
    """Lines that run into each other (a footer's phone number over its review line): glyphs of different
    lines whose boxes cover each other. Glyphs of one line may touch (kerned pairs such as "Te")."""
    boxes: dict[int, list] = {}
    for page, character, box, _ in _glyphs(handouts[(article, variant)]):
        boxes.setdefault(page, []).append((box, character))
    for page, glyphs in boxes.items():
        glyphs.sort()
        for i, ((left, bottom, right, top, baseline), one) in enumerate(glyphs):
            for (other_left, other_bottom, other_right, other_top, other_baseline), other in glyphs[i + 1 :]:
                if other_left >= right:
                    break
                if abs(baseline - other_baseline) < 0.5:
                    continue
                width = min(right, other_right) - max(left, other_left)
                height = min(top, other_top) - max(bottom, other_bottom)
                narrow = min(right - left, other_right - other_left)
                low = min(top - bottom, other_top - other_bottom)
                assert not (width > 0.3 * narrow and height > 0.3 * low), f"page {page + 1}: {one!r} and {other!r}"


def test_large_print_is_large_everywhere_without_italics_or_added_capitals(handouts):
    pdf = handouts[(SAMPLE, "large-print")]
    sizes = [size for _, _, _, size in _glyphs(pdf)]
    assert min(sizes) >= 17.5, min(sizes)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Italic" not in fonts
    source = (handouts["project"] / f"sources/{SAMPLE}.md").read_text() + " ".join(
        (handouts["project"] / "sources/_required" / name).read_text() for name in ("crisis.md", "disclaimer.md")
    )
    for run in re.findall(r"\b[A-Z]{4,}(?:\s+[A-Z]{4,})*\b", pdftotext(pdf)):
        assert run in source, f"capitals the source did not write: {run!r}"
    footer = [page.extract_text().splitlines()[-3:] for page in PdfReader(pdf).pages]
    assert all(any("Page" in line for line in lines) for lines in footer)


def test_the_office_page_has_a_readable_measure_and_keeps_its_promises(handouts):
    pdf = handouts[(SAMPLE, "office")]
    lines = [line.strip() for line in pdftotext(pdf, layout=False).splitlines() if len(line.strip()) > 30]
    assert statistics.median(len(line) for line in lines) <= 80
    reader = PdfReader(pdf)
    assert len(reader.pages) <= 4
    pages = [page.extract_text() for page in reader.pages]
    assert "Call 988 or text 988" in pages[0] and "Chat at 988lifeline.org. In an emergency, call 911." in pages[0]
    assert "Medical disclaimer" in pages[-1]
    sizes = {character: size for page, character, _, size in _glyphs(pdf) if page == 0}
    crisis_call = [size for page, character, _, size in _glyphs(pdf) if page == 0 and character == "8"]
    assert max(crisis_call) >= 18 and sizes


def test_every_page_says_how_fresh_the_handout_is(handouts):
    reviewed = [" ".join(page.extract_text().split()) for page in PdfReader(handouts[(SAMPLE, "office")]).pages]
    assert all(REVIEW in page for page in reviewed)
    version = re.search(r"Version ([0-9a-f]{7})", reviewed[0]).group(1)
    assert all(f"Version {version}" in page for page in reviewed)
    unreviewed = [page.extract_text() for page in PdfReader(handouts[("how-we-support-you", "office")]).pages]
    rich = (FIXTURES / "rich/how-we-support-you.md").read_text()
    if "last_reviewed" not in rich:
        assert all("Not yet clinically reviewed" in page for page in unreviewed)


def test_an_unreviewed_handout_says_so_on_every_page(project_copy):
    assert invoke("handout", cwd=project_copy).returncode == 0
    pages = [page.extract_text() for page in PdfReader(project_copy / f"build/handouts/{SAMPLE}.pdf").pages]
    assert all("Not yet clinically reviewed" in " ".join(page.split()) for page in pages)


def test_the_print_shop_file_is_a_real_pdf_x_4(handouts):
    reader = PdfReader(handouts[(SAMPLE, "print-shop")])
    root = reader.trailer["/Root"]
    [intent] = [item.get_object() for item in root["/OutputIntents"]]
    assert intent["/S"] == "/GTS_PDFX" and intent["/DestOutputProfile"].get_object()["/N"] == 4
    assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in reader.xmp_metadata.rdf_root.toxml()
    assert "/StructTreeRoot" in root
    for page in reader.pages:
        trim, bleed = [float(v) for v in page.trimbox], [float(v) for v in page.bleedbox]
        assert bleed[0] < trim[0] and bleed[1] < trim[1] and bleed[2] > trim[2] and bleed[3] > trim[3]
        content = page.get_contents().get_data()
        assert b"/DeviceRGB" not in content and not re.search(rb"\srg\s", content)  # colour is CMYK


def test_a_picture_too_coarse_for_a_press_is_refused_and_one_below_300_ppi_is_named(handouts, tmp_path):
    project = handouts["project"]
    result = invoke("handout", "--variant", "print-shop", cwd=project)
    assert (
        "sources/how-we-support-you.md:47: error: print shop: the picture 'images/connections.png' prints at "
        "96 ppi (480 pixels across 5.0 in), under the 150 a press needs; use a larger original (750 to 1500 "
        "pixels wide at this size), or print the office handout"
    ) in result.stderr.splitlines()
    assert not (project / "build/handouts/how-we-support-you.print-shop.pdf").exists()
    sharper = copy_project(tmp_path)
    from PIL import Image

    (sharper / "sources/images").mkdir()
    Image.new("RGB", (1000, 500), "white").save(sharper / "sources/images/chart.png")
    source = sharper / f"sources/{SAMPLE}.md"
    source.write_text(source.read_text() + "\n![A chart](images/chart.png)\n")
    result = invoke("handout", "--variant", "print-shop", cwd=sharper)
    assert result.returncode == 0
    assert (
        "warning: handout: the picture 'images/chart.png' prints at 179 ppi in the print-shop handout "
        "(1680 pixels wide would be 300 ppi or more)"
    ) in result.stderr


# --- The tag tree --------------------------------------------------------------------------------


def _tree(pdf):
    """(role, parent role, element) of every structure element, read with pypdf."""
    reader = PdfReader(pdf)
    stack = [(reader.trailer["/Root"]["/StructTreeRoot"].get_object(), "")]
    while stack:
        element, parent = stack.pop()
        role = str(element.get("/S", ""))
        yield role, parent, element
        kids = element.get("/K", [])
        kids = kids if isinstance(kids, list) else [kids]
        for kid in kids:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict) and kid.get("/Type") != "/OBJR" and "/MCID" not in kid:
                stack.append((kid, role))


def test_definitions_stay_paired_nested_lists_sit_in_their_item_and_notes_are_notes(handouts):
    pdf = handouts[("how-we-support-you", "office")]
    tree = list(_tree(pdf))
    assert all(parent != "/L" for role, parent, _ in tree if role == "/L"), "a list hangs beside its item"
    for role, _, element in tree:
        if role == "/LI":
            kids = [kid.get_object()["/S"] for kid in element["/K"]]
            assert set(kids) <= {"/Lbl", "/LBody"} and "/LBody" in kids
    notes = [element for role, _, element in tree if role == "/Note"]
    assert notes and all("/ID" in note for note in notes)
    structure = subprocess.run(["pdfinfo", "-struct-text", str(pdf)], capture_output=True, text=True).stdout
    term = structure.index('"NMDA"')
    assert structure.index('"A receptor for glutamate."') - term < 200  # in the same item as its term


def test_links_say_in_words_where_they_go_and_print(handouts):
    pdf = handouts[("how-we-support-you", "office")]
    annotations = [annotation.get_object() for page in PdfReader(pdf).pages for annotation in page.get("/Annots", [])]
    contents = [str(annotation["/Contents"]) for annotation in annotations]
    assert "Call 988" in contents and "text 988" in contents and "Footnote 1" in contents
    assert not any(content.startswith(("tel:", "sms:", "fn-", "#")) for content in contents)
    assert all(int(annotation["/F"]) & 4 for annotation in annotations)


@pytest.mark.parametrize(
    "article, variant",
    [
        (SAMPLE, "office"),
        (SAMPLE, "large-print"),
        ("how-we-support-you", "office"),
        ("how-we-support-you", "large-print"),
    ],
)
def test_pdf_ua_checkers_find_no_failure(handouts, article, variant):
    import page

    pdf = handouts[(article, variant)]
    report = page.validate_pdf(pdf, profile=page.ValidationProfile.PDF_UA_1)
    assert report.is_compliant, [(failure.rule_id, failure.message) for failure in report.failures]
    outloud = subprocess.run(["outloud", "--json", "-", "--fail-on", "error", str(pdf)], capture_output=True, text=True)
    assert outloud.returncode == 0, outloud.stdout[-2000:]
