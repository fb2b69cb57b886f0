"""The newsletter marketing sends: a monthly issue of several articles, calls to action a thumb can
hit, and a message complete enough for the inbox (From, Date, Message-ID, one-click unsubscribe,
DKIM). Read back from the built files with lxml, Chromium, doiuse-email, aiosmtpd and dkimpy."""

from __future__ import annotations

import base64
import json
import re
import shutil
import socket
import subprocess
from email import policy
from email.parser import BytesParser
from pathlib import Path

import lxml.html
import pytest
from test_newsletter import AXE, IMAGE_BASE, POSTAL, SENDER, UNSUBSCRIBE, WEB, _set, _use_smtp_profile, open_newsletter

from conftest import FIXTURES, ROOT, SAMPLE, copy_project, invoke
from extract import as_seen, normalised
from test_sample_build import CRISIS, DISCLAIMER

RICH = "how-we-support-you"
ISSUE = "2026-12"
ARTICLE_URL = "https://www.example.org/guides/{slug}/"
ISSUE_SOURCE = f"""---
title: "December 2026: how ketamine treatment works"
articles:
  - {SAMPLE}
  - {RICH}
---

This month: how ketamine works for depression, and how the team supports you.
"""


def _issue_project(folder: Path, *, article_url: str = ARTICLE_URL, issue: str = ISSUE_SOURCE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    project = copy_project(folder)
    sources = project / "sources"
    for path in (FIXTURES / "rich").iterdir():
        (shutil.copytree if path.is_dir() else shutil.copy)(path, sources / path.name)
    (sources / "newsletters").mkdir()
    (sources / "newsletters" / f"{ISSUE}.md").write_text(issue)
    _set(
        project / "pyproject.toml",
        web_address=WEB,
        article_url=article_url,
        sender_address=SENDER,
        postal_address=POSTAL,
        image_base_url=IMAGE_BASE,
    )
    return project


@pytest.fixture(scope="module")
def issue_project(tmp_path_factory) -> Path:
    project = _issue_project(tmp_path_factory.mktemp("issue-project"))
    result = invoke("newsletter", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "from 2 article(s) and 1 newsletter issue(s)." in result.stdout
    return project


def issue_files(project: Path) -> dict[str, Path]:
    return {suffix: project / f"build/newsletters/issues/{ISSUE}.{suffix}" for suffix in ("html", "txt", "eml")}


def read_eml(path: Path):
    with path.open("rb") as file:
        return BytesParser(policy=policy.default).parse(file)


# --- The issue ------------------------------------------------------------------------------------


def test_an_issue_builds_its_html_text_and_message(issue_project):
    files = issue_files(issue_project)
    assert all(path.is_file() for path in files.values())
    page = lxml.html.fromstring(files["html"].read_bytes())
    assert page.xpath("//title")[0].text_content() == "December 2026: how ketamine treatment works"
    assert page.xpath("//h1")[0].text_content() == "December 2026: how ketamine treatment works"
    intro = "This month: how ketamine works for depression, and how the team supports you."
    assert intro in page.text_content()
    message = read_eml(files["eml"])
    assert message["Subject"] == "December 2026: how ketamine treatment works"
    preview = page.xpath("//*[contains(@class, 'preheader')]")[0].text_content()
    assert preview.startswith(
        "In this issue: How Does Ketamine Work for Depression? · Sleep, Mood & the \u201cQuiet Mind\u201d <Guide>"
    )


def test_each_article_has_a_card_that_links_its_web_address(issue_project):
    page = lxml.html.fromstring(issue_files(issue_project)["html"].read_bytes())
    cards = page.find_class("card")
    assert len(cards) == 2
    for card, slug, title in zip(
        cards,
        (SAMPLE, RICH),
        ("How Does Ketamine Work for Depression?", "Sleep, Mood & the \u201cQuiet Mind\u201d"),
        strict=True,
    ):
        url = ARTICLE_URL.format(slug=slug)
        text = " ".join(card.text_content().split())
        assert title in text
        buttons = card.xpath(".//a[contains(@class, 'button')]")
        assert [(b.get("href"), b.text_content()) for b in buttons] == [(url, "Read the guide")]
        assert "e-book (EPUB) and a printed handout" in text
    assert "Conditions" in cards[0].text_content()  # the article's category


def test_the_crisis_block_comes_before_the_first_card_and_the_disclaimer_closes_it(issue_project):
    page = lxml.html.fromstring(issue_files(issue_project)["html"].read_bytes())
    order = [e for e in page.iter() if e.get("id") in ("crisis-988", "medical-disclaimer") or "card" == e.get("class")]
    kinds = [e.get("id") or "card" for e in order]
    assert kinds == ["crisis-988", "card", "card", "medical-disclaimer"]
    text = normalised(page.text_content())
    for block in (CRISIS, DISCLAIMER):
        assert normalised(block) in text


def test_the_issue_is_at_most_sixty_percent_of_the_two_article_newsletters(issue_project):
    newsletters = issue_project / "build/newsletters"
    articles = sum((newsletters / f"{slug}.html").stat().st_size for slug in (SAMPLE, RICH))
    issue = issue_files(issue_project)["html"].stat().st_size
    assert issue <= 0.6 * articles, (issue, articles)


def test_the_issue_has_calls_to_action_near_the_top_and_at_the_end(issue_project):
    page = lxml.html.fromstring(issue_files(issue_project)["html"].read_bytes())
    calls = [a for a in page.xpath("//a[contains(@class, 'button')]") if a.get("href") == "tel:+13102804440"]
    assert [as_seen(a.text_content()) for a in calls] == ["Call us: (310) 280-4440"] * 2
    everything = list(page.iter())
    first_card = page.find_class("card")[0]
    assert everything.index(calls[0]) < everything.index(first_card) < everything.index(calls[1])
    assert not page.xpath("//a[contains(., 'Book')]")  # no booking link: the clinic has given none


def test_the_issue_plain_text_has_every_card_with_its_address(issue_project):
    text = issue_files(issue_project)["txt"].read_text()
    flat = " ".join(text.split())
    for slug in (SAMPLE, RICH):
        assert f"Read the guide: <{ARTICLE_URL.format(slug=slug)}>" in flat
    for block in (CRISIS, DISCLAIMER):
        assert normalised(block) in normalised(text)
    assert flat.index("IN CRISIS?") < flat.index("IN THIS ISSUE")
    assert "tel:" not in text and "sms:" not in text
    assert max(len(line) for line in text.splitlines()) <= 78


def test_check_proves_the_issue_and_reuses_nothing_it_should_not(issue_project):
    result = invoke("check", cwd=issue_project)
    rows = [line for line in result.stdout.splitlines() if f"  {ISSUE}  " in line]
    assert any(line.startswith("PASS") and "required blocks" in line for line in rows), result.stdout
    assert any(line.startswith("PASS") and "2 card(s), each linked online" in line for line in rows)
    html = issue_files(issue_project)["html"]
    before = html.read_bytes()
    try:
        html.write_bytes(before.replace(b'id="medical-disclaimer"', b'id="disclaimer-gone"'))
        result = invoke("check", cwd=issue_project)
        assert result.returncode != 0
        assert any(
            line.startswith("FAIL") and f"  {ISSUE}  " in line and "the medical disclaimer is missing" in line
            for line in result.stdout.splitlines()
        ), result.stdout
    finally:
        html.write_bytes(before)


def test_an_issue_is_rebuilt_when_an_article_it_names_changes(tmp_path):
    project = _issue_project(tmp_path / "p")
    assert invoke("newsletter", cwd=project).returncode == 0
    again = invoke("newsletter", cwd=project)
    assert again.stdout.strip().endswith("are up to date (--force rebuilds them).")
    source = project / "sources" / f"{RICH}.md"
    source.write_text(source.read_text().replace("A fixture that uses", "A test fixture that uses"))
    result = invoke("newsletter", cwd=project)
    assert f"built   build/newsletters/issues/{ISSUE}.html" in result.stdout
    assert "A test fixture that uses" in issue_files(project)["html"].read_text()


@pytest.mark.parametrize(
    "issue, expected",
    [
        (
            ISSUE_SOURCE.replace(f"  - {RICH}\n", "  - no-such-article\n"),
            f"sources/newsletters/{ISSUE}.md:5: error: no article with the slug 'no-such-article'; "
            f"choose from {SAMPLE}, {RICH}",
        ),
        (
            "---\ntitle: Empty\narticles: []\n---\n",
            f"sources/newsletters/{ISSUE}.md:3: error: the issue names no articles; "
            "list the slugs of its articles under 'articles:', one '- slug' a line",
        ),
        (
            "---\ntitle: Empty\n---\nHello.\n",
            f"sources/newsletters/{ISSUE}.md:1: error: the issue names no articles; "
            "list the slugs of its articles under 'articles:', one '- slug' a line",
        ),
        (
            ISSUE_SOURCE.replace("title:", "subjekt: Hi\ntitle:"),
            f"sources/newsletters/{ISSUE}.md:2: error: unknown front matter key 'subjekt' in a newsletter issue; "
            "use one of: title, articles, subject, preheader, lang",
        ),
    ],
    ids=["unknown-article", "empty-list", "no-articles", "unknown-key"],
)
def test_a_broken_issue_is_a_clear_error_and_the_articles_still_build(tmp_path, issue, expected):
    project = _issue_project(tmp_path / "p", issue=issue)
    result = invoke("newsletter", cwd=project)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert expected in result.stderr.splitlines(), result.stderr
    assert "1 of 1 newsletter issue(s) failed; the others were built." in result.stderr
    assert not (project / "build/newsletters/issues").exists()
    assert (project / f"build/newsletters/{SAMPLE}.html").is_file()
    check = invoke("check", cwd=project)
    assert check.returncode != 0
    assert any(line.startswith("FAIL") and expected in line for line in check.stdout.splitlines()), check.stdout


def test_without_article_addresses_the_cards_link_nowhere_and_check_says_so(tmp_path):
    project = _issue_project(tmp_path / "p", article_url="")
    _set(project / "pyproject.toml", web_address="")  # with it, the cards link the web edition (test_web.py)
    assert invoke("newsletter", cwd=project).returncode == 0
    page = lxml.html.fromstring(issue_files(project)["html"].read_bytes())
    for card in page.find_class("card"):
        assert [a.get("href") for a in card.iter("a")] == ["tel:+13102804440"]
        assert "Ask us for the e-book (EPUB) or the printed handout: call (310) 280-4440." in " ".join(
            as_seen(card.text_content()).split()
        )
    result = invoke("check", cwd=project)
    assert any(
        line.startswith("WARN")
        and f"sources/newsletters/{ISSUE}.md: 2 card(s) ({SAMPLE}, {RICH}) have no web address to link" in line
        for line in result.stdout.splitlines()
    ), result.stdout


# --- The article's own newsletter -----------------------------------------------------------------


def test_the_article_newsletter_links_its_web_address_early(issue_project):
    raw = (issue_project / f"build/newsletters/{SAMPLE}.html").read_bytes()
    url = ARTICLE_URL.format(slug=SAMPLE)
    assert f'href="{url}"'.encode() in raw[:6000]
    page = lxml.html.fromstring(raw)
    online = page.find_class("view-online")[0]
    assert [(a.get("href"), a.text_content()) for a in online.iter("a")] == [(url, "Read this guide on our website")]
    text = (issue_project / f"build/newsletters/{SAMPLE}.txt").read_text()
    assert " ".join(text.split()).startswith(f"Read this guide on our website: <{url}> KETAMINE UPLIFT")


def test_the_plain_text_part_carries_the_review_line(issue_project):
    text = (issue_project / f"build/newsletters/{RICH}.txt").read_text()
    assert "Ketamine Uplift Care Team · Last reviewed May 4, 2026 by Test Reviewer, MD" in text


def test_a_teaser_newsletter_is_the_opening_and_a_link_to_the_guide(tmp_path):
    project = _issue_project(tmp_path / "p")
    source = project / "sources" / f"{SAMPLE}.md"
    source.write_text(source.read_text().replace("\n---\n", "\nnewsletter: {style: teaser}\n---\n", 1))
    assert invoke("newsletter", cwd=project).returncode == 0
    page = lxml.html.fromstring((project / f"build/newsletters/{SAMPLE}.html").read_bytes())
    body = page.find_class("article-body")[0]
    assert not body.xpath(".//h2")  # the opening only
    assert "Short answer:" in body.text_content()
    link = body.xpath(".//p[@class='continue']/a")[0]
    assert (link.get("href"), link.text_content()) == (
        ARTICLE_URL.format(slug=SAMPLE),
        "Read the whole guide: How Does Ketamine Work for Depression?",
    )


def test_an_unknown_newsletter_style_is_a_clear_error(tmp_path):
    project = _issue_project(tmp_path / "p")
    source = project / "sources" / f"{SAMPLE}.md"
    source.write_text(source.read_text().replace("\n---\n", "\nnewsletter: {style: short}\n---\n", 1))
    result = invoke("newsletter", cwd=project)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert (
        f"sources/{SAMPLE}.md:9: error: newsletter style 'short' is not one of full, teaser; write style: teaser "
        "(the opening and a link to the guide) or leave it out (the whole article)"
    ) in result.stderr.splitlines(), result.stderr


# --- In Chromium at 375 px: where things are and how big ------------------------------------------


def _open(driver, path: Path, width: int, *, dark: bool = False, without_style: bool = False) -> None:
    """An article's newsletter or an issue (whose images lie one folder up, beside the articles')."""
    images = path.parent.parent if "issues" in path.parts else path.parent
    open_newsletter(driver, path, width, dark=dark, without_style=without_style, images_from=images)


LINKS = """return [...document.querySelectorAll('a[href^="tel:"], a[href^="sms:"]')].map(a => {
  const r = a.getBoundingClientRect();
  return {href: a.getAttribute('href'), text: a.textContent.trim(), height: r.height, width: r.width,
          crisis: !!a.closest('#crisis-988 .crisis-actions'), button: a.classList.contains('button')};
});"""


@pytest.mark.parametrize("which", [SAMPLE, RICH, ISSUE])
def test_every_phone_and_text_link_is_big_enough_to_tap(chromium, issue_project, which):
    folder = issue_project / "build/newsletters" / ("issues" if which == ISSUE else "")
    _open(chromium, folder / f"{which}.html", 375)
    links = chromium.execute_script(LINKS)
    crisis = [link for link in links if link["crisis"]]
    assert [(link["href"], link["text"]) for link in crisis] == [("tel:988", "Call 988"), ("sms:988", "text 988")]
    for link in links:
        least = 44 if link["crisis"] or link["button"] else 24
        assert link["height"] >= least and link["width"] >= 24, link


def test_a_call_to_action_button_shows_on_the_first_phone_screens(chromium, issue_project):
    _open(chromium, issue_project / f"build/newsletters/{SAMPLE}.html", 375)
    tops = chromium.execute_script(
        "return [...document.querySelectorAll('a.button')].map(a => a.getBoundingClientRect().top + window.scrollY);"
    )
    assert tops and min(tops) + 48 <= 1200, tops


@pytest.mark.parametrize("images", ["shown", "blocked"])
@pytest.mark.parametrize("which", [SAMPLE, RICH])
def test_an_articles_newsletter_with_its_pictures_fits_a_phone_and_the_crisis_card_in_it(
    chromium, issue_project, which, images, tmp_path
):
    """With image_base_url set, pictures carry their width for Outlook; on a phone they shrink to the
    column whether the client shows them or blocks them (then it draws a box of that width), so nothing
    scrolls sideways and the crisis card lies on the screen. The gate's witness, which loads no image,
    failed the rich fixture's newsletter when a 480 px picture widened the page to 516 px."""
    folder = issue_project / "build/newsletters"
    open_newsletter(chromium, folder / f"{which}.html", 375, images_from=folder if images == "shown" else tmp_path)
    overflow, card = chromium.execute_script(
        "const r = document.getElementById('crisis-988').getBoundingClientRect();"
        "return [document.documentElement.scrollWidth - document.documentElement.clientWidth, [r.left, r.right]];"
    )
    assert overflow <= 0, f"the page is {overflow} px wider than the phone"
    assert 0 <= card[0] and card[1] <= 375, card


VIEWS = {
    "600": (600, {}),
    "375": (375, {}),
    "600-dark": (600, {"dark": True}),
    "375-dark": (375, {"dark": True}),
    "375-no-style": (375, {"without_style": True}),
    "600-no-style": (600, {"without_style": True}),
}


@pytest.mark.parametrize("view", VIEWS)
def test_the_issue_in_chromium_has_no_axe_violations_and_no_sideways_scroll(
    chromium, issue_project, view, tmp_path_factory
):
    width, options = VIEWS[view]
    _open(chromium, issue_files(issue_project)["html"], width, **options)
    overflow = chromium.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;"
    )
    chromium.execute_script(AXE.read_text())
    violations = chromium.execute_async_script(
        "const done = arguments[0]; axe.run(document).then(r => done(r.violations.map(v => v.id)));"
    )
    height = chromium.execute_script("return document.documentElement.scrollHeight;")
    shot = chromium.execute_cdp_cmd(
        "Page.captureScreenshot",
        {"captureBeyondViewport": True, "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}},
    )
    shots = tmp_path_factory.getbasetemp() / "newsletter-screenshots"
    shots.mkdir(exist_ok=True)
    (shots / f"issue-{view}.png").write_bytes(base64.b64decode(shot["data"]))  # for a person to look at
    assert overflow <= 0 and violations == []


# --- What email clients support -------------------------------------------------------------------

# Each error that remains is a deliberate fallback (see test_newsletter.DELIBERATE_FALLBACKS for why).
GMAIL_FALLBACKS = {
    "`@media` is not supported by `gmail.mobile-webmail`",
    "`display:none` is not supported by `gmail.mobile-webmail`",
}
OUTLOOK_FALLBACKS = {
    "`@media` is not supported by `outlook.windows`",
    "`overflow` is not supported by `outlook.windows`",
    "`border-radius` is not supported by `outlook.windows`",
}


@pytest.mark.parametrize("which", [SAMPLE, RICH, ISSUE])
def test_gmail_outlook_and_apple_mail_errors_are_few_and_each_deliberate(issue_project, which):
    folder = issue_project / "build/newsletters" / ("issues" if which == ISSUE else "")
    result = subprocess.run(
        ["node", str(ROOT / "tests/email_client_support.js"), str(folder / f"{which}.html")],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    errors = set(json.loads(result.stdout)["errors"])
    gmail = {e for e in errors if "`gmail." in e}
    outlook = {e for e in errors if "`outlook.windows`" in e}
    apple = {e for e in errors if "`apple-mail." in e}
    assert len(gmail) <= 5 and len(outlook) <= 5 and apple == set()
    # Local anchors (footnote marks) are the rich fixture's own: Gmail for iOS ignores the jump.
    assert gmail - GMAIL_FALLBACKS <= {"`Local anchors` is not supported by `gmail.ios`"}
    assert outlook <= OUTLOOK_FALLBACKS


# --- The message ----------------------------------------------------------------------------------


def test_the_message_is_complete_when_the_sender_is_set(issue_project):
    for eml in (issue_files(issue_project)["eml"], issue_project / f"build/newsletters/{SAMPLE}.eml"):
        message = read_eml(eml)
        assert message["From"] == f"Ketamine Uplift <{SENDER}>"
        assert message["MIME-Version"] == "1.0"
        assert re.fullmatch(r"<[0-9a-f]{24}@example\.org>", message["Message-ID"])
        assert message["Date"].datetime is not None  # RFC 5322 date, parsed
        # Mailchimp's merge tag is no address a mail program can use: no List-Unsubscribe header.
        assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None


def test_the_same_issue_gives_the_same_message(tmp_path):
    project = _issue_project(tmp_path / "p")
    assert invoke("newsletter", cwd=project).returncode == 0
    first = issue_files(project)["eml"].read_bytes()
    assert invoke("newsletter", "--force", cwd=project).returncode == 0
    assert issue_files(project)["eml"].read_bytes() == first


@pytest.mark.parametrize(
    "unsubscribe, one_click",
    [(UNSUBSCRIBE, True), ("mailto:unsubscribe@example.org?subject=unsubscribe", False)],
    ids=["https", "mailto"],
)
def test_one_click_unsubscribe_headers_only_for_an_https_address(tmp_path, unsubscribe, one_click):
    project = _issue_project(tmp_path / "p")
    _use_smtp_profile(project / "pyproject.toml", unsubscribe)
    assert invoke("newsletter", cwd=project).returncode == 0
    message = read_eml(issue_files(project)["eml"])
    assert message["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message["List-Unsubscribe-Post"] == ("List-Unsubscribe=One-Click" if one_click else None)


@pytest.fixture
def smtp_inbox():
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives."""
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.envelopes = []

        async def handle_DATA(self, server, session, envelope):
            self.envelopes.append(envelope)
            return "250 Message accepted"

    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


def _ready_to_send(folder: Path, unsubscribe: str = UNSUBSCRIBE) -> Path:
    project = _issue_project(folder)
    _use_smtp_profile(project / "pyproject.toml", unsubscribe)
    result = invoke("newsletter", cwd=project)
    assert result.returncode == 0, result.stderr
    return project


def test_send_delivers_the_issue_intact(tmp_path, smtp_inbox):
    project = _ready_to_send(tmp_path / "p")
    env = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_inbox.port), "SMTP_STARTTLS": "false"}
    result = invoke("send", ISSUE, "--to", "reader@example.org", "--unreviewed", cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    [envelope] = smtp_inbox.envelopes
    eml = issue_files(project)["eml"].read_bytes()
    assert envelope.original_content.endswith(b"\r\n\r\n" + eml.split(b"\r\n\r\n", 1)[1])  # the body as built
    message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
    built = read_eml(issue_files(project)["eml"])
    assert message["To"] == "reader@example.org" and message["Subject"] == built["Subject"]
    assert message["Message-ID"] != built["Message-ID"]  # stamped when sent: a second send is a new message


def test_send_refuses_an_unsubscribe_that_is_only_mailto(tmp_path):
    project = _ready_to_send(tmp_path / "p", "mailto:unsubscribe@example.org?subject=unsubscribe")
    result = invoke("send", SAMPLE, "--to", "reader@example.org", cwd=project, env={"SMTP_HOST": "127.0.0.1"})
    assert result.returncode != 0 and "Traceback" not in result.stderr and result.stdout == ""
    assert result.stderr.strip() == (
        "pyproject.toml: error: cannot send the newsletter: the unsubscribe link "
        "'mailto:unsubscribe@example.org?subject=unsubscribe' is only a mailto: address: Gmail's and Yahoo's "
        "rules for bulk senders (2024) require one-click unsubscribe (RFC 8058), which needs an https:// "
        "address; fill in [tool.publishing] and choose a newsletter profile for plain SMTP (see the 'smtp' "
        "profile in pyproject.toml), then rebuild"
    )


def _dkim_key(folder: Path) -> tuple[Path, bytes]:
    """A fresh RSA key for the test: the private key file, and the DNS record that publishes it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = folder / "dkim.pem"
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return path, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def test_send_signs_with_dkim_and_the_signature_verifies(tmp_path, smtp_inbox):
    import dkim

    project = _ready_to_send(tmp_path / "p")
    key_file, record = _dkim_key(project)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        .replace('dkim_selector = ""', 'dkim_selector = "news2026"')
        .replace('dkim_key_file = ""', f'dkim_key_file = "{key_file.name}"')
    )
    env = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_inbox.port), "SMTP_STARTTLS": "false"}
    result = invoke("send", ISSUE, "--to", "reader@example.org", "--unreviewed", cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    [envelope] = smtp_inbox.envelopes
    received = envelope.original_content
    assert received.startswith(b"DKIM-Signature: ")
    asked = []

    def dns(name, timeout=5):
        asked.append(name)
        return record

    assert dkim.verify(received, dnsfunc=dns)
    assert asked == [b"news2026._domainkey.example.org."]
    signed = re.search(rb"h=([^;]+);", received.split(b"\r\n\r\n")[0]).group(1).lower()
    signed_headers = {b"".join(name.split()) for name in signed.split(b":")}
    for header in (b"from", b"to", b"subject", b"date", b"message-id", b"list-unsubscribe"):
        assert header in signed_headers, signed
    # Changing a word after signing breaks the signature: the verifier is not a rubber stamp.
    assert not dkim.verify(received.replace(b"December 2026", b"November 2026", 1), dnsfunc=dns)


def test_send_with_half_the_dkim_settings_is_a_clear_error(tmp_path):
    project = _ready_to_send(tmp_path / "p")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('dkim_selector = ""', 'dkim_selector = "news2026"'))
    result = invoke("send", ISSUE, "--to", "reader@example.org", cwd=project, env={"SMTP_HOST": "127.0.0.1"})
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "pyproject.toml: error: DKIM signing needs both dkim_selector and dkim_key_file; "
        "set both in [tool.publishing.smtp], or neither to send unsigned"
    )
