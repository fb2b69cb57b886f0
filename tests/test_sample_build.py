"""The clinic's first article, built once, seen as staff, patients and marketing see it."""

from __future__ import annotations

import re
import zipfile

import pytest

from conftest import ROOT, SAMPLE
from extract import epub_documents, epubcheck, normalised, pdftotext
from wording import CRISIS as CRISIS_WORDING
from wording import DISCLAIMER as DISCLAIMER_WORDING

CRISIS = CRISIS_WORDING.text
DISCLAIMER = DISCLAIMER_WORDING.text


def products(build):
    return {
        "handout": build / "handouts" / f"{SAMPLE}.pdf",
        "guide": build / "guides" / f"{SAMPLE}.epub",
        "newsletter": build / "newsletters" / f"{SAMPLE}.html",
        "plain text": build / "newsletters" / f"{SAMPLE}.txt",
    }


def test_the_sample_builds_all_four_files(sample_build):
    for name, path in products(sample_build).items():
        assert path.is_file() and path.stat().st_size > 1000, name
    # Besides the products, only the record of what they were built from (for incremental builds).
    leftovers = [
        p
        for p in sample_build.rglob("*")
        if p.is_file()
        and p.suffix not in (".pdf", ".epub", ".html", ".txt", ".eml")
        and p.name != ".publishing-state.json"
    ]
    assert leftovers == []


def test_no_staging_folder_is_left_behind(sample_build):
    assert not (sample_build / ".build-tmp").exists()


@pytest.mark.parametrize("text", [CRISIS, DISCLAIMER], ids=["crisis", "disclaimer"])
def test_every_built_file_carries_the_required_text(sample_build, text):
    built = products(sample_build)
    extracted = {
        "handout": pdftotext(built["handout"], layout=False),
        "guide": " ".join(re.sub(r"<[^>]+>", " ", doc) for doc in epub_documents(built["guide"]).values()),
        "newsletter": re.sub(r"<[^>]+>", " ", built["newsletter"].read_text()),
        "plain text": built["plain text"].read_text(),
    }
    for name, content in extracted.items():
        assert normalised(text) in normalised(content), f"{name} lacks: {text[:40]}..."


def test_the_article_carries_no_copy_of_the_required_text(sample_build):
    article = normalised((ROOT / f"sources/{SAMPLE}.md").read_text())
    for sentence in CRISIS_WORDING.sentences + DISCLAIMER_WORDING.sentences:
        assert normalised(sentence) not in article


# The handout is specified in test_handout.py.


# --- The guide -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_epubcheck(sample_build, tmp_path_factory):
    return epubcheck(products(sample_build)["guide"], tmp=tmp_path_factory.mktemp("epubcheck"))[0]


def test_guide_passes_epubcheck_without_any_message(sample_epubcheck):
    checker = sample_epubcheck["checker"]
    messages = [(m["severity"], m["ID"], m["message"]) for m in sample_epubcheck["messages"]]
    assert (checker["nFatal"], checker["nError"], checker["nWarning"], checker["nUsage"]) == (0, 0, 0, 0), messages


def test_guide_has_navigation_and_metadata(sample_build):
    with zipfile.ZipFile(products(sample_build)["guide"]) as archive:
        names = archive.namelist()
        assert names[0] == "mimetype"
        opf = archive.read("EPUB/content.opf").decode()
    assert any(name.endswith("nav.xhtml") for name in names) and any(name.endswith(".ncx") for name in names)
    for expected in (
        "<dc:title>How Does Ketamine Work for Depression?</dc:title>",
        "<dc:language>en-US</dc:language>",
        "<dc:publisher>Ketamine Uplift</dc:publisher>",
        "schema:accessibilitySummary",
        "<dc:creator",
    ):
        assert expected in opf


def test_guide_places_crisis_first_and_disclaimer_last(sample_build):
    documents = epub_documents(products(sample_build)["guide"])
    assert 'id="crisis-988"' in documents["EPUB/crisis.xhtml"] and 'href="tel:988"' in documents["EPUB/crisis.xhtml"]
    assert "sms:" not in " ".join(documents.values())  # EPUBCheck warns on sms: links
    assert 'id="medical-disclaimer"' in documents["EPUB/about.xhtml"]


# --- The newsletter ------------------------------------------------------------------------------


def test_newsletter_is_self_contained_with_css_inlined(sample_build):
    html = products(sample_build)["newsletter"].read_text()
    lowered = html.lower()
    for forbidden in ("<script", "<iframe", "<form", "<link", "data:image", "<svg"):
        assert forbidden not in lowered
    assert html.count("<style") == 1 and html.index("<style") < html.index("</head>")
    assert 'style="' in html and html.count('style="') > 50
    assert re.search(r'<html[^>]* lang="en-US"', html)


def test_newsletter_carries_the_crisis_block_before_gmail_could_clip_it(sample_build):
    raw = products(sample_build)["newsletter"].read_bytes()
    assert len(raw) <= 82_000
    assert normalised(CRISIS) in normalised(re.sub(r"<[^>]+>", " ", raw[:20_000].decode("utf-8", "ignore")))
    assert b'href="tel:988"' in raw and b'href="sms:988"' in raw


def test_newsletter_has_unsubscribe_and_postal_address_merge_tags(sample_build):
    html = products(sample_build)["newsletter"].read_text()
    assert 'href="*|UNSUB|*"' in html and "*|LIST:ADDRESSLINE|*" in html
    text = products(sample_build)["plain text"].read_text()
    assert "*|UNSUB|*" in text and "*|LIST:ADDRESSLINE|*" in text


def test_plain_text_part_is_wrapped_at_78_columns(sample_build):
    text = products(sample_build)["plain text"].read_text()
    assert max(len(line) for line in text.splitlines()) <= 78
    assert "1. Ketamine blocks a receptor called NMDA" in text
