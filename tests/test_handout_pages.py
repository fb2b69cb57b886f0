"""Every page of a handout as a patient holds it: the crisis line on each loose page, clear print in the
office and print-shop handouts (12 pt body and disclaimer, nothing under 10 pt, nothing broken
mid-date), and a large print that keeps its promise (18 pt everywhere, footnote markers included; page 1
holds the title, the crisis card and the first words, a long title's QR code moving to the end to let it;
the disclaimer never alone).

Over the whole library (tests/library.py: the reviewed sample, its Spanish translation, the rich fixture
with footnotes and a picture upscaled for a press, a 12-word title with a 60-word description in English
and in Spanish), each with and without a web address (QR code), every variant built by `invoke`. Sizes and
colours are read with PDFium (pypdfium2) in the tests' own code, text with poppler: neither is the
pipeline's own proof."""

from __future__ import annotations

import re
import statistics
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from conftest import SAMPLE, invoke
from extract import colour_census, pdftotext
from library import ARTICLES, LONG, RICH, VARIANTS, WEB_ADDRESS, both_libraries, pdfium_glyphs, sizes_of
from wording import CRISIS, DISCLAIMER, SPANISH_CRISIS, SPANISH_DISCLAIMER, required_wording

CASES = [(article, variant, qr) for article in ARTICLES for variant in VARIANTS for qr in (False, True)]
CLEAR_PRINT = [case for case in CASES if case[1] != "large-print"]
LARGE_PRINT = [case for case in CASES if case[1] == "large-print"]


def _id(case) -> str:
    article, variant, qr = case
    return f"{article}-{variant}-{'qr' if qr else 'no-qr'}"


@pytest.fixture(scope="module")
def handouts(tmp_path_factory) -> dict[tuple[str, str, bool], Path]:
    """(article, variant, with a QR code) -> PDF, every one built by the real CLI, once per module."""
    return both_libraries(tmp_path_factory)


@pytest.fixture(scope="module")
def glyphs(handouts) -> dict[tuple[str, str, bool], list]:
    """Every handout's printed characters as PDFium reads them, read once."""
    return {case: list(pdfium_glyphs(pdf)) for case, pdf in handouts.items()}


def poppler_page(pdf: Path, number: int) -> str:
    return subprocess.run(
        ["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])


def _wording(article: str):
    return (SPANISH_CRISIS, SPANISH_DISCLAIMER) if ARTICLES[article] == "es" else (CRISIS, DISCLAIMER)


def _lines(pdf: Path, number: int) -> list[str]:
    return [" ".join(line.split()) for line in poppler_page(pdf, number).splitlines()]


# --- The crisis line on every page ----------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_every_page_carries_the_crisis_line_in_its_language(handouts, case):
    pdf, (crisis, _) = handouts[case], _wording(case[0])
    pages = page_count(pdf)
    assert pages >= 2
    for number in range(1, pages + 1):  # page 1: the card's own title; every later page: its footer
        assert crisis.title in _lines(pdf, number), f"{pdf.name}, page {number} of {pages}: no crisis line"


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


# --- Clear print in the office and print-shop handouts ---------------------------------------------


def _body(glyphs) -> tuple[float, tuple]:
    """The size and colour most letters are set in: the running text."""
    letters = Counter((round(size, 1), fill) for _, character, size, fill in glyphs if character.isalnum())
    return letters.most_common(1)[0][0]


@pytest.mark.parametrize("case", CLEAR_PRINT, ids=_id)
def test_the_office_and_print_shop_handouts_are_clear_print_from_body_to_footer(glyphs, case):
    printed = glyphs[case]
    smallest = min(printed, key=lambda glyph: glyph[2])
    assert smallest[2] >= 10 - 0.05, f"smallest glyph {smallest}"
    body_size, body_colour = _body(printed)
    assert body_size >= 12
    _, disclaimer = _wording(case[0])
    sizes = sizes_of(printed, disclaimer.text)
    assert sizes and min(sizes) >= 12 - 0.05, f"disclaimer at {min(sizes, default=0):.1f} pt"
    # In the body's colour: its text is found among the letters inked as the running text is.
    assert sizes_of([glyph for glyph in printed if glyph[3] == body_colour], disclaimer.text), "not the body's colour"


def test_the_office_column_is_55_to_75_characters_and_the_sample_fits_on_four_pages(handouts):
    for (_article, variant, _qr), pdf in handouts.items():
        if variant != "office":
            continue
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


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_no_date_version_mark_or_phone_number_is_broken_across_lines(handouts, case):
    pdf = handouts[case]
    for number in range(1, page_count(pdf) + 1):
        text = poppler_page(pdf, number)
        for pattern in UNBROKEN:
            whole = len(re.findall(pattern, " ".join(text.split())))
            on_one_line = sum(len(re.findall(pattern, " ".join(line.split()))) for line in text.splitlines())
            assert whole == on_one_line, f"{pdf.name}, page {number}: {pattern} broken across lines"


@pytest.mark.parametrize("case", [case for case in CASES if case[1] == "print-shop"], ids=_id)
def test_the_print_shop_file_has_no_rgb_operator_or_picture(handouts, case):
    census = colour_census(handouts[case])
    assert census["rgb operators"] == 0 and census["rgb images"] == 0, census


# --- Large print ------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", LARGE_PRINT, ids=_id)
def test_large_print_sets_every_glyph_at_18_pt_footnote_markers_included(handouts, glyphs, case):
    smallest = min(glyphs[case], key=lambda glyph: glyph[2])
    assert smallest[2] >= 18 - 0.05, f"smallest glyph {smallest}"
    if case[0] == RICH:
        assert "[1]" in pdftotext(handouts[case]), "the footnote marker is not printed in brackets"


@pytest.mark.parametrize("case", LARGE_PRINT, ids=_id)
def test_in_large_print_the_crisis_action_line_is_larger_than_its_title(glyphs, case):
    crisis, _ = _wording(case[0])
    title = max(sizes_of(glyphs[case], crisis.title, page=1))
    action = required_wording("crisis", language="es" if ARTICLES[case[0]] == "es" else "").lines[0]
    actions = sizes_of(glyphs[case], action, page=1)
    assert actions and min(actions) > title, (title, actions)


def _source(pdf: Path, article: str) -> Path:
    return pdf.parents[2] / "sources" / f"{article}.md"


def _front(pdf: Path, article: str, field: str) -> str:
    import yaml

    front = yaml.safe_load(_source(pdf, article).read_text(encoding="utf-8").split("---")[1])
    return " ".join(str(front[field]).split())


def _opening(pdf: Path, article: str) -> str:
    """The article's first six words as printed (its Markdown emphasis marks dropped)."""
    body = _source(pdf, article).read_text(encoding="utf-8").split("---", 2)[2]
    first = next(line for line in body.splitlines() if line.strip())
    return " ".join(re.sub(r"[*_]", "", first).split()[:6])


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_page_one_holds_the_title_the_crisis_card_and_the_first_words(handouts, case):
    pdf, (crisis, _) = handouts[case], _wording(case[0])
    page = " ".join(poppler_page(pdf, 1).split())
    for wanted in (_front(pdf, case[0], "title"), crisis.title, *crisis.lines, _opening(pdf, case[0])):
        assert " ".join(wanted.split()) in page, f"page 1 lacks {wanted!r}"
    assert page.index(crisis.title) < page.rindex(_opening(pdf, case[0])), "the first words come before the card"


FOOTER = re.compile(r"Ketamine Uplift · \(|^(Page|Página) \d|Version|Versión|^due |^\d{4} ·")


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_the_disclaimer_never_has_a_page_to_itself(handouts, case):
    pdf, (crisis, disclaimer) = handouts[case], _wording(case[0])
    lines = _lines(pdf, page_count(pdf))
    printed = " ".join(line for line in lines if line and line != crisis.title and not FOOTER.search(line))
    rest = printed.replace(disclaimer.title, "")
    for word in disclaimer.text.split():
        rest = rest.replace(word, "", 1)
    # Beyond its footer and the disclaimer, the last page prints the contact at least.
    assert len(rest.split()) >= 12, f"only {rest!r} beside the disclaimer"


def _qr_pages(pdf: Path, caption: str) -> list[int]:
    pages = range(1, page_count(pdf) + 1)
    return [number for number in pages if caption in " ".join(poppler_page(pdf, number).split())]


@pytest.mark.parametrize("article", [LONG, f"{LONG}.es"])
def test_a_long_title_moves_the_large_prints_qr_code_to_the_end_beside_the_address(handouts, article):
    """A 12-word title and a 60-word description leave page 1 of the large print no room for the QR code
    as well as the crisis card and the first words: the code goes to the end, after the clinic's contact
    and the address it opens; the office and print-shop handouts keep it in the title band."""
    caption = "Escanee para leer en línea" if ARTICLES[article] == "es" else "Scan to read online"
    pdf = handouts[(article, "large-print", True)]
    last = page_count(pdf)
    assert _qr_pages(pdf, caption) == [last]
    end = " ".join(poppler_page(pdf, last).split())
    assert end.index(WEB_ADDRESS) < end.index(caption) < end.index(_wording(article)[1].title)
    for variant in ("office", "print-shop"):
        assert _qr_pages(handouts[(article, variant, True)], caption) == [1]
    assert _qr_pages(handouts[(SAMPLE, "large-print", True)], "Scan to read online") == [1]  # room for it there


@pytest.mark.parametrize("web_address", ["", WEB_ADDRESS], ids=["no-qr", "qr"])
def test_a_description_too_long_for_page_one_of_the_large_print_says_what_to_shorten(project_copy, web_address):
    """What truly cannot fit is still refused, the QR code moved to the end or not."""
    settings = project_copy / "pyproject.toml"
    settings.write_text(settings.read_text().replace('web_address = ""', f'web_address = "{web_address}"', 1))
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
