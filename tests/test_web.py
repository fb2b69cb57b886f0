"""The web edition as a patient meets it: a page per article and edition in build/site/, the crisis card
first, the article, its downloads beside it, the disclaimer and the contact; proven like every product
(a stylesheet edit that hides the card is a failed build), valid HTML (vnu), no axe-core violations at a
phone's and a desktop's width, light and dark, and every link inside the site lands."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import FIXTURES, ROOT, SAMPLE, copy_project, invoke
from extract import as_seen

RICH = "how-we-support-you"
AXE = ROOT / "node_modules/axe-core/axe.min.js"
VNU = ROOT / "node_modules/vnu-jar/build/dist/vnu.jar"


def _page(build: Path, folder: str):
    import lxml.html

    path = build / "site" / folder / "index.html"
    return path, lxml.html.document_fromstring(path.read_bytes())


def _words(element) -> str:
    return " ".join(as_seen(element.text_content()).split())


def test_the_sample_has_a_page_with_its_language_the_crisis_card_first_and_the_article(sample_build):
    path, page = _page(sample_build, SAMPLE)
    assert page.get("lang") == "en-US" and page.get("dir") == "ltr"
    body = _words(page.body)
    crisis = page.get_element_by_id("crisis-988")
    assert body.index("In crisis? Call or text 988") < body.index("Short answer:")
    assert body.index("Urgent: In crisis?") >= 0  # said first by a screen reader, not drawn
    assert [a.get("href") for a in crisis.iter("a")][:2] == ["tel:988", "sms:988"]
    assert page.xpath("//h1")[0].text_content() == "How Does Ketamine Work for Depression?"
    assert "Frequently asked questions" in [_words(h) for h in page.xpath("//h2")]
    assert "Not yet clinically reviewed · Version" in _words(page.find_class("review-facts")[0])
    assert page.get_element_by_id("medical-disclaimer") is not None
    assert "(310) 280-4440" in _words(page.get_element_by_id("clinic-contact"))
    assert page.xpath('//meta[@name="description"]/@content')[0].startswith("Ketamine works for depression")
    assert page.xpath('//link[@rel="canonical"]/@href') == ["./"]  # no web_address: relative
    assert not page.xpath("//script[not(@type='application/ld+json')]")  # no JavaScript


def test_the_page_offers_each_download_with_its_format_size_and_pages(sample_build):
    path, page = _page(sample_build, SAMPLE)
    items = page.get_element_by_id("downloads").xpath(".//li")
    assert [_words(item.find("a")) for item in items] == [
        "Printed handout",
        "E-book (EPUB) for phones and e-readers",
    ]  # the sample build makes no large print
    facts = [_words(item.find_class("download-facts")[0]) for item in items]
    assert re.fullmatch(r"PDF, \d+ KB, 4 pages", facts[0]), facts
    assert re.fullmatch(r"EPUB, \d+ KB", facts[1]), facts
    for item in items:
        copy = path.parent / item.find("a").get("href")
        built = sample_build / ("handouts" if copy.suffix == ".pdf" else "guides") / copy.name
        assert copy.read_bytes() == built.read_bytes()


def test_the_structured_data_claims_no_review_that_did_not_happen_and_lists_the_faq(sample_build):
    _, page = _page(sample_build, SAMPLE)
    [data] = [json.loads(s.text) for s in page.xpath("//script[@type='application/ld+json']")]
    medical, faq = data
    assert medical["@type"] == "MedicalWebPage" and medical["inLanguage"] == "en-US"
    assert "lastReviewed" not in medical and "reviewedBy" not in medical  # the sample is not yet reviewed
    assert faq["@type"] == "FAQPage"
    assert [q["name"] for q in faq["mainEntity"]][0] == "How fast does ketamine work for depression?"
    assert len(faq["mainEntity"]) == 4


def test_a_reviewed_article_says_so_in_its_structured_data(project_copy):
    source = project_copy / "sources" / f"{SAMPLE}.md"
    result = invoke("review", SAMPLE, "--by", "A. Test, MD", "--date", "2026-05-04", cwd=project_copy)
    assert result.returncode == 0, result.stderr
    assert invoke("build", "--only", "web", cwd=project_copy).returncode == 0
    _, page = _page(project_copy / "build", SAMPLE)
    medical = json.loads(page.xpath("//script[@type='application/ld+json']")[0].text)[0]
    assert medical["lastReviewed"] == "2026-05-04"
    assert medical["reviewedBy"] == {"@type": "Person", "name": "A. Test", "honorificSuffix": "MD"}
    source.write_text(source.read_text() + "\nOne more sentence after the review.\n")
    assert invoke("build", "--only", "web", cwd=project_copy).returncode == 0
    _, page = _page(project_copy / "build", SAMPLE)
    medical = json.loads(page.xpath("//script[@type='application/ld+json']")[0].text)[0]
    assert "lastReviewed" not in medical and "reviewedBy" not in medical  # changed since its review


def test_the_rich_fixture_keeps_tables_pictures_notes_and_callouts(rich_build):
    path, page = _page(rich_build, RICH)
    assert page.xpath("//div[@class='table-scroll']/table")
    [picture] = page.xpath("//figure//img")
    assert (path.parent / picture.get("src")).is_file() and picture.get("alt")
    assert page.find_class("footnote") and page.find_class("admonition")


def test_the_spanish_edition_has_its_own_address_language_and_alternates(spanish_build):
    build = spanish_build / "build"
    _, english = _page(build, SAMPLE)
    _, spanish = _page(build, f"es/{SAMPLE}")
    assert spanish.get("lang") == "es-US" and spanish.get("dir") == "ltr"
    assert "Descargue esta guía" in _words(spanish.get_element_by_id("downloads"))
    alternates = {link.get("hreflang"): link.get("href") for link in english.xpath("//link[@rel='alternate']")}
    assert alternates == {"en-US": f"../{SAMPLE}/", "es": f"../es/{SAMPLE}/"}
    back = {link.get("hreflang"): link.get("href") for link in spanish.xpath("//link[@rel='alternate']")}
    assert back == {"en-US": f"../../{SAMPLE}/", "es": f"../../es/{SAMPLE}/"}
    labels = [_words(a) for a in spanish.get_element_by_id("downloads").iter("a")]
    assert "Folleto en letra grande" in labels  # the Spanish build made the large print too


def test_a_direction_comes_from_the_language():
    from publishing.languages import direction

    assert [direction(tag) for tag in ("en-US", "es", "fa", "ar-EG", "he")] == ["ltr", "ltr", "rtl", "rtl", "rtl"]


# --- Index pages -----------------------------------------------------------------------------------


def test_the_library_lists_each_article_by_category_with_its_description_and_languages(spanish_build):
    _, library = _page_file(spanish_build / "build", "index.html")
    assert library.get("lang") == "en-US"
    assert [_words(h) for h in library.xpath("//main//h2")] == ["Conditions", "Guides in other languages"]
    [entry] = library.find_class("entry")
    assert entry.xpath(".//h3/a/@href") == [f"{SAMPLE}/"]
    assert _words(entry.find_class("entry-description")[0]).startswith("Ketamine works for depression")
    assert _words(entry.find_class("entry-languages")[0]) == "Also in: Español"
    assert entry.xpath(".//p[@class='entry-languages']/a/@href") == [f"es/{SAMPLE}/"]
    _, spanish = _page_file(spanish_build / "build", "es/index.html")
    assert spanish.get("lang") == "es-US" and _words(spanish.xpath("//h1")[0]) == "Nuestras guías para pacientes"
    assert spanish.find_class("entry")[0].xpath(".//h3/a/@href") == [f"../es/{SAMPLE}/"]


def _page_file(build: Path, name: str):
    import lxml.html

    path = build / "site" / name
    return path, lxml.html.document_fromstring(path.read_bytes())


WEB = "https://www.example.org/"
ISSUE = """---
title: "December 2026: how ketamine treatment works"
articles:
  - how-does-ketamine-work-for-depression
  - how-we-support-you
---

This month: how ketamine works for depression, and how the team supports you.
"""


@pytest.fixture(scope="module")
def web_project(tmp_path_factory) -> Path:
    """The sample, the rich fixture and a newsletter issue, with the clinic's web address set (and no
    article_url): built, then checked."""
    import shutil

    project = copy_project(tmp_path_factory.mktemp("web-project"))
    for path in (FIXTURES / "rich").iterdir():
        (shutil.copytree if path.is_dir() else shutil.copy)(path, project / "sources" / path.name)
    (project / "sources/newsletters").mkdir()
    (project / "sources/newsletters/2026-12.md").write_text(ISSUE)
    settings = project / "pyproject.toml"
    settings.write_text(settings.read_text().replace('web_address = ""', f'web_address = "{WEB}"', 1))
    result = invoke("build", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    return project


def _built_page_of(project: Path, address: str) -> Path:
    assert address.startswith(WEB), address
    return project / "build/site" / address.removeprefix(WEB) / "index.html"


def test_with_a_web_address_the_newsletters_read_the_guide_lands_on_a_built_page(web_project):
    import lxml.html

    issue = lxml.html.document_fromstring((web_project / "build/newsletters/issues/2026-12.html").read_bytes())
    buttons = [a.get("href") for a in issue.iter("a") if _words(a) == "Read the guide"]
    assert buttons == [f"{WEB}{SAMPLE}/", f"{WEB}{RICH}/"]
    for address in buttons:
        page = lxml.html.document_fromstring(_built_page_of(web_project, address).read_bytes())
        assert page.xpath("//h1[@id='article-title']")
    online = issue.find_class("view-online")[0].find(".//a").get("href")
    assert online == f"{WEB}issues/2026-12/" and _built_page_of(web_project, online).is_file()
    article = lxml.html.document_fromstring((web_project / f"build/newsletters/{SAMPLE}.html").read_bytes())
    assert article.find_class("view-online")[0].find(".//a").get("href") == f"{WEB}{SAMPLE}/"
    assert (
        json.loads(
            _page_file(web_project / "build", f"{SAMPLE}/index.html")[1]
            .xpath("//script[@type='application/ld+json']")[0]
            .text
        )[0]["url"]
        == f"{WEB}{SAMPLE}/"
    )


def test_the_issue_has_a_web_view_with_its_introduction_and_cards(web_project):
    _, page = _page_file(web_project / "build", "issues/2026-12/index.html")
    assert _words(page.xpath("//h1")[0]) == "December 2026: how ketamine treatment works"
    assert "This month: how ketamine works" in _words(page.find_class("intro")[0])
    assert [a.get("href") for a in page.xpath("//h3/a")] == [f"../../{SAMPLE}/", f"../../{RICH}/"]


def test_check_proves_the_linked_addresses_land_and_runs_vnu_on_every_page(web_project):
    result = invoke("check", cwd=web_project)
    rows = {(r["article"], r["check"]): r for r in json.loads((web_project / "build/check.json").read_text())["rows"]}
    assert rows["(web edition)", "links land"]["status"] == "pass", result.stdout
    assert rows["(web edition)", "links land"]["detail"] == (
        "3 address(es) the products link land on pages in build/site/"
    )
    assert rows["(web edition)", "vnu"]["detail"] == "4 page(s), 0 errors (one Java process)"
    assert rows["index", "required blocks"]["status"] == "pass"


def test_a_linked_page_that_is_gone_fails_the_check(web_project, tmp_path):
    import shutil

    project = tmp_path / "copy"
    shutil.copytree(web_project, project)
    shutil.rmtree(project / "build/site" / RICH)
    invoke("check", cwd=project)
    rows = {(r["article"], r["check"]): r for r in json.loads((project / "build/check.json").read_text())["rows"]}
    assert rows["(web edition)", "links land"]["detail"] == (
        f"1 address(es) the products link have no page in build/site/: {WEB}{RICH}/; run 'invoke build'"
    )


# --- The proof: a page that hides a block is a failed build ------------------------------------------


def test_the_library_lists_only_articles_whose_page_was_built(project_copy):
    """A second article whose picture is missing fails to build: the library lists the sample, whose
    page is there, and never links to a page that is not."""
    text = (project_copy / "sources" / f"{SAMPLE}.md").read_text(encoding="utf-8")
    broken = text.replace("title: How Does", "title: (0) How Does") + "\n![A brain](images/no-such-picture.png)\n"
    (project_copy / "sources" / "copy-0.md").write_text(broken, encoding="utf-8")
    result = invoke("build", "--only", "web", cwd=project_copy)
    assert result.returncode == 1 and "image 'images/no-such-picture.png' does not exist" in result.stderr
    library = (project_copy / "build/site/index.html").read_text(encoding="utf-8")
    assert f'href="{SAMPLE}/"' in library
    assert "copy-0" not in library and not (project_copy / "build/site/copy-0").exists()


def test_hiding_the_crisis_card_in_the_web_stylesheet_fails_the_build(project_copy):
    css = project_copy / "layouts/web/web.css"
    css.write_text(css.read_text() + "\n.care-card .crisis { display: none; }\n")
    result = invoke("build", "--only", "web", cwd=project_copy)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert (
        f"build/site/{SAMPLE}/index.html: error: web: the crisis information (988 Suicide and Crisis Lifeline) "
        "is not visible in the page at 375 px: display:none on #crisis-988 from layouts/web/web.css; every "
        "reader must see it: change that rule back (the block keeps its id 'crisis-988')"
    ) in result.stderr
    assert not (project_copy / "build/site" / SAMPLE / "index.html").exists()


def test_a_dark_mode_rule_that_hides_the_card_fails_the_build(project_copy):
    css = project_copy / "layouts/web/web.css"
    css.write_text(css.read_text() + "\n@media (prefers-color-scheme: dark) { .crisis p { color: #182024; } }\n")
    result = invoke("build", "--only", "web", cwd=project_copy)
    assert result.returncode != 0
    assert "contrast 1.0:1, under 4.5:1 (under @media (prefers-color-scheme: dark))" in result.stderr


def test_a_harmless_restyle_still_builds(project_copy):
    css = project_copy / "layouts/web/web.css"
    css.write_text(css.read_text() + "\n.crisis .required-title { font-size: 26px; letter-spacing: 0.5px; }\n")
    result = invoke("build", "--only", "web", cwd=project_copy)
    assert result.returncode == 0, result.stderr


# --- Validators ------------------------------------------------------------------------------------


def _site_pages(*builds: Path) -> list[Path]:
    return sorted(page for build in builds for page in (build / "site").rglob("*.html"))


def vnu_errors(pages: list[Path]) -> list[dict]:
    """vnu's errors and fatal messages on ``pages``, checked in one Java process (as the gate runs EPUBCheck)."""
    import subprocess

    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr)["messages"]
    return [m for m in messages if m["type"] == "error" or m.get("subType") == "fatal"]


def test_vnu_finds_no_error_on_any_page(sample_build, rich_build, spanish_build, web_project):
    pages = _site_pages(sample_build, rich_build, spanish_build / "build", web_project / "build")
    assert len(pages) >= 10
    assert vnu_errors(pages) == []


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.targets: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        for name in ("href", "src"):
            if values.get(name):
                self.targets.append(values[name])


def broken_links(site: Path) -> list[str]:
    """Every href and src of every page in ``site`` that does not land on a file (or an id) of it."""
    broken = []
    for page in sorted(site.rglob("*.html")):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for target in parser.targets:
            parts = urlsplit(target)
            if parts.scheme or parts.netloc:
                continue  # tel:, sms:, https: leave the site
            path = page.parent / unquote(parts.path) if parts.path else page
            if path.is_dir():
                path = path / "index.html"
            if not path.is_file() or (parts.fragment and path == page and parts.fragment not in parser.ids):
                broken.append(f"{page.relative_to(site)}: {target}")
    return broken


def test_every_link_and_download_inside_the_site_lands(sample_build, rich_build, spanish_build, web_project):
    for build in (sample_build, rich_build, spanish_build / "build", web_project / "build"):
        assert broken_links(build / "site") == []


VIEWS = [(width, scheme) for width in (375, 1280) for scheme in ("light", "dark")]
PAGES = [("sample", SAMPLE), ("rich", RICH), ("spanish", f"es/{SAMPLE}")]


@pytest.mark.parametrize("which, folder", PAGES, ids=[p[0] for p in PAGES])
def test_axe_finds_no_violation_at_phone_and_desktop_width_light_and_dark(
    chromium, sample_build, rich_build, spanish_build, which, folder, tmp_path_factory
):
    build = {"sample": sample_build, "rich": rich_build, "spanish": spanish_build / "build"}[which]
    assert axe_at_every_view(chromium, build / "site" / folder / "index.html", which, tmp_path_factory) == []


def axe_at_every_view(chromium, path: Path, which: str, tmp_path_factory) -> list:
    """(width, scheme, what is wrong) for each view of the page that scrolls sideways or has axe-core
    violations; a screenshot of each view is kept for a person to look at."""
    shots = tmp_path_factory.getbasetemp() / "web-screenshots"
    shots.mkdir(exist_ok=True)
    found = []
    for width, scheme in VIEWS:
        chromium.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
        )
        chromium.execute_cdp_cmd(
            "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]}
        )
        chromium.get(path.as_uri())
        overflow = chromium.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;"
        )
        chromium.execute_script(AXE.read_text())
        violations = chromium.execute_async_script(
            "const done = arguments[0]; axe.run(document).then(r => done(r.violations.map("
            "v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))}))));"
        )
        chromium.save_screenshot(str(shots / f"{which}-{width}-{scheme}.png"))  # for a person to look at
        if overflow > 0:
            found.append((width, scheme, f"scrolls {overflow} px sideways"))
        if violations:
            found.append((width, scheme, violations))
    return found


# --- invoke serve ------------------------------------------------------------------------------------


def test_the_preview_serves_the_site_and_each_card_links_its_page(web_project):
    import http.client
    import http.server
    import threading

    from publishing.preview import Preview, make_handler

    preview = Preview(web_project)
    preview.rebuild()  # nothing changed since the build: it only reads what is there
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(preview))
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def get(path: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        try:
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    try:
        status, index = get("/")
        assert status == 200 and 'href="/site/"' in index
        assert f'<a href="/build/site/{SAMPLE}/index.html">Web page</a>' in index
        status, library = get("/site/")
        assert status == 200 and "Our guides for patients" in library
        status, page = get(f"/site/{SAMPLE}/")
        assert status == 200 and 'id="crisis-988"' in page
        assert get(f"/site/{SAMPLE}/{SAMPLE}.pdf")[0] == 200
        assert get("/site/../pyproject.toml")[0] == 400  # never outside build/site/
    finally:
        server.shutdown()
        server.server_close()
