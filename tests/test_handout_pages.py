"""Every page of a handout as a patient holds it: the crisis line on each loose page, clear print in the
office handout (12 pt body and disclaimer, nothing under 10 pt, nothing broken mid-date), and a large print
that keeps its promise (18 pt everywhere, footnote markers included; page 1 holds the title, the crisis
card and the first words; the disclaimer never alone).

Sizes are read with PyMuPDF (MuPDF), text with poppler: neither is the PDFium reading of the pipeline's
own proof. Built by `invoke` in project copies holding the reviewed sample, its Spanish translation and
the rich fixture (footnotes, a picture upscaled for a press), with and without a web address (QR code)."""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from conftest import FIXTURES, SAMPLE, add_spanish_translation, copy_project, invoke
from wording import CRISIS, DISCLAIMER, SPANISH_CRISIS, SPANISH_DISCLAIMER, required_wording

VARIANTS = {"office": "", "large-print": ".large-print", "print-shop": ".print-shop"}
ARTICLES = {SAMPLE: "en", f"{SAMPLE}.es": "es", "how-we-support-you": "en"}
WEB_ADDRESS = "https://example.org/guides/"


def _project(folder: Path, web_address: str = "") -> Path:
    from PIL import Image

    project = copy_project(folder)
    source = project / f"sources/{SAMPLE}.md"
    source.write_text(
        source.read_text().replace(
            "category: Conditions",
            "category: Conditions\nlast_reviewed: 2026-05-04\nmedical_reviewer: {name: Dana Reyes, credentials: MD}",
        )
    )
    add_spanish_translation(project)
    shutil.copy(FIXTURES / "rich/how-we-support-you.md", project / "sources")
    shutil.copytree(FIXTURES / "rich/images", project / "sources/images")
    picture = project / "sources/images/connections.png"
    with Image.open(picture) as original:  # sharp enough for a press: 300 ppi at its printed width
        original.convert("RGB").resize((1800, 900), Image.Resampling.LANCZOS).save(picture)
    if web_address:
        settings = project / "pyproject.toml"
        settings.write_text(settings.read_text().replace('web_address = ""', f'web_address = "{web_address}"', 1))
    return project


def _build(project: Path) -> dict[tuple[str, str], Path]:
    for variant in VARIANTS:
        result = invoke("handout", "--variant", variant, cwd=project)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "warning" not in result.stderr.lower(), result.stderr
    return {
        (article, variant): project / f"build/handouts/{article}{infix}.pdf"
        for article in ARTICLES
        for variant, infix in VARIANTS.items()
    }


@pytest.fixture(scope="module")
def handouts(tmp_path_factory) -> dict[tuple[str, str, bool], Path]:
    """(article, variant, with a QR code) -> PDF, every one built by the real CLI."""
    plain = _build(_project(tmp_path_factory.mktemp("plain")))
    web = _build(_project(tmp_path_factory.mktemp("web"), WEB_ADDRESS))
    return {**{(*key, False): pdf for key, pdf in plain.items()}, **{(*key, True): pdf for key, pdf in web.items()}}


def _pick(handouts, variant: str) -> dict[tuple[str, bool], Path]:
    return {(article, qr): pdf for (article, kind, qr), pdf in handouts.items() if kind == variant}


def poppler_page(pdf: Path, number: int) -> str:
    return subprocess.run(
        ["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])


def spans(pdf: Path):
    """(page number from 1, text, size in points, fill colour) of every run of text MuPDF reads."""
    import pymupdf

    with pymupdf.open(pdf) as document:
        for page in document:
            for block in page.get_text("dict")["blocks"]:
                for line in block.get("lines", []):
                    for span in line["spans"]:
                        if span["text"].strip():
                            yield page.number + 1, span["text"], span["size"], span["color"]


def _wording(article: str):
    return (SPANISH_CRISIS, SPANISH_DISCLAIMER) if ARTICLES[article] == "es" else (CRISIS, DISCLAIMER)


# --- The crisis line on every page ----------------------------------------------------------------


def test_every_page_after_the_first_carries_the_crisis_line_in_its_language(handouts):
    for (article, variant, qr), pdf in handouts.items():
        crisis, _ = _wording(article)
        pages = page_count(pdf)
        assert pages >= 2, (article, variant, qr)
        for number in range(1, pages + 1):
            lines = [" ".join(line.split()) for line in poppler_page(pdf, number).splitlines()]
            assert crisis.title in lines, f"{pdf.name} (QR: {qr}), page {number} of {pages}: no crisis line"


def _edit_handout_css(project: Path, old: str, new: str) -> None:
    css = project / "layouts/handout/handout.css"
    text = css.read_text()
    assert text.count(old) == 1
    css.write_text(text.replace(old, new))


def test_a_stylesheet_that_drops_the_crisis_line_from_the_footer_fails_the_build_naming_the_page(project_copy):
    _edit_handout_css(project_copy, 'content: string(crisis) "\\A" string(clinic)', "content: string(clinic)")
    result = invoke("handout", cwd=project_copy)
    assert result.returncode != 0
    assert (
        f"build/handouts/{SAMPLE}.pdf: error: handout: the footer of page 2 lacks the line "
        "'In crisis? Call or text 988' of the crisis information (988 Suicide and Crisis Lifeline); every page "
        "after the first must carry 'In crisis? Call or text 988' in its footer: check the string-set of "
        "#crisis-988 .required-title and the @bottom-left rule (string(crisis)) in the product's stylesheets "
        "in layouts/"
    ) in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project_copy / f"build/handouts/{SAMPLE}.pdf").exists()


def test_a_footer_made_too_small_to_read_fails_the_build(project_copy):
    _edit_handout_css(project_copy, "width: 82%;\n    font: 10pt/1.35", "width: 82%;\n    font: 6pt/1.35")
    result = invoke("handout", cwd=project_copy)
    assert result.returncode != 0
    assert (
        "handout: the crisis information (988 Suicide and Crisis Lifeline) is not visible in the footer of page 2: "
        "its line 'In crisis? Call or text 988': 22 of its 22 characters are set at 6.0 pt (at least 9.0 pt)"
    ) in result.stderr


def test_a_harmless_change_to_the_footer_still_builds(project_copy):
    footer = "padding-top: 7pt;\n  }\n  @bottom-right"
    _edit_handout_css(project_copy, footer, footer.replace("7pt", "5pt"))
    result = invoke("handout", cwd=project_copy)
    assert result.returncode == 0, result.stderr


# --- Clear print in the office handout ------------------------------------------------------------


def _body_size(pdf: Path) -> float:
    weights: Counter = Counter()
    for _, text, size, _ in spans(pdf):
        weights[round(size, 1)] += len(text)
    return weights.most_common(1)[0][0]


def test_the_office_handout_is_clear_print_from_body_to_footer(handouts):
    for (article, qr), pdf in _pick(handouts, "office").items():
        found = list(spans(pdf))
        smallest = min(found, key=lambda span: span[2])
        assert smallest[2] >= 10 - 0.05, f"{pdf.name} (QR: {qr}): {smallest}"
        assert _body_size(pdf) >= 12, pdf.name
        _, disclaimer = _wording(article)
        words = " ".join(disclaimer.text.split()[:4])
        body_colour = Counter(colour for _, text, size, colour in found if size == _body_size(pdf)).most_common(1)[0][0]
        held = [(size, colour) for _, text, size, colour in found if words in " ".join(text.split())]
        assert held and all(size >= 12 and colour == body_colour for size, colour in held), (pdf.name, held)


def test_the_office_column_is_55_to_75_characters_and_the_sample_fits_on_four_pages(handouts):
    for (_article, _qr), pdf in _pick(handouts, "office").items():
        raw = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        lengths = [len(line.strip()) for line in raw.splitlines() if len(line.strip()) > 40]
        if len(lengths) > 30:  # the article's running text, not a short fixture's list items
            assert 55 <= statistics.median(lengths) <= 75, (pdf.name, statistics.median(lengths))
    assert page_count(handouts[(SAMPLE, "office", False)]) <= 4
    assert page_count(handouts[(SAMPLE, "office", True)]) <= 4


UNBROKEN = (
    r"[A-Z][a-z]+ \d{1,2}, \d{4}",  # May 4, 2027
    r"\d{1,2} de [a-z]+ de \d{4}",  # 4 de mayo de 2027
    r"Versi[oó]n [0-9a-f]{7}",
    r"\(\d{3}\) \d{3}-\d{4}",
)


def test_no_date_version_mark_or_phone_number_is_broken_across_lines(handouts):
    for (_article, _variant, _qr), pdf in handouts.items():
        for number in range(1, page_count(pdf) + 1):
            text = poppler_page(pdf, number)
            for pattern in UNBROKEN:
                whole = len(re.findall(pattern, " ".join(text.split())))
                on_one_line = sum(len(re.findall(pattern, " ".join(line.split()))) for line in text.splitlines())
                assert whole == on_one_line, f"{pdf.name}, page {number}: {pattern} broken across lines"


# --- Large print ------------------------------------------------------------------------------------


def test_large_print_sets_every_glyph_at_18_pt_footnote_markers_included(handouts):
    for (_article, qr), pdf in _pick(handouts, "large-print").items():
        smallest = min(spans(pdf), key=lambda span: span[2])
        assert smallest[2] >= 18 - 0.05, f"{pdf.name} (QR: {qr}): {smallest}"
    rich = [text for _, text, _, _ in spans(handouts[("how-we-support-you", "large-print", False)])]
    assert any("[1]" in text for text in rich), "the footnote marker is not printed in brackets"


def test_in_large_print_the_crisis_action_line_is_larger_than_its_title(handouts):
    for (article, _qr), pdf in _pick(handouts, "large-print").items():
        crisis, _ = _wording(article)
        page_one = [(text, size) for page, text, size, _ in spans(pdf) if page == 1]
        title = max(size for text, size in page_one if crisis.title in " ".join(text.split()))
        action = required_wording("crisis", language="es" if ARTICLES[article] == "es" else "").lines[0]
        first_words = " ".join(action.split()[:2])
        actions = [size for text, size in page_one if " ".join(text.split()).startswith(first_words)]
        assert actions and min(actions) > title, (pdf.name, title, actions)


SOURCES = {
    SAMPLE: Path(__file__).parents[1] / "sources" / f"{SAMPLE}.md",
    f"{SAMPLE}.es": FIXTURES / "spanish" / f"{SAMPLE}.es.md",
    "how-we-support-you": FIXTURES / "rich/how-we-support-you.md",
}


def _opening(article: str) -> str:
    """The article's first six words as printed (its Markdown emphasis marks dropped)."""
    body = SOURCES[article].read_text(encoding="utf-8").split("---", 2)[2]
    first = next(line for line in body.splitlines() if line.strip())
    return " ".join(re.sub(r"[*_]", "", first).split()[:6])


def test_large_print_page_one_holds_the_title_the_crisis_card_and_the_first_words(handouts):
    for (article, qr), pdf in _pick(handouts, "large-print").items():
        crisis, _ = _wording(article)
        page = " ".join(poppler_page(pdf, 1).split())
        for wanted in (crisis.title, *crisis.lines, _opening(article)):
            assert " ".join(wanted.split()) in page, f"{pdf.name} (QR: {qr}): page 1 lacks {wanted!r}"


FOOTER = re.compile(r"Ketamine Uplift · \(|^(Page|Página) \d|Version|Versión|^due |^\d{4} ·")


def test_the_disclaimer_never_has_a_page_to_itself(handouts):
    for (article, _variant, qr), pdf in handouts.items():
        crisis, disclaimer = _wording(article)
        lines = [" ".join(line.split()) for line in poppler_page(pdf, page_count(pdf)).splitlines()]
        printed = " ".join(line for line in lines if line and line != crisis.title and not FOOTER.search(line))
        rest = printed.replace(disclaimer.title, "")
        for word in disclaimer.text.split():
            rest = rest.replace(word, "", 1)
        # Beyond its footer and the disclaimer, the last page prints the contact at least.
        assert len(rest.split()) >= 12, f"{pdf.name} (QR: {qr}): only {rest!r} beside the disclaimer"


def test_a_description_too_long_for_page_one_of_the_large_print_says_what_to_shorten(project_copy):
    source = project_copy / f"sources/{SAMPLE}.md"
    text = source.read_text()
    folded = re.search(r"^description: >-\n(?:  .*\n)+", text, re.M)[0]
    description = " ".join(folded.split()[2:])
    long = " ".join([description] * 5)  # 135 words: some ten lines more of 18 pt on page 1
    source.write_text(text.replace(folded, f'description: "{long}"\n'))
    result = invoke("handout", "--variant", "large-print", cwd=project_copy)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert re.search(
        rf"^sources/{SAMPLE}\.md:3: error: handout: page 1 cannot hold the title, the crisis information \(988 Suicide "
        r"and Crisis Lifeline\) and the article's first words: .+ moved to page 2, about \d\.\d in short \(the title "
        r"has 6 words, the description 135\); shorten the description by about \d+ words, or the title, so that page 1 "
        r"holds them; the type cannot be made smaller in large print$",
        result.stderr,
        re.M,
    ), result.stderr
    assert not (project_copy / f"build/handouts/{SAMPLE}.large-print.pdf").exists()
    assert invoke("handout", cwd=project_copy).returncode == 0  # the office handout holds it
