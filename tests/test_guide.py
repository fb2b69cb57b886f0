"""The EPUB patient guides as patients' reading systems and the validators see them.

Every guide here (the sample's, the rich fixture's, and the combined guide) goes through
the real EPUBCheck and Ace by DAISY, each run once per module, in parallel."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path, PurePosixPath

import lxml.etree as etree
import pytest

from conftest import FIXTURES, ROOT, SAMPLE, invoke
from extract import ace_results, epubcheck, normalised, start_ace
from test_sample_build import CRISIS, DISCLAIMER
from wording import CRISIS as CRISIS_WORDING

RICH = "how-we-support-you"
AGAIN = "connections-again"
GUIDES = ("sample", "rich", "bundle")
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "x": "http://www.w3.org/1999/xhtml",
    "dc": "http://purl.org/dc/elements/1.1/",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "epub": "http://www.idpf.org/2007/ops",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# A third article whose heading, note label and picture file name repeat the rich fixture's,
# so the combined guide has to keep ids and images apart.
AGAIN_SOURCE = """---
title: Connections, Again
description: A second article whose headings, note and picture name repeat another article's.
author: Ketamine Uplift Care Team
---

Ketamine acts on glutamate.[^glu]

## A table

| Day | Plan |
|-----|------|
| 1   | Rest |

![One large circle on its own](more-images/connections.png "A single connection")

[^glu]: A second note with the same label as the other article's.
"""


def _png(size: tuple[int, int], colour: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def bundle_sources(tmp_path_factory) -> Path:
    """The clinic's article, the rich fixture and the clashing article, in one sources folder."""
    sources = tmp_path_factory.mktemp("bundle") / "sources"
    shutil.copytree(ROOT / "sources", sources)
    shutil.copy(FIXTURES / "rich" / f"{RICH}.md", sources)
    shutil.copytree(FIXTURES / "rich" / "images", sources / "images")
    (sources / "more-images").mkdir()
    (sources / "more-images" / "connections.png").write_bytes(_png((40, 30), "#1d4f5c"))
    (sources / f"{AGAIN}.md").write_text(AGAIN_SOURCE, encoding="utf-8")
    return sources


@pytest.fixture(scope="module")
def bundle_build(bundle_sources) -> Path:
    out = bundle_sources.parent / "build"
    result = invoke("guide", "--bundle", "--sources", str(bundle_sources), "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^built\s+\S*guides/patient-guide\.epub\s+\(\d+ KB, 3 article\(s\)", result.stdout, re.M)
    return out / "guides" / "patient-guide.epub"


@pytest.fixture(scope="module")
def guides(sample_build, rich_build, bundle_build) -> dict[str, Path]:
    return {
        "sample": sample_build / "guides" / f"{SAMPLE}.epub",
        "rich": rich_build / "guides" / f"{RICH}.epub",
        "bundle": bundle_build,
    }


class Epub:
    """An EPUB read independently of the pipeline: package, spine order, documents."""

    def __init__(self, path: Path):
        with zipfile.ZipFile(path) as archive:
            self.entries = {info.filename: archive.read(info) for info in archive.infolist()}
            self.names = archive.namelist()
        container = etree.fromstring(self.entries["META-INF/container.xml"])
        self.opf_path = container.find(".//{*}rootfile").get("full-path")
        self.base = PurePosixPath(self.opf_path).parent
        self.opf = etree.fromstring(self.entries[self.opf_path])
        self.manifest = {item.get("id"): item for item in self.opf.iterfind(".//opf:item", NS)}
        self.spine = [self.manifest[ref.get("idref")].get("href") for ref in self.opf.iterfind(".//opf:itemref", NS)]

    def read(self, href: str) -> bytes:
        return self.entries[str(self.base / href)]

    def document(self, href: str):
        return etree.fromstring(self.read(href))

    def text(self, href: str) -> str:
        return " ".join("".join(self.document(href).find("x:body", NS).itertext()).split())

    def metadata(self, prop: str) -> list[str]:
        return [m.text for m in self.opf.iterfind(f".//opf:meta[@property='{prop}']", NS)]

    def dc(self, name: str) -> list[str]:
        return [e.text for e in self.opf.iterfind(f".//dc:{name}", NS)]

    @property
    def xhtml(self) -> list[str]:
        return [i.get("href") for i in self.manifest.values() if i.get("media-type") == "application/xhtml+xml"]


@pytest.fixture(scope="module")
def books(guides) -> dict[str, Epub]:
    return {name: Epub(path) for name, path in guides.items()}


# --- The validators ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def validators(guides, tmp_path_factory) -> dict:
    """Ace by DAISY on every guide and EPUBCheck on the combined guide, all running at once.

    test_sample_build.py and test_markdown_features.py already hold the sample's and the rich
    fixture's guides to zero EPUBCheck messages; running those jars again here would only
    cost time."""
    folder = tmp_path_factory.mktemp("validators")
    runs = start_ace(guides, folder)
    reports: dict = {"epubcheck": epubcheck(guides["bundle"], tmp=folder)[0]}
    reports.update(ace_results(runs, folder))
    return reports


def test_the_combined_guide_passes_epubcheck_without_a_single_message(validators):
    report = validators["epubcheck"]
    checker = report["checker"]
    messages = [(m["severity"], m["ID"], m["message"]) for m in report["messages"]]
    assert (checker["nFatal"], checker["nError"], checker["nWarning"], checker["nUsage"]) == (0, 0, 0, 0), messages
    assert report["publication"]["title"] == "Ketamine Uplift Patient Guide"


@pytest.mark.parametrize("name", GUIDES)
def test_ace_finds_nothing_to_report(validators, name):
    violations, output = validators[name]
    assert violations == [], output  # not even a moderate or minor one


# --- What a patient sees first and last ----------------------------------------------------------


@pytest.mark.parametrize("name", GUIDES)
def test_the_cover_comes_first_then_the_crisis_information_with_a_call_link(books, name):
    book = books[name]
    cover = book.document(book.spine[0])
    assert cover.xpath("//x:section[@epub:type='cover']//x:img[@role='doc-cover']", namespaces=NS)
    crisis_name = book.spine[1]
    crisis = book.document(crisis_name)
    assert crisis.xpath("//*[@id='crisis-988']", namespaces=NS)
    assert crisis.xpath("//*[@id='crisis-988']//x:a[@href='tel:988']", namespaces=NS)
    assert normalised(CRISIS) in normalised(book.text(crisis_name))
    # "or text 988" stays words: EPUBCheck warns on sms: links.
    assert not any(b"sms:" in book.read(href) for href in book.xhtml)


@pytest.mark.parametrize("name", GUIDES)
def test_the_last_document_carries_the_disclaimer_once(books, name):
    book = books[name]
    last = book.document(book.spine[-1])
    assert last.xpath("//*[@id='medical-disclaimer']", namespaces=NS)
    assert normalised(DISCLAIMER) in normalised(book.text(book.spine[-1]))
    everything = " ".join(book.text(href) for href in book.spine)
    assert normalised(everything).count(normalised(DISCLAIMER)) == 1
    assert normalised(everything).count(normalised(CRISIS)) == 1


@pytest.mark.parametrize("name", GUIDES)
def test_the_cover_is_a_drawn_picture_marked_as_the_cover_with_a_description(books, name):
    from PIL import Image

    book = books[name]
    [item] = [i for i in book.manifest.values() if "cover-image" in (i.get("properties") or "").split()]
    picture = Image.open(io.BytesIO(book.read(item.get("href"))))
    assert (picture.format, picture.size) == ("PNG", (1600, 2400))
    assert book.opf.find(".//opf:meta[@name='cover']", NS).get("content") == item.get("id")
    [image] = book.document(book.spine[0]).xpath("//x:img", namespaces=NS)
    assert image.get("src") == item.get("href")
    title = book.dc("title")[0]
    assert image.get("alt").startswith(f"Cover: {title}.") and "Ketamine Uplift" in image.get("alt")


def test_each_cover_is_drawn_for_its_own_title(books):
    pictures = {name: book.read("cover.png") for name, book in books.items()}
    assert len(set(pictures.values())) == 3


# --- Metadata ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", GUIDES)
def test_every_document_and_the_package_say_their_language(books, name):
    book = books[name]
    assert book.opf.get(XML_LANG) == "en-US"
    for href in book.xhtml:
        root = book.document(href)
        assert root.get("lang") == root.get(XML_LANG) == "en-US", href


def test_an_articles_guide_is_described_by_its_article(books):
    book = books["sample"]
    assert book.dc("title") == ["How Does Ketamine Work for Depression?"]
    assert book.dc("creator") == ["Ketamine Uplift Care Team"]
    assert book.dc("publisher") == ["Ketamine Uplift"]
    assert book.dc("language") == ["en-US"]
    assert book.dc("description")[0].startswith("Ketamine works for depression differently")
    expected = f"urn:uuid:{uuid.uuid5(uuid.UUID('5b0f3c1e-8a52-4c51-9d3e-6f1d2a7b9c40'), SAMPLE)}"
    assert book.dc("identifier") == [expected]
    # The rich fixture was reviewed on 2026-05-04: that is its date, not the day it was built.
    if not os.environ.get("SOURCE_DATE_EPOCH"):
        assert books["rich"].metadata("dcterms:modified") == ["2026-05-04T00:00:00Z"]


def test_accessibility_metadata_follows_what_the_book_contains(books):
    text_only, rich, bundle = books["sample"], books["rich"], books["bundle"]
    for book in (text_only, rich, bundle):
        assert set(book.metadata("schema:accessMode")) == {"textual", "visual"}  # the cover is a picture
        assert "textual" in book.metadata("schema:accessModeSufficient")
        assert {
            "alternativeText",
            "structuralNavigation",
            "tableOfContents",
            "readingOrder",
            "displayTransformability",
        } <= set(book.metadata("schema:accessibilityFeature"))
        assert book.metadata("schema:accessibilityHazard") == ["none"]
        # EPUBCheck and Ace are automated: without a manual review in settings, no conformance claim.
        for claim in ("dcterms:conformsTo", "a11y:certifiedBy", "a11y:certifierCredential"):
            assert book.metadata(claim) == [], claim
        assert not book.opf.xpath("//opf:link[@rel='a11y:certifierReport']", namespaces=NS)
    assert text_only.metadata("schema:accessibilitySummary")[0].startswith("This guide holds one article. ")
    assert rich.metadata("schema:accessibilitySummary")[0].startswith(
        "This guide holds one article, with 1 picture described in text, 1 table with header cells "
        "and 1 note linked to and from the text."
    )
    assert bundle.metadata("schema:accessibilitySummary")[0].startswith(
        "This guide holds 3 articles, with 2 pictures described in text, 2 tables with header cells "
        "and 2 notes linked to and from the text."
    )


# --- Navigation ----------------------------------------------------------------------------------


def _targets(book: Epub, href_in: str, href: str) -> tuple[str, str]:
    path, _, fragment = href.partition("#")
    return (str(PurePosixPath(href_in).parent / path) if path else href_in), fragment


@pytest.mark.parametrize("name", GUIDES)
def test_every_link_in_the_book_lands_on_something(books, name):
    book = books[name]
    ids = {href: set(book.document(href).xpath("//@id")) for href in book.xhtml}
    for href in book.xhtml:
        for link in book.document(href).xpath("//x:a/@href", namespaces=NS):
            if re.match(r"^[a-z]+:", link):
                assert link.startswith(("tel:", "https:", "mailto:")), link
                continue
            document, fragment = _targets(book, href, link)
            assert document in ids, f"{href}: {link}"
            assert not fragment or fragment in ids[document], f"{href}: {link}"


def test_the_contents_follow_the_articles_headings_in_reading_order(books):
    book = books["sample"]
    nav = book.document("nav.xhtml")
    links = nav.xpath("//x:nav[@epub:type='toc']//x:a", namespaces=NS)
    titles = [a.text for a in links]
    assert titles[0] == CRISIS_WORDING.title
    assert titles[1] == "How Does Ketamine Work for Depression?"
    assert titles[-2:] == ["Questions? Talk with us", "Medical disclaimer"]
    assert "A different approach from traditional antidepressants" in titles
    # Questions (h3) sit under "Frequently asked questions" (h2).
    assert nav.xpath(
        "//x:li[x:a='Frequently asked questions']/x:ol/x:li/x:a[.='How many treatments are needed?']", namespaces=NS
    )
    # The NCX for older readers lists the same entries in the same order.
    ncx = etree.fromstring(book.read("toc.ncx"))
    assert [t.text for t in ncx.iterfind(".//ncx:navPoint/ncx:navLabel/ncx:text", NS)] == titles
    landmarks = nav.xpath("//x:nav[@epub:type='landmarks']//x:a/@epub:type", namespaces=NS)
    assert landmarks == ["cover", "toc", "bodymatter"]


def test_the_combined_guide_groups_its_chapters_by_category_in_two_levels_of_contents(books):
    book = books["bundle"]
    assert book.dc("title") == ["Ketamine Uplift Patient Guide"]
    chapters = [href for href in book.spine if href.startswith("chapter-")]
    # Categories in the order their first article comes (file names here), the uncategorised last.
    assert chapters == [f"chapter-{SAMPLE}.xhtml", f"chapter-{RICH}.xhtml", f"chapter-{AGAIN}.xhtml"]
    assert book.spine == ["cover.xhtml", "crisis.xhtml", "nav.xhtml", *chapters, "about.xhtml"]
    nav = book.document("nav.xhtml")
    toc = nav.xpath("//x:nav[@epub:type='toc']/x:ol", namespaces=NS)[0]
    top = [a.text for a in toc.xpath("x:li/x:a", namespaces=NS)]
    assert top == [
        CRISIS_WORDING.title,
        "Conditions",
        "Test fixtures",
        "More articles",
        "Questions? Talk with us",
        "Medical disclaimer",
    ]
    assert len(top) <= len(chapters) + 3  # the articles (or fewer groups), plus the front and back pages
    assert not toc.xpath("x:li/x:ol/x:li/x:ol", namespaces=NS)  # two levels at most
    under = {
        group: nav.xpath("//x:li[x:a=$g]/x:ol/x:li/x:a", g=group, namespaces=NS)
        for group in ("Conditions", "Test fixtures", "More articles")
    }
    assert [a.text for a in under["Conditions"]] == ["How Does Ketamine Work for Depression?"]
    assert [a.get("href") for a in under["More articles"]] == [f"chapter-{AGAIN}.xhtml#{AGAIN}--article-title"]
    # Each chapter says its review state where readers see it.
    for chapter, state in ((SAMPLE, "Not yet clinically reviewed"), (RICH, "Last reviewed May 4, 2026")):
        facts = book.document(f"chapter-{chapter}.xhtml").xpath(
            "//x:p[contains(@class, 'review-facts')]", namespaces=NS
        )[0]
        assert "".join(facts.itertext()).startswith(state)


def test_the_order_of_articles_sets_the_order_of_categories(bundle_sources, tmp_path):
    result = invoke(
        "guide",
        "--bundle",
        "--articles",
        f"{AGAIN},{RICH},{SAMPLE}",
        "--sources",
        str(bundle_sources),
        "--out",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    book = Epub(tmp_path / "guides" / "patient-guide.epub")
    # The uncategorised article stays last; the others in the order given.
    assert [h for h in book.spine if h.startswith("chapter-")] == [
        f"chapter-{RICH}.xhtml",
        f"chapter-{SAMPLE}.xhtml",
        f"chapter-{AGAIN}.xhtml",
    ]


def test_ids_stay_unique_across_the_combined_guides_chapters(books):
    book = books["bundle"]
    everywhere = [i for href in book.xhtml for i in book.document(href).xpath("//@id")]
    assert len(everywhere) == len(set(everywhere)), sorted(i for i in everywhere if everywhere.count(i) > 1)
    # Both articles have a section "A table" and a note "glu": each keeps its own, linked both ways.
    for slug in (RICH, AGAIN):
        chapter = book.document(f"chapter-{slug}.xhtml")
        assert chapter.xpath(f"//x:h2[@id='{slug}--a-table']", namespaces=NS)
        assert chapter.xpath(f"//x:a[@href='#{slug}--fn-glu'][@epub:type='noteref']", namespaces=NS)
        assert chapter.xpath(f"//*[@id='{slug}--fn-glu']//x:a[@href='#{slug}--fnref-glu']", namespaces=NS)


def test_pictures_with_the_same_file_name_stay_apart_in_the_combined_guide(books, bundle_sources):
    book = books["bundle"]
    for slug, source in ((RICH, "images/connections.png"), (AGAIN, "more-images/connections.png")):
        [src] = book.document(f"chapter-{slug}.xhtml").xpath("//x:img/@src", namespaces=NS)
        assert book.read(src) == (bundle_sources / source).read_bytes(), slug
    images = [i for i in book.manifest.values() if i.get("media-type") == "image/png"]
    assert len(images) == 3  # the cover and the two pictures


# --- The stylesheet ------------------------------------------------------------------------------


def test_the_stylesheet_leaves_font_size_colours_and_width_to_the_reader(books):
    css = books["sample"].read("style.css").decode()
    rules = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    assert "!important" not in rules
    assert not re.search(r"font-family|@font-face|(?<![-\w])color\s*:|background", rules)
    assert not re.search(r"font-size\s*:\s*[\d.]+(px|pt)", rules)
    assert not re.search(r"(?<![-\w])(min-|max-)?width\s*:\s*[\d.]+(px|pt|cm|mm|in)", rules)


# --- The command ---------------------------------------------------------------------------------


def test_the_combined_guide_binds_the_listed_articles_in_the_listed_order(bundle_sources, tmp_path):
    result = invoke(
        "guide", "--bundle", "--articles", f"{RICH},{SAMPLE}", "--sources", str(bundle_sources), "--out", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    book = Epub(tmp_path / "guides" / "patient-guide.epub")
    # Each article has its own category: the order given is the order of the categories too.
    assert [h for h in book.spine if h.startswith("chapter-")] == [f"chapter-{RICH}.xhtml", f"chapter-{SAMPLE}.xhtml"]
    assert "2 articles for patients" in book.document("cover.xhtml").xpath("//x:img/@alt", namespaces=NS)[0]


def test_an_unknown_article_is_named_and_nothing_is_bound(bundle_sources, tmp_path):
    result = invoke(
        "guide", "--bundle", "--articles", "sleep-and-mood", "--sources", str(bundle_sources), "--out", str(tmp_path)
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"error: no article with the slug 'sleep-and-mood'; choose from {AGAIN}, {SAMPLE}, {RICH}" in result.stderr
    assert not (tmp_path / "guides").exists()


def test_a_combined_guide_without_the_disclaimer_is_never_moved_into_build(project_copy):
    end = project_copy / "layouts/guide/end.xhtml"
    end.write_text(end.read_text().replace("{{ disclaimer(blocks) }}", ""))
    result = invoke("guide", "--bundle", cwd=project_copy)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert (
        "build/guides/patient-guide.epub: error: combined guide: the medical disclaimer is missing from the last "
        "document (about.xhtml)"
    ) in result.stderr
    assert not (project_copy / "build/guides/patient-guide.epub").exists()
    assert not (project_copy / "build/.build-tmp").exists()


# --- Reproducible --------------------------------------------------------------------------------


def _build_guides(sources: Path, out: Path, epoch: str | None) -> subprocess.Popen:
    """Start building every guide of ``sources`` and the combined guide into a fresh ``out``."""
    environment = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    if epoch is not None:
        environment["SOURCE_DATE_EPOCH"] = epoch
    options = ("--sources", str(sources), "--out", str(out))
    return subprocess.Popen(
        [sys.executable, "-m", "invoke", "guide", *options, "guide", "--bundle", *options],
        cwd=ROOT,
        env={**environment, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _built(out: Path, process: subprocess.Popen) -> dict[str, bytes]:
    _, errors = process.communicate(timeout=300)
    assert process.returncode == 0, errors
    return {path.name: path.read_bytes() for path in sorted((out / "guides").glob("*.epub"))}


@pytest.mark.parametrize("epoch", [None, "1767225600"], ids=["SOURCE_DATE_EPOCH unset", "SOURCE_DATE_EPOCH set"])
def test_the_same_sources_build_the_same_guides_byte_for_byte(bundle_sources, tmp_path, epoch):
    # Each build in its own folder, so the two never share a staging folder beside build/.
    outs = {name: tmp_path / name / "build" for name in ("first", "second")}
    builds = {name: _build_guides(bundle_sources, out, epoch) for name, out in outs.items()}
    first, second = (_built(outs[name], process) for name, process in builds.items())
    assert sorted(first) == sorted([f"{SAMPLE}.epub", f"{RICH}.epub", f"{AGAIN}.epub", "patient-guide.epub"])
    for name in first:
        with zipfile.ZipFile(io.BytesIO(first[name])) as one, zipfile.ZipFile(io.BytesIO(second[name])) as other:
            assert one.namelist() == other.namelist()
            for entry in one.infolist():
                assert one.read(entry) == other.read(entry.filename), f"{name}: {entry.filename}"
                assert entry.date_time == other.getinfo(entry.filename).date_time
        assert first[name] == second[name], name
    if epoch:
        modified = Epub(outs["first"] / "guides" / "patient-guide.epub").metadata("dcterms:modified")
        assert modified == ["2026-01-01T00:00:00Z"]
