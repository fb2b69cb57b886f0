"""Running footers and page numbers are artifacts: a screen reader skips them, the page still shows
them. Every handout variant, in English and in Spanish, is built as a user builds it and compared
with the same article laid out by WeasyPrint alone (whose footers are tagged as content, its issue
#1836): outloud no longer reports PAG-001, the article reads in the same order, the file is sound,
and the footer's crisis line is still printed, and read by poppler, on every page after the first."""

from __future__ import annotations

import re
import subprocess

import pytest

from conftest import SAMPLE, add_spanish_translation, copy_project, invoke
from extract import pdftotext

VARIANTS = {"office": "", "large-print": ".large-print", "print-shop": ".print-shop"}
EDITIONS = {"English": "", "Spanish": ".es"}
CASES = [(edition, variant) for edition in EDITIONS for variant in VARIANTS]


@pytest.fixture(scope="module")
def handouts(tmp_path_factory):
    """{(edition, variant): (built pdf, the same laid out by WeasyPrint alone, the crisis title)}."""
    from publishing.article import load_article
    from publishing.products.handout.render import render_pdf
    from publishing.site import load_site

    project = copy_project(tmp_path_factory.mktemp("artifacts"))
    add_spanish_translation(project)
    for variant in VARIANTS:
        result = invoke("handout", "--variant", variant, cwd=project)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-2000:]
    site = load_site(project)
    built = {}
    for edition, language in EDITIONS.items():
        article = load_article(project / f"sources/{SAMPLE}{language}.md", site.settings, site.folders.sources)
        edition_site = site.in_language(article.lang)
        for variant, infix in VARIANTS.items():
            weasyprint_alone = project / f"weasyprint{language}{infix}.pdf"
            render_pdf(article, edition_site, weasyprint_alone, variant)
            pdf = project / f"build/handouts/{SAMPLE}{language}{infix}.pdf"
            built[(edition, variant)] = (pdf, weasyprint_alone, edition_site.blocks.crisis.title)
    return built


def _outloud(pdf) -> list[dict]:
    import json

    run = subprocess.run(["outloud", "--json", "-", str(pdf)], capture_output=True, text=True)
    return [finding for result in json.loads(run.stdout)["results"] for finding in result["findings"]]


def _struct_text(pdf) -> str:
    """The tag tree as poppler reads it aloud, without object numbers (rewriting renumbers them)."""
    run = subprocess.run(["pdfinfo", "-struct-text", str(pdf)], capture_output=True, text=True, check=True)
    return re.sub(r"Object \d+ \d+", "Object", run.stdout)


@pytest.mark.parametrize("edition, variant", CASES)
def test_outloud_finds_no_footer_tagged_as_content(handouts, edition, variant):
    pdf, weasyprint_alone, _ = handouts[(edition, variant)]
    assert "PAG-001" in [finding["rule"] for finding in _outloud(weasyprint_alone)]  # what this fixes
    findings = _outloud(pdf)
    assert [finding for finding in findings if finding["rule"] == "PAG-001"] == []
    if variant != "print-shop":  # the press file is PDF/X-4, which does not claim PDF/UA
        assert findings == []


@pytest.mark.parametrize("edition, variant", CASES)
def test_the_article_reads_in_the_same_order_and_no_footer_is_read(handouts, edition, variant):
    pdf, weasyprint_alone, _ = handouts[(edition, variant)]
    spoken = _struct_text(pdf)
    assert spoken == _struct_text(weasyprint_alone)
    assert not re.search(r"(Page|Página) \d+ (of|de) \d+", spoken)


@pytest.mark.parametrize("edition, variant", CASES)
def test_only_the_crisis_line_of_the_footer_stays_content(handouts, edition, variant):
    """Every other line of the footer is a /Pagination artifact; the ParentTree maps, outside the
    tree a screen reader walks, only the crisis line (words a person needs, left as WeasyPrint tags
    them), once on each page after the first."""
    import pikepdf

    from publishing.products.handout.artifacts import _elements_in_tree, _texts_by_mcid

    pdf, _, title = handouts[(edition, variant)]
    texts = _texts_by_mcid(pdf)
    with pikepdf.open(pdf) as document:
        root = document.Root.StructTreeRoot
        reached = _elements_in_tree(root)
        pages = {int(page.StructParents): number for number, page in enumerate(document.pages)}
        numbers = root.ParentTree.Nums
        outside = [
            texts[(pages[int(numbers[index])], mcid)]
            for index in range(0, len(numbers), 2)
            if isinstance(numbers[index + 1], pikepdf.Array)
            for mcid, element in enumerate(numbers[index + 1])
            if element is not None and element.objgen not in reached
        ]
        assert outside == [title] * (len(document.pages) - 1)
        artifacts = [
            instruction.operands[1]
            for page in document.pages
            for instruction in pikepdf.parse_content_stream(page, "BDC")
            if instruction.operands[0] == pikepdf.Name.Artifact
        ]
        assert artifacts and {str(artifact.Type) for artifact in artifacts} == {"/Pagination"}


@pytest.mark.parametrize("edition, variant", CASES)
def test_the_file_is_sound_and_the_crisis_line_is_on_every_later_page(handouts, edition, variant):
    pdf, _, title = handouts[(edition, variant)]
    check = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    pages = pdftotext(pdf).split("\f")[:-1]
    assert len(pages) > 1
    for number, text in enumerate(pages[1:], start=2):
        assert title in " ".join(text.split()), f"page {number}: {text[-300:]}"


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("variant", ["office", "large-print"])
def test_the_tag_tree_still_passes_pdf_ua(handouts, edition, variant):
    import page

    pdf, _, _ = handouts[(edition, variant)]
    report = page.validate_pdf(pdf, profile=page.ValidationProfile.PDF_UA_1)
    assert report.is_compliant, [(failure.rule_id, failure.message) for failure in report.failures]
