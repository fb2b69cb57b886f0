"""The PDF handout as staff print it and patients read it: the office version, large print and
the print-shop file, each checked with the tools a reader's or a printer's software uses."""

from __future__ import annotations

import logging
import math
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from conftest import FIXTURES, ROOT, SAMPLE, copy_project, invoke
from extract import normalised, pdftotext
from wording import CRISIS as CRISIS_WORDING
from wording import DISCLAIMER as DISCLAIMER_WORDING

RICH = "how-we-support-you"
TITLE = "How Does Ketamine Work for Depression?"
CRISIS = CRISIS_WORDING.text
DISCLAIMER = DISCLAIMER_WORDING.text
WEB_ADDRESS = "https://example.org/guides/"
BLEED = 9  # 0.125 in, in PDF points


class _Records(logging.Handler):
    """Every warning or error WeasyPrint or the pipeline logs while a handout is built."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.records: list[str] = []

    def emit(self, record):
        self.records.append(f"{record.name}: {record.getMessage()}")


def _build_in_process(root: Path, out: Path, sources: Path | None, variant: str) -> tuple[Path, list[str]]:
    """Build one handout with the pipeline's own functions, listening to every logger it may warn on."""
    from publishing.products import PRODUCTS

    handout = PRODUCTS["handout"]
    from publishing.article import load_article
    from publishing.site import load_site

    site = load_site(root, sources=sources, out=out)
    source = next(p for p in sorted(site.folders.sources.glob("*.md")) if not p.name.startswith("_"))
    article = load_article(source, site.settings, site.folders.sources)
    listener = _Records()
    loggers = [logging.getLogger(name) for name in ("weasyprint", "publishing")]
    for logger in loggers:
        logger.addHandler(listener)
    try:
        out.mkdir(parents=True, exist_ok=True)
        [pdf] = handout.build(article, site, out, variant)
        handout.verify(site, [pdf], pdf, article)
    finally:
        for logger in loggers:
            logger.removeHandler(listener)
    return pdf, listener.records


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, tuple[Path, list[str]]]:
    """name -> (PDF, warnings logged while building it): the sample in each variant, the rich fixture."""
    out = tmp_path_factory.mktemp("handouts")
    return {
        "office": _build_in_process(ROOT, out / "office", None, "office"),
        "large-print": _build_in_process(ROOT, out / "large-print", None, "large-print"),
        "print-shop": _build_in_process(ROOT, out / "print-shop", None, "print-shop"),
        "rich": _build_in_process(ROOT, out / "rich", FIXTURES / "rich", "office"),
    }


def _project_with(tmp_path_factory, name: str, setting: str, value: str) -> Path:
    """A private copy of the project with one setting changed, its handout built by the real CLI."""
    folder = copy_project(tmp_path_factory.mktemp(name))
    settings = folder / "pyproject.toml"
    text, count = re.subn(rf'^{setting} = "[^"]*"', f'{setting} = "{value}"', settings.read_text(), flags=re.MULTILINE)
    assert count == 1
    settings.write_text(text)
    result = invoke("handout", cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning:" not in result.stderr, result.stderr
    return folder / f"build/handouts/{SAMPLE}.pdf"


@pytest.fixture(scope="module")
def with_web_address(tmp_path_factory) -> Path:
    return _project_with(tmp_path_factory, "web", "web_address", WEB_ADDRESS)


@pytest.fixture(scope="module")
def on_a4(tmp_path_factory) -> Path:
    return _project_with(tmp_path_factory, "a4", "paper_size", "a4")


def every_pdf(built, with_web_address) -> dict[str, Path]:
    return {**{name: pdf for name, (pdf, _) in built.items()}, "web address": with_web_address}


VARIANTS = ("office", "large-print", "print-shop")


def poppler_pages(pdf: Path) -> list[str]:
    """Each page's text by poppler's pdftotext, independent of the pipeline's own extractor."""
    pages = int(
        re.search(
            r"^Pages:\s+(\d+)",
            subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout,
            re.M,
        )[1]
    )
    return [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        for n in range(1, pages + 1)
    ]


def structure(pdf: Path) -> list[tuple[str, int | None, DictionaryObject]]:
    """The tagged structure in reading order: (role such as 'H2', page index, element)."""
    reader = PdfReader(pdf)
    pages = {page.indirect_reference.idnum: index for index, page in enumerate(reader.pages)}
    found = []

    def walk(node):
        node = node.get_object()
        if "/S" in node:
            page = node.get("/Pg")
            found.append((str(node["/S"]).lstrip("/"), pages.get(page.idnum) if page is not None else None, node))
        kids = node.get("/K")
        if kids is None:
            return
        kids = kids.get_object()
        for kid in kids if isinstance(kids, ArrayObject) else [kids]:
            kid = kid.get_object() if isinstance(kid, IndirectObject) else kid
            if isinstance(kid, DictionaryObject) and kid.get("/Type") != "/OBJR" and "/S" in kid:
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


# --- Typography ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*VARIANTS, "rich", "web address"])
def test_every_font_is_the_shipped_one_embedded_and_subset(built, with_web_address, name):
    pdf = every_pdf(built, with_web_address)[name]
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = listing.splitlines()[2:]
    assert rows, "no fonts found"
    assert "DejaVu" not in listing
    for row in rows:
        assert re.match(r"[A-Z]{6}\+Atkinson-Hyperlegible", row), f"a font other than the shipped one: {row}"
        assert re.search(r"\byes\s+yes\s+yes\b", row), f"not embedded and subset: {row}"


def _body_size(pdf: Path) -> float:
    """The font size most of the text is set in, in points."""
    sizes: Counter = Counter()

    def visit(text, cm, tm, font, size):
        sizes[round(size * math.hypot(tm[0], tm[1]) * math.hypot(cm[0], cm[1]), 1)] += len(text.strip())

    for page in PdfReader(pdf).pages:
        page.extract_text(visitor_text=visit)
    return sizes.most_common(1)[0][0]


def test_the_office_body_is_11_to_12_point_and_large_print_is_18(built):
    assert 11 <= _body_size(built["office"][0]) <= 12
    assert _body_size(built["print-shop"][0]) == _body_size(built["office"][0])
    assert _body_size(built["large-print"][0]) == 18


def test_large_print_lines_stay_short_enough_to_follow(built):
    lines = [line for page in poppler_pages(built["large-print"][0]) for line in page.splitlines()]
    assert max(len(line) for line in lines) <= 72


@pytest.mark.parametrize("name", [*VARIANTS, "rich"])
def test_no_word_is_broken_across_lines(built, name):
    """A reader who is struggling never has to join "treat-/ment": a line may end in a hyphen only
    where the author wrote one."""
    source = " ".join(path.read_text() for path in (ROOT / "sources", FIXTURES / "rich") for path in path.glob("*.md"))
    text = [page.extract_text() for page in PdfReader(built[name][0]).pages]  # poppler would rejoin words
    lines = [line.strip() for page in text for line in page.splitlines()]
    for line, following in zip(lines, lines[1:], strict=False):
        if re.search(r"[a-z]-$", line) and following:
            compound = line.split()[-1] + following.split()[0]
            assert compound.strip(".,;:") in source, f"a word broken by the layout: {line!r} / {following!r}"
    assert "\u2010" not in "".join(text)


# --- Page -----------------------------------------------------------------------------------------


def test_the_sample_is_letter_sized_and_fits_on_four_pages(built):
    reader = PdfReader(built["office"][0])
    assert 1 <= len(reader.pages) <= 4  # 3 at 11 pt; clear print (12 pt) costs a page
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (612, 792)
    for page in PdfReader(built["large-print"][0]).pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (612, 792)


def test_the_paper_size_setting_gives_a4(on_a4):
    reader = PdfReader(on_a4)
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    assert len(reader.pages) <= 4


@pytest.mark.parametrize("name", VARIANTS)
def test_every_page_footer_has_the_clinic_the_phone_and_page_n_of_m(built, name):
    pages = poppler_pages(built[name][0])
    for number, text in enumerate(pages, start=1):
        assert "Ketamine Uplift · (310) 280-4440" in text
        assert f"Page {number} of {len(pages)}" in text


def test_the_last_review_shows_in_the_byline_and_every_footer_of_a_reviewed_article(built):
    pages = poppler_pages(built["rich"][0])
    for text in pages:
        assert "Last reviewed May 4, 2026 by Test Reviewer, MD" in text
    assert pages[0].count("Last reviewed May 4, 2026") == 2  # the byline and the footer


def test_the_handout_keeps_the_clinics_wording(built):
    text = normalised(pdftotext(built["office"][0]))
    for sentence in (
        "At Ketamine Uplift, depression treatment is led by Dr. Geoffery O'Neill and built around this science.",
        "Ketamine blocks a receptor called NMDA, which leads to a brief surge of glutamate",
        "How many treatments are needed?",
    ):
        assert normalised(sentence) in text


def test_page_one_opens_with_the_title_band(built):
    first = poppler_pages(built["office"][0])[0]
    band = " ".join(first[: first.index(CRISIS_WORDING.title)].split())
    assert band.index("KETAMINE UPLIFT") < band.index(TITLE) < band.index("Ketamine works for depression")


# --- Required blocks ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*VARIANTS, "rich"])
def test_the_crisis_is_on_page_one_and_the_disclaimer_on_the_last(built, name):
    pages = poppler_pages(built[name][0])
    assert normalised(CRISIS) in normalised(pages[0])
    assert "Call 988 or text 988" in pages[0]
    assert normalised(DISCLAIMER) in normalised(pages[-1])


@pytest.mark.parametrize("name", VARIANTS)
def test_the_crisis_numbers_are_live_links(built, name):
    reader = PdfReader(built[name][0])
    uris = [
        str(annotation.get_object()["/A"]["/URI"])
        for annotation in reader.pages[0].get("/Annots", [])
        if "/URI" in annotation.get_object().get("/A", {})
    ]
    assert "tel:988" in uris and "sms:988" in uris


# --- Accessibility --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", VARIANTS)
def test_each_variant_is_tagged_with_title_and_language(built, name):
    reader = PdfReader(built[name][0])
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert bool(catalog["/MarkInfo"]["/Marked"]) is True
    assert str(catalog["/Lang"]) == "en-US"
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"]) is True
    assert reader.metadata.title == TITLE
    xmp = reader.xmp_metadata.rdf_root.toxml()
    if name == "print-shop":
        assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
    else:
        assert 'pdfuaid:part="1"' in xmp


@pytest.mark.parametrize("name", [*VARIANTS, "rich"])
def test_headings_run_h1_then_h2_without_skipping_a_level(built, name):
    levels = [int(role[1]) for role, _, _ in structure(built[name][0]) if re.fullmatch(r"H[1-6]", role)]
    assert levels[0] == 1 and levels.count(1) == 1
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, f"h{before} is followed by h{after}"


def test_reading_order_follows_the_article(built):
    from publishing.article import load_article
    from publishing.settings import load_settings

    article = load_article(ROOT / f"sources/{SAMPLE}.md", load_settings(ROOT / "pyproject.toml"), ROOT / "sources")
    pdf = built["office"][0]
    roles = [role for role, _, _ in structure(pdf) if re.fullmatch(r"H[1-6]", role)]
    # The title, the crisis callout, the article's own headings in order, then contact and disclaimer.
    assert len(roles) == 1 + 1 + len(article.headings) + 2
    text = normalised(" ".join(poppler_pages(pdf)))
    position = 0
    for part in (
        TITLE,
        CRISIS_WORDING.title,
        *[h.title for h in article.headings],
        "Questions? Talk with us",
        "Medical disclaimer",
    ):
        found = text.find(normalised(part), position)
        assert found >= 0, f"'{part}' is out of order"
        position = found


def test_no_heading_is_left_at_the_foot_of_a_page(built):
    for name in (*VARIANTS, "rich"):
        elements = structure(built[name][0])
        for index, (role, page, _) in enumerate(elements):
            if re.fullmatch(r"H[2-6]", role):
                following = next(
                    (
                        p
                        for r, p, _ in elements[index + 1 :]
                        if r in ("P", "L", "LI", "Table", "BlockQuote", "Div", "Figure")
                    ),
                    page,
                )
                assert following == page, f"{name}: a {role} on page {page + 1} is parted from its text"


def test_callouts_and_figures_stay_whole_on_one_page(built):
    pages = poppler_pages(built["rich"][0])
    for first, last in (
        ("Before your first session", "Eat lightly and arrange a ride home."),
        # The card's first words (its title also runs in every later page's footer).
        (" ".join(CRISIS_WORDING.text.split()[:5]), "Call 988 or text 988"),
        ("Questions? Talk with us", "Phone: (310) 280-4440"),
    ):
        assert [n for n, text in enumerate(pages) if first in text] == [
            n for n, text in enumerate(pages) if last in text
        ], first


# --- Images and the QR code -----------------------------------------------------------------------


def test_an_article_image_fits_the_column_with_its_caption_and_alt_text(built):
    pdf = built["rich"][0]
    reader = PdfReader(pdf)
    [(_, page, figure)] = [(r, p, e) for r, p, e in structure(pdf) if r == "Figure"]
    assert str(figure["/Alt"]).startswith("Six circles joined by short lines")
    x1, y1, x2, y2 = (float(v) * 0.75 for v in figure["/A"]["/BBox"])  # CSS pixels to points
    width = float(reader.pages[page].mediabox.width)
    # Inside the text column: the page's side margins (at least half an inch) stay clear.
    assert x1 >= 36 and x2 <= width - 36 and x2 > x1
    assert "Connections between brain cells" in poppler_pages(pdf)[page]


def test_without_a_web_address_there_is_no_qr_code(built):
    for name in VARIANTS:
        pdf = built[name][0]
        assert not [role for role, _, _ in structure(pdf) if role == "Figure"]
        assert "Scan to read online" not in " ".join(poppler_pages(pdf))


def test_with_a_web_address_the_handout_has_a_qr_code_that_opens_it(with_web_address, tmp_path):
    import zxingcpp
    from PIL import Image

    reader = PdfReader(with_web_address)
    last = reader.pages[-1]
    figures = [(page, element) for role, page, element in structure(with_web_address) if role == "Figure"]
    # Without article_url the code opens the article's page in the web edition (build/site/ published there).
    page_address = f"{WEB_ADDRESS}{SAMPLE}/"
    assert [str(f["/Alt"]) for _, f in figures] == [f"QR code: scan it with a phone camera to open {page_address}"]
    [(page, figure)] = figures
    x1, y1, x2, y2 = (float(v) * 0.75 for v in figure["/A"]["/BBox"])  # CSS pixels to points
    assert page == 0 and x2 - x1 == y2 - y1 >= 72  # on page 1, beside the title; at least an inch: phones read it
    uris = [str(a.get_object()["/A"]["/URI"]) for a in last.get("/Annots", []) if "/URI" in a.get_object()["/A"]]
    assert WEB_ADDRESS in uris
    assert WEB_ADDRESS in poppler_pages(with_web_address)[-1]  # the address, printed with the contact
    assert "Scan to read online" in poppler_pages(with_web_address)[0]

    pages = 1  # the code is read from page 1, where it is printed
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-gray",
            "-png",
            "-f",
            str(pages),
            "-l",
            str(pages),
            str(with_web_address),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    [png] = tmp_path.glob("page*.png")
    decoded = zxingcpp.read_barcodes(Image.open(png))
    assert [(code.format, code.text) for code in decoded] == [(zxingcpp.BarcodeFormat.QRCode, page_address)]


def test_the_fetcher_serves_generated_images_and_nothing_outside_the_project(tmp_path):
    from weasyprint.urls import FatalURLFetchingError

    from publishing.products.handout.render import _fetcher_types
    from publishing.resources import allowed_roots

    ProjectFetcher, _ = _fetcher_types()
    fetcher = ProjectFetcher(
        allowed_roots(ROOT / "sources", ROOT / "layouts"), {"generated:qr-code.svg": (b"<svg/>", "image/svg+xml")}
    )
    served = fetcher.fetch("generated:qr-code.svg")
    assert served.headers["Content-Type"] == "image/svg+xml"
    assert fetcher.fetch((ROOT / "layouts/handout/handout.css").as_uri()).url.endswith("handout.css")
    secret = tmp_path / "secret.txt"
    secret.write_text("not for a handout")
    for url in ("generated:other.svg", secret.as_uri(), "https://example.org/x.png", "data:text/plain,hi"):
        with pytest.raises(FatalURLFetchingError):
            fetcher.fetch(url)


# --- Print shop -----------------------------------------------------------------------------------


def test_the_print_shop_file_has_bleed_trim_and_crop_marks(built, tmp_path):
    pdf = built["print-shop"][0]
    for page in PdfReader(pdf).pages:
        media = [float(v) for v in page.mediabox]
        trim = [float(v) for v in page.trimbox]
        bleed = [float(v) for v in page.bleedbox]
        # Trim inside bleed inside the sheet: at least 1/8 in of bleed, and a slug beyond it for the marks.
        assert [t - b for t, b in zip(trim, bleed, strict=True)][:2] >= [BLEED, BLEED]
        assert [b - t for t, b in zip(trim, bleed, strict=True)][2:] >= [BLEED, BLEED]
        assert [b - m for b, m in zip(bleed, media, strict=True)][:2] >= [BLEED, BLEED]
        assert (trim[2] - trim[0], trim[3] - trim[1]) == (612, 792)
    # Crop marks: ink in each corner of the slug, outside the bleed (where the trim cannot reach it).
    from PIL import Image

    subprocess.run(
        ["pdftoppm", "-r", "144", "-gray", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True
    )
    [png] = tmp_path.glob("p*.png")
    image = Image.open(png).convert("L")
    slug = round((bleed[0] - media[0]) * 2)  # 144 dpi: 2 pixels a point
    reach = round((trim[0] - media[0]) * 2) + 4  # the marks run along the trim lines
    for x, y in (
        (0, 0),
        (image.width - reach, 0),
        (0, image.height - reach),
        (image.width - reach, image.height - reach),
    ):
        corner = image.crop((x, y, x + reach, y + reach))
        # The slug: within ``slug`` pixels of the sheet's edge (mirrored for each corner).
        edge_x, edge_y = (0 if x == 0 else reach - 1), (0 if y == 0 else reach - 1)
        outside_bleed = [
            corner.getpixel((i, j))
            for i in range(reach)
            for j in range(reach)
            if abs(i - edge_x) < slug or abs(j - edge_y) < slug
        ]
        assert min(outside_bleed) < 100, f"no crop mark in the slug at {x},{y}"


def test_the_print_shop_file_is_reproducible(built, tmp_path):
    again, _ = _build_in_process(ROOT, tmp_path, None, "print-shop")
    assert again.read_bytes() == built["print-shop"][0].read_bytes()


# --- Clean builds ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*VARIANTS, "rich"])
def test_building_logs_no_warning(built, name):
    assert built[name][1] == []


@pytest.mark.parametrize("name", [*VARIANTS, "rich", "web address"])
def test_qpdf_finds_no_problem(built, with_web_address, name):
    result = subprocess.run(
        ["qpdf", "--check", str(every_pdf(built, with_web_address)[name])], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout


def test_a_character_the_font_lacks_is_reported_not_silently_borrowed(project_copy):
    project = project_copy
    article = project / f"sources/{SAMPLE}.md"
    article.write_text(
        article.read_text().replace("Here is the simplified chain", "Here \u2192 is the simplified chain")
    )
    pdf, records = _build_in_process(project, project / "build", None, "office")
    assert any("'\u2192' (U+2192) is not in Atkinson Hyperlegible" in record for record in records), records


def test_the_qr_code_follows_the_clinics_article_address_pattern(project_copy):
    """With an article_url pattern the code opens that article; without one, its web edition's page."""
    settings = project_copy / "pyproject.toml"
    settings.write_text(
        settings.read_text()
        .replace('web_address = ""', 'web_address = "https://www.example.org/"')
        .replace('article_url = ""', 'article_url = "https://www.example.org/guides/{slug}/"')
    )
    from publishing.products.handout.render import qr_code
    from publishing.settings import load_settings

    loaded = load_settings(settings)
    assert qr_code(loaded, SAMPLE).target == f"https://www.example.org/guides/{SAMPLE}/"
    import dataclasses

    assert qr_code(dataclasses.replace(loaded, article_url=""), SAMPLE).target == f"https://www.example.org/{SAMPLE}/"
    assert qr_code(dataclasses.replace(loaded, article_url="", web_address=""), SAMPLE) is None
