"""Staff write, preview and fix articles in a browser: `invoke serve` tested in headless Chromium."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE, add_spanish_translation, copy_project, invoke, write_own_words

SCREENSHOTS = Path(os.environ.get("PREVIEW_SCREENSHOTS", tempfile.gettempdir())) / "preview-screenshots"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(folder: Path):
    """`invoke serve` on a free port in ``folder``: the process and its address, once it serves."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "invoke", "serve", "--port", str(port)],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    # Serving starts after the first build, when the preview announces its address.
    said = []
    while not (said and said[-1].startswith(f"Preview at {url}")):
        line = process.stdout.readline() if process.stdout else ""
        if not line:
            pytest.fail("invoke serve ended before serving:\n" + "".join(said))
        said.append(line)
    return process, url


@contextlib.contextmanager
def _serving(folder: Path):
    """`invoke serve` in ``folder`` while the block runs: yields the folder and the preview's address."""
    process, url = _serve(folder)
    try:
        yield folder, url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`invoke serve` on a free port, over a project copy with the sample and a new article."""
    folder = copy_project(tmp_path_factory.mktemp("served"))
    assert invoke("new", "Sleep and Mood", cwd=folder).returncode == 0
    write_own_words(folder / "sources" / "sleep-and-mood.md")
    with _serving(folder) as serving:
        yield serving


@pytest.fixture(scope="module")
def served_in_two_languages(tmp_path_factory):
    """`invoke serve` over a project copy with the sample and its Spanish test translation."""
    folder = copy_project(tmp_path_factory.mktemp("bilingual"))
    add_spanish_translation(folder)
    with _serving(folder) as serving:
        yield serving


@pytest.fixture(scope="module")
def browser(chromium):
    chromium.set_window_size(1280, 1000)
    return chromium


def _wait_for(condition) -> None:
    """Until the page shows what ``condition`` looks for (a limit only so that a broken preview ends the test)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # The page replaces its cards when a build lands: an element found a moment ago can be gone by the
    # time its text is read. That is the page changing, not an answer: look again.
    WebDriverWait(None, timeout=120, poll_frequency=0.1, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda _: condition()
    )


def test_the_index_lists_every_article_with_its_products(served, browser):
    folder, url = served
    browser.get(url)
    titles = [element.text for element in browser.find_elements("css selector", ".card h2")]
    assert titles == ["How Does Ketamine Work for Depression?", "Sleep and Mood"]
    card = browser.find_element("id", f"article-{SAMPLE}")
    assert "Not yet clinically reviewed" in card.text and "Flesch-Kincaid grade" in card.text
    labels = [a.text for a in card.find_elements("css selector", ".links a")]
    assert labels[:4] == ["PDF handout", "EPUB guide", "Newsletter (HTML)", "Newsletter (plain text)"]


def test_every_link_answers_and_every_thumbnail_loads(served, browser):
    folder, url = served
    browser.get(url)
    links = {a.get_attribute("href") for a in browser.find_elements("css selector", "a[href]")}
    frames = [f.get_attribute("src") for f in browser.find_elements("css selector", "iframe")]
    assert len(links) >= 8 and len(frames) == 4  # each newsletter at 600 px and at 375 px
    for link in links | set(frames):
        assert urllib.request.urlopen(link, timeout=10).status == 200, link
    thumbnails = browser.find_elements("css selector", "img.thumb")
    assert len(thumbnails) == 2
    _wait_for(
        lambda: all(
            browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", t) for t in thumbnails
        )
    )
    assert all(browser.execute_script("return arguments[0].naturalWidth", t) > 100 for t in thumbnails)


def test_screenshots_at_desktop_and_phone_width(served, browser):
    folder, url = served
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, width in (("desktop", 1280), ("phone", 390)):
        browser.set_window_size(width, 1400)
        browser.get(url)
        _wait_for(
            lambda: browser.execute_script(
                "return document.readyState === 'complete' && [...document.images].every(i => i.complete)"
            )
        )
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width
        assert browser.save_screenshot(str(SCREENSHOTS / f"index-{name}.png"))
    browser.set_window_size(1280, 1000)


def test_editing_a_source_updates_the_open_page_by_itself(served, browser):
    folder, url = served
    browser.get(url)
    generation = browser.find_element("id", "content").get_attribute("data-generation")
    state = folder / "build" / ".publishing-state.json"
    sample_pdf = folder / "build" / "handouts" / f"{SAMPLE}.pdf"
    untouched = sample_pdf.stat().st_mtime_ns
    source = folder / "sources" / "sleep-and-mood.md"
    source.write_text(source.read_text().replace("title: Sleep and Mood", "title: Sleep, Mood and Rest"))
    _wait_for(lambda: "Sleep, Mood and Rest" in [e.text for e in browser.find_elements("css selector", ".card h2")])
    assert browser.find_element("id", "content").get_attribute("data-generation") != generation
    assert sample_pdf.stat().st_mtime_ns == untouched, "the other article was rebuilt"
    assert state.is_file()


def test_a_broken_source_shows_its_error_and_fixing_it_clears_it(served, browser):
    folder, url = served
    source = folder / "sources" / "sleep-and-mood.md"
    good = source.read_text()
    source.write_text(good.replace("author:", "auther:"))
    browser.get(url)
    _wait_for(lambda: browser.find_elements("css selector", ".build-error"))
    error = browser.find_element("css selector", ".build-error").text
    assert error.startswith("sources/sleep-and-mood.md:") and "unknown front matter key 'auther'" in error
    # The other article and the last good products stay available.
    assert urllib.request.urlopen(url + f"build/handouts/{SAMPLE}.pdf", timeout=10).status == 200
    assert urllib.request.urlopen(url + "build/handouts/sleep-and-mood.pdf", timeout=10).status == 200
    source.write_text(good)
    _wait_for(lambda: not browser.find_elements("css selector", ".build-error"))


def test_an_article_and_its_translation_side_by_side_with_the_stale_state(served_in_two_languages, browser):
    folder, url = served_in_two_languages
    browser.get(url)
    english = browser.find_element("id", f"article-{SAMPLE}")
    spanish = browser.find_element("id", f"article-{SAMPLE}-es")
    assert english.location["y"] == spanish.location["y"] and spanish.location["x"] > english.location["x"]
    assert english.text.startswith("ENGLISH") and spanish.text.startswith("SPANISH")
    title = spanish.find_element("css selector", "h2")
    assert title.text == "¿Cómo funciona la ketamina para la depresión?" and title.get_attribute("lang") == "es-US"
    assert "INFLESZ (Szigriszt-Pazos)" in spanish.text
    labels = [a.text for a in spanish.find_elements("css selector", ".links a")]
    assert labels[:2] == ["PDF handout", "EPUB guide"]
    assert not spanish.find_elements("css selector", ".stale")
    draft = spanish.find_element("css selector", ".draft")  # the Spanish safety text awaits approval
    assert draft.text.startswith("Draft: the Spanish safety text (sources/_required/es/crisis.md, ")
    assert not english.find_elements("css selector", ".draft")

    generation = browser.find_element("id", "content").get_attribute("data-generation")
    source = folder / "sources" / f"{SAMPLE}.md"
    source.write_text(source.read_text().replace("it acts quickly.", "it acts quickly, often within hours."))
    _wait_for(lambda: _page_generation(browser, url) != generation)
    stale = browser.find_element("id", f"article-{SAMPLE}-es").find_element("css selector", ".stale")
    assert stale.text.startswith(f"Stale: {SAMPLE}.md changed since this translation")
    assert f"invoke translate {SAMPLE} --lang es --current" in stale.text


def _page_generation(browser, url: str) -> str:
    browser.get(url)
    return browser.find_element("id", "content").get_attribute("data-generation")
