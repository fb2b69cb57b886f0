"""Articles pasted from the web, written the way others write Markdown (tests/fixtures/pasted/): each one
builds three valid products or is refused at its line, and no link in a product leads nowhere."""

from __future__ import annotations

import http.server
import re
import shutil
import threading
import zipfile

import lxml.etree as etree
import pytest

from conftest import FIXTURES, copy_project, invoke
from extract import epub_documents, pdftotext

PASTED = FIXTURES / "pasted"
NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}

# What is refused, where, and the words that say why and how to fix it.
REFUSED = {
    "emoji-shortcodes": [
        "7: error: ':sparkles:' is an emoji shortcode (✨), which the handout's font cannot print; write it in "
        "words, or remove it",
        "7: error: ':smile:' is an emoji shortcode (😄), which the handout's font cannot print; write it in words, "
        "or remove it",
    ],
    "hugo-shortcodes": [
        '9: error: \'{{< figure src="/images/brain.png" caption="The...\' is a Hugo shortcode, left from the site '
        'it was pasted from; write it as Markdown instead (a picture: ![what it shows](images/file.png "caption"))'
    ],
    "jekyll-liquid": [
        "9: error: '{% include callout.html content=\"Call us\" %}' is a Liquid or Jinja tag (Jekyll, Shopify, a "
        "template), left from the site it was pasted from; remove it, or write out in words what it showed",
        "11: error: '{{ page.author }}' is a template variable (Liquid, Jinja, Handlebars or an email service's "
        "merge tag), left from the site it was pasted from; write out what it stood for, or remove it",
    ],
    "raw-html-image": [
        "9: error: image 'x' does not exist; check the file name, or add the image under sources/images/"
    ],
    "toml-front-matter": [
        "1: error: the front matter is TOML (between '+++' lines, as Hugo writes it); write it as YAML between "
        "'---' lines, e.g. 'title: Sleep and Mood' for 'title = \"Sleep and Mood\"'"
    ],
}


def _project(folder, **settings):
    project = copy_project(folder)
    shutil.rmtree(project / "sources")
    shutil.copytree(PASTED, project / "sources")
    shutil.copytree(FIXTURES.parent.parent / "sources" / "_required", project / "sources" / "_required")
    text = (project / "pyproject.toml").read_text()
    for key, value in settings.items():
        text = re.sub(rf'^{key} = "[^"]*"', f'{key} = "{value}"', text, count=1, flags=re.MULTILINE)
    (project / "pyproject.toml").write_text(text)
    return project


@pytest.fixture(scope="module")
def pasted(tmp_path_factory):
    project = _project(tmp_path_factory.mktemp("pasted"))
    return project, invoke("build", cwd=project)


@pytest.fixture(scope="module")
def on_the_web(tmp_path_factory):
    """The same articles for a clinic that has given its web address and its articles' address pattern."""
    project = _project(
        tmp_path_factory.mktemp("web"),
        web_address="https://example.org/",
        article_url="https://example.org/guides/{slug}/",
    )
    assert invoke("build", cwd=project).returncode != 0  # the refused ones
    return project


def test_every_pasted_article_builds_valid_products_or_is_refused_at_its_line(pasted, tmp_path):
    project, result = pasted
    assert result.returncode != 0 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    articles = sorted(path.stem for path in PASTED.glob("*.md"))
    assert len(articles) >= 12
    for name in articles:
        made = [
            project / "build" / folder / f"{name}{suffix}"
            for folder, suffix in (("handouts", ".pdf"), ("guides", ".epub"), ("newsletters", ".html"))
        ]
        if name in REFUSED:
            for message in REFUSED[name]:
                assert f"sources/{name}.md:{message}" in lines, (name, result.stderr)
            assert not any(path.exists() for path in made), name
        else:
            assert all(path.is_file() for path in made), name
    built = sorted((project / "build" / "guides").glob("*.epub"))
    assert len(built) == len(articles) - len(REFUSED)
    # EPUBCheck through its Java API in one process (the gate's runner; tests/test_check_cache.py shows
    # it reports what the command line reports).
    from publishing.gate.epubcheck import EpubChecker

    checker = EpubChecker(tmp_path)
    for path in built:
        checker.submit(path)
    for path, report in checker.results().items():
        assert report.clean, (path.name, report.counts(), report.messages, report.failure)


def _links(project, name: str) -> dict[str, set[str]]:
    """Every link target in each product of one article, read from the built files."""
    from pypdf import PdfReader

    built = project / "build"
    handout = {
        str(annotation.get_object()["/A"].get("/URI", ""))
        for page in PdfReader(built / f"handouts/{name}.pdf").pages
        for annotation in page.get("/Annots", [])
        if "/A" in annotation.get_object()
    }
    guide = {
        href
        for text in epub_documents(built / f"guides/{name}.epub").values()
        for href in re.findall(r'href="([^"]*)"', text)
    }
    newsletter = set(re.findall(r'href="([^"]*)"', (built / f"newsletters/{name}.html").read_text()))
    return {"handout": handout, "guide": guide, "newsletter": newsletter}


def test_root_relative_links_join_the_clinics_web_address(on_the_web):
    for product, links in _links(on_the_web, "root-relative-links").items():
        assert "https://example.org/symptoms/stomach-ache" in links, product
        assert "https://example.org/about/team/#doctors" in links, product


def test_without_a_web_address_a_root_relative_link_keeps_its_words_and_check_names_it(pasted):
    project, _ = pasted
    for product, links in _links(project, "root-relative-links").items():
        assert not any(link.startswith("/") for link in links), product
    assert "read about stomach aches on our old site" in " ".join(
        pdftotext(project / "build/handouts/root-relative-links.pdf").split()
    )
    result = invoke("check", cwd=project)
    assert (
        "sources/root-relative-links.md:7: the link to '/symptoms/stomach-ache' becomes plain words in the "
        "products: a path on a web site; set web_address to link it, or link the full https:// address"
    ) in result.stdout


def test_a_link_to_another_article_leads_to_it_wherever_it_can(pasted, on_the_web):
    project, _ = pasted
    # Without an address for articles: the words, and which article they mean.
    text = " ".join(pdftotext(project / "build/handouts/links-to-other-articles.pdf").split())
    assert "read Sleep and Mood and its tips (“Sleep and Mood”)" in text
    # With the clinic's pattern: the article's page.
    assert "https://example.org/guides/sleep-and-mood/" in _links(on_the_web, "links-to-other-articles")["guide"]
    # In the combined guide: the chapter, at the section.
    result = invoke("guide", "--bundle", "--articles", "links-to-other-articles,sleep-and-mood", cwd=project)
    assert result.returncode != 0  # other articles in the folder do not load: nothing is bound
    bundle_project = project.parent / "bundle"
    if not bundle_project.exists():
        shutil.copytree(project, bundle_project)
        for name in REFUSED:
            (bundle_project / "sources" / f"{name}.md").unlink()
    assert (
        invoke(
            "guide", "--bundle", "--articles", "links-to-other-articles,sleep-and-mood", cwd=bundle_project
        ).returncode
        == 0
    )
    documents = epub_documents(bundle_project / "build/guides/patient-guide.epub")
    chapter = documents["EPUB/chapter-links-to-other-articles.xhtml"]
    assert 'href="chapter-sleep-and-mood.xhtml"' in chapter
    assert 'href="chapter-sleep-and-mood.xhtml#sleep-and-mood--tips"' in chapter
    assert 'id="sleep-and-mood--tips"' in documents["EPUB/chapter-sleep-and-mood.xhtml"]
    assert "The old FAQ is gone." in re.sub(r"<[^>]+>", "", chapter)


def test_every_contents_entry_has_words(pasted):
    project, _ = pasted
    for name in ("heading-only-a-link", "heading-only-an-image"):
        with zipfile.ZipFile(project / f"build/guides/{name}.epub") as book:
            nav = etree.fromstring(book.read("EPUB/nav.xhtml"))
        entries = ["".join(a.itertext()).strip() for a in nav.xpath("//x:nav[@epub:type='toc']//x:a", namespaces=NS)]
        assert all(entries), entries
    assert "A drawing of the brain" in entries
    assert "…" not in entries and "..." not in entries


def test_table_of_contents_markers_never_print(pasted):
    project, _ = pasted
    texts = [
        pdftotext(project / "build/handouts/toc-markers.pdf"),
        (project / "build/newsletters/toc-markers.txt").read_text(),
        *epub_documents(project / "build/guides/toc-markers.epub").values(),
    ]
    for text in texts:
        assert "[TOC]" not in text and "TOC" not in re.sub(r"<[^>]+>", "", text)


def test_an_emoji_shortcode_the_font_has_becomes_its_character(project_copy):
    source = project_copy / "sources/how-does-ketamine-work-for-depression.md"
    source.write_text(source.read_text() + "\nKetamine Uplift:tm: is a name. The time is 10:30:00.\n")
    assert invoke("build", "--only", "handout", cwd=project_copy).returncode == 0
    text = pdftotext(project_copy / "build/handouts/how-does-ketamine-work-for-depression.pdf")
    assert "Ketamine Uplift™ is a name. The time is 10:30:00." in " ".join(text.split())


# --- Remote images: fetched once, on purpose ------------------------------------------------------


class _Server(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []
    png = (FIXTURES / "rich/images/connections.png").read_bytes()

    def do_GET(self):  # noqa: N802
        _Server.requests.append(self.path)
        if self.path == "/pictures/brain.png":
            body, kind = self.png, "image/png"
        elif self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
            return
        else:
            body, kind = b"<html>a page, not a picture</html>", "text/html"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def image_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Server.requests = []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_fetch_images_saves_remote_images_once_and_the_build_never_fetches(project_copy, image_server, monkeypatch):
    from publishing.fetch_images import fetch_images
    from publishing.site import load_site

    source = project_copy / "sources/how-does-ketamine-work-for-depression.md"
    source.write_text(source.read_text() + f"\n![A drawing of the brain]({image_server}/pictures/brain.png)\n")
    refused = invoke("build", cwd=project_copy)
    assert refused.returncode != 0 and _Server.requests == []
    assert (
        f"remote image '{image_server}/pictures/brain.png' is not fetched at build time; run 'invoke "
        "fetch-images how-does-ketamine-work-for-depression' once"
    ) in refused.stderr

    # As `invoke fetch-images` does, but allowed to reach this test's own server on 127.0.0.1 (the
    # command refuses loopback addresses: tests/test_fetch_images.py).
    monkeypatch.chdir(project_copy)
    port = int(image_server.rsplit(":", 1)[1])
    [fetched], _ = fetch_images(
        load_site(project_copy), "how-does-ketamine-work-for-depression", allowed_origin=("127.0.0.1", port)
    )
    assert _Server.requests == ["/pictures/brain.png"]
    [saved] = (project_copy / "sources/images").glob("brain-*.png")
    assert saved.read_bytes() == _Server.png and fetched.path == saved
    assert f"![A drawing of the brain](images/{saved.name})" in source.read_text()

    assert invoke("build", cwd=project_copy).returncode == 0
    assert _Server.requests == ["/pictures/brain.png"]  # the build itself fetched nothing
    with zipfile.ZipFile(project_copy / "build/guides/how-does-ketamine-work-for-depression.epub") as book:
        assert f"EPUB/images/{saved.name}" in book.namelist()
