"""The guide as a careful producer and a reading engine see it: notes a reader app can pop up,
callouts announced as set apart, accessibility claims only for what was evaluated, the review state
inside the book, tables that never push a phone's page sideways, and foliate-js (a real EPUB
reading engine, in Chromium) rendering the cover, the crisis page, a chapter and the notes."""

from __future__ import annotations

import base64
import contextlib
import functools
import re
import shutil
import subprocess
import threading
import time
import zipfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import lxml.etree as etree
import pytest
from test_guide import NS, RICH, Epub

from conftest import ROOT, SAMPLE, invoke
from extract import epubcheck

EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


@pytest.fixture(scope="module")
def rich_guide(rich_build) -> Epub:
    return Epub(rich_build / "guides" / f"{RICH}.epub")


# --- Notes and callouts ---------------------------------------------------------------------------


def test_every_note_reference_leads_to_a_note_inside_a_notes_section(rich_guide):
    chapter = rich_guide.document("article.xhtml")
    references = chapter.xpath("//x:a[@epub:type='noteref']", namespaces=NS)
    assert references
    for reference in references:
        target = reference.get("href").removeprefix("#")
        [note] = chapter.xpath("//*[@id=$id]", id=target, namespaces=NS)
        assert set(note.get(EPUB_TYPE, "").split()) & {"footnote", "endnote"}, etree.tostring(note)
        section = note.xpath("ancestor::x:section[1]", namespaces=NS)[0]
        assert set(section.get(EPUB_TYPE, "").split()) & {"footnotes", "endnotes"}
        assert section.xpath("x:h2", namespaces=NS)[0].text == "Notes"


def test_a_callout_is_an_aside_with_the_note_role(rich_guide):
    chapter = rich_guide.document("article.xhtml")
    [callout] = chapter.xpath("//*[contains(concat(' ', @class, ' '), ' admonition ')]", namespaces=NS)
    assert etree.QName(callout).localname == "aside" and callout.get("role") == "note"
    assert callout.get("aria-label") == "Before your first session"


# --- Honest accessibility claims ------------------------------------------------------------------

REVIEW = """[tool.publishing.accessibility_review]
reviewer = "Example Accessibility Lab"
credential = "IAAP Certified Professional in Accessibility Core Competencies"
report = "https://www.example.org/accessibility/2026-guide-review"
date = "2026-11-20"
"""


def _with_review(project: Path, review: str) -> None:
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    start = text.index("[tool.publishing.accessibility_review]")
    end = text.index("[tool.publishing.newsletter]")
    pyproject.write_text(text[:start] + review + "\n" + text[end:])


def test_a_recorded_manual_review_makes_the_claim_with_its_certifier(project_copy, tmp_path):
    _with_review(project_copy, REVIEW)
    result = invoke("build", "--only", "guide", cwd=project_copy)
    assert result.returncode == 0, result.stderr
    path = project_copy / f"build/guides/{SAMPLE}.epub"
    book = Epub(path)
    assert book.metadata("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    assert book.metadata("a11y:certifiedBy") == ["Example Accessibility Lab"]
    assert book.metadata("a11y:certifierCredential") == [
        "IAAP Certified Professional in Accessibility Core Competencies"
    ]
    assert book.opf.xpath("//opf:link[@rel='a11y:certifierReport']/@href", namespaces=NS) == [
        "https://www.example.org/accessibility/2026-guide-review"
    ]
    assert book.metadata("schema:accessibilitySummary")[0].endswith(
        "Its accessibility was reviewed by Example Accessibility Lab on 2026-11-20."
    )
    [report] = epubcheck(path, tmp=tmp_path)
    checker = report["checker"]
    messages = [(m["ID"], m["message"]) for m in report["messages"]]
    assert (checker["nFatal"], checker["nError"], checker["nWarning"], checker["nUsage"]) == (0, 0, 0, 0), messages


def test_half_a_review_is_refused_at_its_line(project_copy):
    _with_review(project_copy, '[tool.publishing.accessibility_review]\nreviewer = "Example Accessibility Lab"\n')
    result = invoke("build", "--only", "guide", cwd=project_copy)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    line = (
        project_copy.joinpath("pyproject.toml").read_text().splitlines().index('reviewer = "Example Accessibility Lab"')
    )
    assert result.stderr.strip() == (
        f"pyproject.toml:{line + 1}: error: the accessibility review needs credential, report, date too: a "
        "conformance claim names who evaluated the guides, their credential, the report and its date; "
        "fix [tool.publishing] in pyproject.toml"
    )


# --- The review state inside the book -------------------------------------------------------------


def _version_on_the_handout(pdf: Path) -> str:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return re.search(r"Version ([0-9a-f]{7})", text).group(1)


def test_the_unreviewed_guide_says_so_and_carries_the_handouts_version(sample_build):
    book = Epub(sample_build / "guides" / f"{SAMPLE}.epub")
    version = _version_on_the_handout(sample_build / "handouts" / f"{SAMPLE}.pdf")
    chapter = book.text("article.xhtml")
    imprint = book.document("about.xhtml").xpath("//x:section[@epub:type='colophon']", namespaces=NS)[0]
    imprint_text = " ".join("".join(imprint.itertext()).split())
    for text in (chapter, imprint_text):
        assert f"Not yet clinically reviewed · Version {version}" in text
    assert "Published by Ketamine Uplift, Marina del Rey, West Los Angeles." in imprint_text


def test_a_reviewed_guide_shows_last_reviewed_and_next_review_due(rich_build, rich_guide):
    version = _version_on_the_handout(rich_build / "handouts" / f"{RICH}.pdf")
    expected = "Last reviewed May 4, 2026 by Test Reviewer, MD · Next review due May 4, 2027 · Version " + version
    assert expected in rich_guide.text("article.xhtml")
    assert expected in rich_guide.text("about.xhtml")


# --- On a phone, with the reader's text at 200 % ----------------------------------------------------


def test_no_chapter_scrolls_sideways_on_a_phone_at_200_percent(chromium, rich_build, tmp_path):
    with zipfile.ZipFile(rich_build / "guides" / f"{RICH}.epub") as archive:
        archive.extractall(tmp_path)
    # Not "mobile": XHTML has no viewport meta, and a mobile browser would lay it out 980 px wide; a
    # reading system lays it out at the screen's width, as this does.
    chromium.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 375, "height": 700, "deviceScaleFactor": 1, "mobile": False}
    )
    assert chromium.execute_script("return document.documentElement.clientWidth;") in (0, 375)
    book = Epub(rich_build / "guides" / f"{RICH}.epub")
    overflow = "return document.documentElement.scrollWidth - document.documentElement.clientWidth;"
    for href in book.spine:
        chromium.get((tmp_path / "EPUB" / href).as_uri())
        chromium.execute_script("document.documentElement.style.fontSize = '200%';")
        assert chromium.execute_script("return document.documentElement.clientWidth;") == 375
        assert chromium.execute_script(overflow) <= 0, href
    # The guard is real: the same table, unwrapped, is wider than the phone.
    chromium.get((tmp_path / "EPUB" / "article.xhtml").as_uri())
    chromium.execute_script(
        "document.documentElement.style.fontSize = '200%';"
        "for (const box of document.querySelectorAll('.table-scroll')) box.replaceWith(...box.childNodes);"
    )
    assert chromium.execute_script(overflow) > 0


# --- In a reading engine: foliate-js --------------------------------------------------------------

FOLIATE = ROOT / "node_modules" / "foliate-js"


@contextlib.contextmanager
def foliate_reader(chromium, epub: Path, folder: Path):
    """foliate-js's reader page with ``epub``, served from 127.0.0.1 (ES modules need HTTP); nothing
    leaves the machine. Yields open_book(dark=False), which opens it at 375 px and waits until the
    reader has the book."""
    assert (FOLIATE / "reader.html").is_file(), "foliate-js is not installed: run ./install --test"
    site = folder / "site"
    shutil.copytree(FOLIATE, site / "foliate")
    shutil.copy(epub, site / "foliate" / "book.epub")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def open_book(dark: bool = False):
        chromium.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride", {"width": 375, "height": 700, "deviceScaleFactor": 1, "mobile": True}
        )
        chromium.execute_cdp_cmd(
            "Emulation.setEmulatedMedia",
            {"features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]},
        )
        chromium.get(f"http://127.0.0.1:{server.server_port}/foliate/reader.html?url=book.epub")
        opened = "const v = document.querySelector('foliate-view'); return !!(v && v.book && v.renderer);"
        for _ in range(200):  # the page has made its reader and given it the book
            if chromium.execute_script(opened):
                break
            time.sleep(0.05)
        else:
            raise AssertionError("foliate-js did not open the guide")
        return chromium

    try:
        yield open_book
    finally:
        server.shutdown()


@pytest.fixture
def foliate(chromium, rich_build, tmp_path):
    """The rich fixture's guide in foliate-js (foliate_reader)."""
    with foliate_reader(chromium, rich_build / "guides" / f"{RICH}.epub", tmp_path) as open_book:
        yield open_book


# Shows a section of the book and gives back its document's text and direction, once foliate has
# placed it (foliate's own events, not a pause).
SHOW_SECTION = """const [target, done] = [arguments[0], arguments[arguments.length - 1]];
const view = document.querySelector('foliate-view');
const { index } = view.resolveNavigation(target);
// goTo resolves once foliate has moved; a move made while it is still placing its opening
// page is dropped, so ask again until the document shown is the one asked for.
const show = () => view.goTo(target).then(() => {
  const shown = view.renderer.getContents().find(c => c.index === index);
  if (shown) done([shown.doc.body.textContent, shown.doc.documentElement.dir, view.book.dir || '']);
  else requestAnimationFrame(show);
}, error => done(['error: ' + error, '', '']));
show();"""


def test_foliate_pops_up_the_note_as_a_footnote(foliate):
    driver = foliate()
    found = driver.execute_async_script(
        """const done = arguments[arguments.length - 1];
        (async () => {
          const { FootnoteHandler } = await import('./footnotes.js');
          const book = document.querySelector('foliate-view').book;
          const found = [];
          for (const section of book.sections) {
            const doc = await section.createDocument();
            for (const a of doc.querySelectorAll('a[href]')) {
              const handler = new FootnoteHandler();
              handler.addEventListener('before-render', e => document.body.append(e.detail.view));
              const shown = new Promise(resolve => handler.addEventListener('render', e => resolve(e.detail.type)));
              const href = section.resolveHref(a.getAttribute('href'));
              if (!handler.handle(book, new CustomEvent('link', {cancelable: true, detail: {a, href}}))) continue;
              found.push([a.textContent.trim(), await shown]);
            }
          }
          return found;
        })().then(done, error => done('error: ' + error));"""
    )
    assert found == [["1", "footnote"]]


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_foliate_renders_the_cover_the_crisis_page_a_chapter_and_the_notes(foliate, dark, tmp_path_factory):
    driver = foliate(dark)
    shots = tmp_path_factory.getbasetemp() / "guide-screenshots"
    shots.mkdir(exist_ok=True)
    for name, target in (
        ("crisis", "EPUB/crisis.xhtml"),  # the reading start: foliate opens the book there
        ("cover", "EPUB/cover.xhtml"),
        ("chapter", "EPUB/article.xhtml"),
        ("notes", "EPUB/article.xhtml#fn-glu"),
    ):
        text, _, _ = driver.execute_async_script(SHOW_SECTION, target)
        words = {"crisis": "Call 988", "chapter": "Sleep, Mood", "notes": "Glutamate is the most abundant"}
        assert name == "cover" or words[name] in text, (name, text[:200])
        png = base64.b64decode(driver.get_screenshot_as_base64())
        (shots / f"foliate-{name}-{'dark' if dark else 'light'}.png").write_bytes(png)  # for a person to look at
