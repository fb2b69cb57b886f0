"""The newsletter as inboxes see it: Gmail's limits, classic Outlook, phones at 375 px, screen
readers (axe-core in Chromium), the plain-text part, the ready-to-send .eml, and sending it
through a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import shutil
import socket
import subprocess
import tomllib
from email import policy
from email.parser import BytesParser
from pathlib import Path

import lxml.html
import pytest

from conftest import FIXTURES, ROOT, SAMPLE, copy_project, invoke
from extract import as_seen, normalised
from test_sample_build import CRISIS, DISCLAIMER

RICH = "how-we-support-you"
LONG = "the-long-guide"
IMAGE_BASE = "https://images.example.org/newsletter"
UNSUBSCRIBE = "https://www.example.org/unsubscribe?list=news&id=7"
SENDER = "news@example.org"
POSTAL = "4640 Admiralty Way, Suite 500, Marina del Rey, CA 90292"
WEB = "https://www.example.org"
DIAGRAM = """<svg xmlns="http://www.w3.org/2000/svg" width="400" height="120" viewBox="0 0 400 120">
<rect x="10" y="20" width="110" height="80" rx="10" fill="#eaf2f3" stroke="#1d4f5c" stroke-width="3"/>
<rect x="280" y="20" width="110" height="80" rx="10" fill="#eaf2f3" stroke="#1d4f5c" stroke-width="3"/>
<line x1="125" y1="60" x2="275" y2="60" stroke="#1d4f5c" stroke-width="4"/>
<text x="65" y="66" font-family="sans-serif" font-size="18" text-anchor="middle">NMDA</text>
<text x="335" y="66" font-family="sans-serif" font-size="18" text-anchor="middle">BDNF</text>
</svg>
"""


def _set(pyproject: Path, **values: str) -> None:
    """Give top-level [tool.publishing] settings values (they are all present, empty, in the copy)."""
    text = pyproject.read_text()
    for key, value in values.items():
        text, count = re.subn(rf"(?m)^{key} = .*$", f"{key} = {json.dumps(value)}", text, count=1)
        assert count == 1, key
    pyproject.write_text(text)


def _use_smtp_profile(pyproject: Path, unsubscribe: str) -> None:
    text = pyproject.read_text().replace('profile = "mailchimp"', 'profile = "smtp"')
    text = text.replace(
        '[tool.publishing.newsletter.profiles.smtp]\nunsubscribe_url = ""',
        f'[tool.publishing.newsletter.profiles.smtp]\nunsubscribe_url = "{unsubscribe}"',
    )
    assert 'profile = "smtp"' in text and unsubscribe in text
    pyproject.write_text(text)


def _long_article() -> str:
    """The sample, its sections repeated until the email is far over budget."""
    head, body = (ROOT / "sources" / f"{SAMPLE}.md").read_text().split("\n---\n", 1)
    head = re.sub(r"(?m)^title: .*$", "title: The Long Guide", head)
    parts = [re.sub(r"(?m)^## (.*)$", rf"## \1 (part {n})", body) for n in range(1, 15)]
    return head + "\n---\n" + "\n".join(parts)


@pytest.fixture(scope="module")
def email_project(tmp_path_factory) -> Path:
    """A project ready to send: sender, postal address, web and image addresses, the 'smtp' profile
    with a real unsubscribe address; the rich fixture (plus an SVG figure and a link) and a long article."""
    project = copy_project(tmp_path_factory.mktemp("email-project"))
    sources = project / "sources"
    for path in (FIXTURES / "rich").iterdir():
        (shutil.copytree if path.is_dir() else shutil.copy)(path, sources / path.name)
    (sources / "images" / "diagram.svg").write_text(DIAGRAM)
    with (sources / f"{RICH}.md").open("a") as article:
        article.write(
            "\n## A diagram\n\n![Two boxes joined by a line: NMDA on the left, BDNF on the right]"
            '(images/diagram.svg "From receptor to growth factor")\n\n'
            "Read [what to expect at a first session](https://www.example.org/first-session) "
            "before you come.\n"
        )
    (sources / f"{LONG}.md").write_text(_long_article())
    # The fixture's clinician reviews the article as it now reads (a diagram and a link were added).
    reviewed = invoke("review", RICH, "--by", "Test Reviewer, MD", "--date", "2026-05-04", cwd=project)
    assert reviewed.returncode == 0, reviewed.stderr
    _set(
        project / "pyproject.toml",
        sender_address=SENDER,
        postal_address=POSTAL,
        web_address=WEB,
        image_base_url=IMAGE_BASE,
    )
    _use_smtp_profile(project / "pyproject.toml", UNSUBSCRIBE)
    result = invoke("build", "--only", "newsletter", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    return project


def newsletter_files(build: Path, slug: str) -> dict[str, Path]:
    folder = build / "newsletters"
    return {suffix: folder / f"{slug}.{suffix}" for suffix in ("html", "txt", "eml")}


def parse(path: Path):
    return lxml.html.fromstring(path.read_bytes())


def read_eml(path: Path):
    with path.open("rb") as file:
        return BytesParser(policy=policy.default).parse(file)


# --- Gmail's limits and the skeleton -------------------------------------------------------------


def test_the_sample_fits_gmail_with_its_only_style_in_the_head(sample_build):
    import tinycss2

    raw = newsletter_files(sample_build, SAMPLE)["html"].read_bytes()
    assert len(raw) <= 82_000
    html = raw.decode("utf-8")
    head, body = html.split("</head>", 1)
    styles = re.findall(r"<style>(.*?)</style>", head, flags=re.S)
    assert len(styles) == 1 and "<style" not in body
    assert len(styles[0].encode()) <= 16_384
    # Gmail drops a whole <style> that nests one at-rule inside another.
    for rule in tinycss2.parse_stylesheet(styles[0], skip_comments=True, skip_whitespace=True):
        assert rule.type == "at-rule" and rule.lower_at_keyword == "media"
        assert not [r for r in tinycss2.parse_blocks_contents(rule.content) if r.type == "at-rule"]


def test_the_skeleton_that_every_client_needs(sample_build):
    path = newsletter_files(sample_build, SAMPLE)["html"]
    raw = path.read_text()
    assert raw.startswith("<!DOCTYPE html>")
    page = parse(path)
    assert (page.get("lang"), page.get("dir")) == ("en-US", "ltr")
    assert page.xpath("//head/meta[@charset='utf-8']")
    assert page.xpath("//head/meta[@name='viewport']/@content") == ["width=device-width, initial-scale=1"]
    assert page.xpath("//head/meta[@name='color-scheme']/@content") == ["light dark"]
    assert page.xpath("//title")[0].text_content() == "How Does Ketamine Work for Depression?"
    wrapper = page.xpath("//*[@role='article']")[0]
    assert (wrapper.get("aria-roledescription"), wrapper.get("lang")) == ("email", "en-US")
    assert wrapper.getparent().get("role") == "main"  # axe: content inside a landmark
    preheader = page.xpath("//body/*")[0]
    assert "preheader" in preheader.get("class") and "display:none" in preheader.get("style")
    # The preview line adds to the subject: what the article covers, not the description (the
    # first thing the email shows) again.
    preview = preheader.text_content()
    assert preview.startswith("Inside: A different approach from traditional antidepressants · The science")
    assert "Ketamine works for depression differently" not in preview
    assert preview.count("\u034f\u200c\xa0") == 40  # padded, so inboxes do not pull in the body's text
    # Classic Outlook: a 600 px ghost table and 96 dpi, in conditional comments.
    assert '<!--[if mso]><table role="presentation" width="600"' in raw
    assert "<o:PixelsPerInch>96</o:PixelsPerInch>" in raw
    for table in page.iter("table"):
        assert table.get("role") == "presentation" or table.get("class") == "data"


@pytest.mark.parametrize("which", ["sample", "rich", "long"])
def test_no_line_over_998_bytes_and_no_control_characters(which, sample_build, email_project):
    build, slug = {
        "sample": (sample_build, SAMPLE),
        "rich": (email_project / "build", RICH),
        "long": (email_project / "build", LONG),
    }[which]
    for path in newsletter_files(build, slug).values():
        raw = path.read_bytes()
        assert max(len(line) for line in raw.split(b"\r\n")) <= 998, path.name
        assert b"\n" not in raw.replace(b"\r\n", b""), path.name  # CRLF line ends only
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", raw.decode("utf-8")), path.name


def test_long_style_lines_are_broken_without_changing_the_page():
    from publishing.products.newsletter.fold import fold_long_lines

    style = ";".join(f"margin-top: {n}px" for n in range(120))
    words = " ".join(f"word{n}" for n in range(400))
    html = (
        f'<p class="a" style="{style}">{words} <a href="https://example.org/{"x" * 300}">link</a></p>'
        f"<pre>{'keep   ' * 10}</pre><!--[if mso]>{'x ' * 20}<![endif]-->"
    )
    folded = fold_long_lines(html)
    assert max(len(line.encode()) for line in folded.split("\n")) <= 998
    assert folded.count("\n") >= 2
    before, after = lxml.html.fromstring(html), lxml.html.fromstring(folded)
    assert " ".join(before.text_content().split()) == " ".join(after.text_content().split())
    assert after.xpath("//a/@href") == before.xpath("//a/@href")
    assert after.xpath("//pre")[0].text == before.xpath("//pre")[0].text
    assert [d.strip() for d in after.xpath("//p/@style")[0].split(";")] == style.split(";")


# --- Content ---------------------------------------------------------------------------------------


def test_nothing_an_email_client_blocks(sample_build, email_project):
    for path in (
        newsletter_files(sample_build, SAMPLE)["html"],
        newsletter_files(email_project / "build", RICH)["html"],
    ):
        html = path.read_text().lower()
        for forbidden in (
            "<script",
            "<form",
            "<iframe",
            "<object",
            "<embed",
            "<svg",
            "data:image",
            "<link",
            "@import",
            '.svg"',
        ):
            assert forbidden not in html, (path.name, forbidden)


def test_images_are_hosted_pngs_with_width_and_description(email_project):
    build = email_project / "build"
    page = parse(newsletter_files(build, RICH)["html"])
    images = page.xpath("//img")
    assert len(images) == 2
    for image in images:
        assert image.get("alt").strip()
        assert image.get("width").isdigit() and int(image.get("width")) <= 536
        assert image.get("src").startswith(IMAGE_BASE + "/images/")
        hosted = build / "newsletters" / image.get("src")[len(IMAGE_BASE) + 1 :]
        assert hosted.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", hosted
    diagram = page.xpath("//img[contains(@src, 'diagram')]")[0]
    assert diagram.get("src") == f"{IMAGE_BASE}/images/diagram.svg.png"
    assert (diagram.get("width"), diagram.get("height")) == ("400", "120")
    from PIL import Image

    with Image.open(build / "newsletters/images/diagram.svg.png") as png:
        assert png.size == (800, 240)  # twice its shown size: sharp on high-density screens
        assert png.getpixel((2, 2))[:3] == (255, 255, 255)  # opaque: readable on a dark background
    assert (
        diagram.xpath("following-sibling::p[@class='figcaption']")[0].text_content() == "From receptor to growth factor"
    )


def test_required_blocks_in_html_and_text(sample_build):
    files = newsletter_files(sample_build, SAMPLE)
    raw = files["html"].read_bytes()
    early = lxml.html.fromstring(raw[:20_000].decode("utf-8", "ignore") + "</td></tr></table>")
    assert normalised(CRISIS) in normalised(early.text_content())
    assert b'href="tel:988"' in raw and b'href="sms:988"' in raw
    page = parse(files["html"])
    footer = page.xpath("//td[contains(@class, 'footer')]")[0].text_content()
    assert normalised(DISCLAIMER) in normalised(footer)
    assert "(310) 280-4440" in as_seen(footer) and "Ketamine Uplift" in footer
    text = files["txt"].read_text()
    for block in (CRISIS, DISCLAIMER):
        assert normalised(block) in normalised(text)
    # The plain text says what to dial, never a link's code.
    assert "\nCall 988 or text 988\n" in text and "\nChat at 988lifeline.org. In an emergency, call 911.\n" in text
    assert "tel:" not in text and "sms:" not in text


@pytest.mark.parametrize("profile", ["mailchimp", "sendgrid", "smtp"])
def test_the_footer_merge_tags_survive_inlining_byte_for_byte(profile):
    from publishing.products.newsletter.compose import compose
    from publishing.settings import NewsletterProfile
    from publishing.site import Site, load_site

    site = load_site(ROOT)
    profiles = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["publishing"]["newsletter"]["profiles"]
    values = {**profiles[profile]}
    if profile == "smtp":  # the clinic has not given real values yet
        values = {"unsubscribe_url": "mailto:unsubscribe@example.org?subject=unsubscribe", "postal_address": POSTAL}
    site = Site(site.folders, dataclasses.replace(site.settings, newsletter=NewsletterProfile(profile, **values)))
    from publishing.article import load_article

    article = load_article(ROOT / "sources" / f"{SAMPLE}.md", site.settings, site.folders.sources)
    edition = compose(article, site)
    assert f'href="{values["unsubscribe_url"]}"' in edition.html
    assert f">{values['postal_address']}</p>" in edition.html
    assert f"Unsubscribe: {values['unsubscribe_url']}" in edition.text
    assert values["postal_address"] in edition.text


# --- The plain-text part ---------------------------------------------------------------------------


def test_the_plain_text_part_reads_as_text(email_project):
    text = newsletter_files(email_project / "build", RICH)["txt"].read_text()
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 78
    assert "##" not in text and "](" not in text  # no Markdown left over
    assert lines[lines.index("A table") + 1] == "-------"
    assert "| Week | Sessions | Notes          |" in text
    assert "  * NMDA: A receptor for glutamate." in text
    assert "glutamate.[1]" in text and "Back to text" not in text
    assert "[Image: Two boxes joined by a line: NMDA on the left, BDNF on the right]" in text
    # Links read as their words with the address after them (RFC 3986, appendix C).
    assert (
        "Read what to expect at a first session <https://www.example.org/first-session> before you come."
        in " ".join(text.split())
    )
    assert "Links:" not in text and "tel:" not in text and "sms:" not in text
    assert f"Unsubscribe: {UNSUBSCRIBE}" in text and POSTAL in " ".join(text.split())


# --- The ready-to-send message ---------------------------------------------------------------------


def _parts(message):
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]  # HTML last: preferred
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    return parts[0].get_content(), parts[1].get_content()


def test_the_eml_carries_both_parts_and_both_blocks(sample_build):
    files = newsletter_files(sample_build, SAMPLE)
    message = read_eml(files["eml"])
    assert message["Subject"] == "How Does Ketamine Work for Depression?"
    assert message["From"] is None  # no sender_address yet
    assert message["List-Unsubscribe"] is None  # *|UNSUB|* is Mailchimp's to fill in, not a URL
    text, html = _parts(message)
    assert text.replace("\r\n", "\n") == files["txt"].read_text()
    assert html.replace("\r\n", "\n") == files["html"].read_text()
    for part in (text, html):
        for block in (CRISIS, DISCLAIMER):
            assert normalised(block) in normalised(re.sub(r"<[^>]+>", " ", part))
    raw = files["eml"].read_bytes()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78


def test_the_same_source_gives_the_same_eml(sample_build):
    from publishing.article import load_article
    from publishing.products.newsletter.compose import compose
    from publishing.products.newsletter.message import message_bytes
    from publishing.site import load_site

    site = load_site(ROOT)
    article = load_article(ROOT / "sources" / f"{SAMPLE}.md", site.settings, site.folders.sources)
    assert (
        message_bytes(compose(article, site), article, site)
        == newsletter_files(sample_build, SAMPLE)["eml"].read_bytes()
    )


def test_the_eml_of_a_project_ready_to_send(email_project):
    message = read_eml(newsletter_files(email_project / "build", RICH)["eml"])
    assert message["From"] == f"Ketamine Uplift <{SENDER}>"
    assert message["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Subject"] == "Sleep, Mood & the \u201cQuiet Mind\u201d <Guide>"
    text, html = _parts(message)
    assert POSTAL in html and UNSUBSCRIBE.replace("&", "&amp;") in html


def test_check_proves_the_blocks_in_the_eml_too(project_copy):
    assert invoke("build", "--only", "newsletter", cwd=project_copy).returncode == 0
    eml = project_copy / f"build/newsletters/{SAMPLE}.eml"
    eml.write_bytes(eml.read_bytes().replace(b"MEDICAL DISCLAIMER", b"MEDICAL NOTE"))
    result = invoke("check", cwd=project_copy)
    assert result.returncode != 0
    assert "the medical disclaimer is missing from the message's text part" in result.stdout


# --- Length ----------------------------------------------------------------------------------------


def test_a_long_article_is_cut_at_a_section_and_points_to_the_rest(email_project):
    from publishing.products.newsletter.compose import shortening

    files = newsletter_files(email_project / "build", LONG)
    raw = files["html"].read_bytes()
    assert 60_000 < len(raw) <= 82_000
    cut = shortening(files["html"])
    assert cut is not None and 0 < cut.kept < cut.total
    page = parse(files["html"])
    body = page.xpath("//td[contains(@class, 'article-body')]")[0]
    headings = [h.text_content() for h in body.iter("h2")]
    assert len(headings) == cut.kept
    # Whole sections only: the last one kept ends where the next would begin.
    source = (email_project / "sources" / f"{LONG}.md").read_text()
    last = re.escape(headings[-1])
    section = re.search(rf"(?ms)^## {last}\n(.*?)(?=^## )", source).group(1)
    final_sentence = section.strip().splitlines()[-1].strip()
    assert normalised(final_sentence) in normalised(body.text_content())
    following = re.search(rf"(?ms)^## {last}\n.*?^## (.*?)$", source).group(1)
    assert following not in page.text_content()
    link = body.xpath(".//p[@class='continue']/a")[0]
    # No article_url pattern from the clinic: the link goes to its page in the web edition (build/site/
    # published at web_address), which `invoke check` proves is there (test_web.py).
    page_address = f"{WEB}/{LONG}/"
    assert (link.get("href"), link.text_content()) == (page_address, "Continue reading: The Long Guide")
    text = files["txt"].read_text()
    assert f"Continue reading: The Long Guide <{page_address}>" in text
    for part in (page.text_content(), text):
        for block in (CRISIS, DISCLAIMER):
            assert normalised(block) in normalised(part)


def test_without_a_web_address_readers_are_invited_to_call(email_project):
    from publishing.article import load_article
    from publishing.products.newsletter.compose import compose
    from publishing.site import Site, load_site

    site = load_site(email_project)
    site = Site(site.folders, dataclasses.replace(site.settings, web_address=""))
    article = load_article(email_project / "sources" / f"{LONG}.md", site.settings, site.folders.sources)
    edition = compose(article, site)
    assert edition.shortened and len(edition.html.encode()) + edition.html.count("\n") <= 82_000
    continuation = lxml.html.fromstring(edition.html).xpath("//p[@class='continue']")[0]
    assert (
        " ".join(as_seen(continuation.text_content()).split())
        == "This is the first part of the guide. For the full guide, call us at (310) 280-4440."
    )
    assert continuation.xpath("a/@href") == ["tel:+13102804440"]


def test_an_opening_too_long_to_cut_is_a_clear_error(tmp_path):
    from publishing.article import load_article
    from publishing.errors import PublishingError
    from publishing.products.newsletter.compose import compose
    from publishing.site import load_site

    source = tmp_path / "endless.md"
    source.write_text(
        "---\ntitle: Endless\ndescription: No sections.\nauthor: Care Team\n---\n\n"
        + "A paragraph that goes on without a single section heading.\n\n" * 1500
    )
    site = load_site(ROOT)
    with pytest.raises(PublishingError) as caught:
        compose(load_article(source, site.settings, tmp_path), site)
    assert re.fullmatch(
        r".*endless\.md: error: newsletter: even the opening before the first '##' heading "
        r"makes \d\d\d?,\d{3} bytes of HTML, over the 82,000-byte budget; shorten the opening "
        r"or start a '##' section earlier, so the email can be cut there",
        str(caught.value),
    )


# --- Sending ---------------------------------------------------------------------------------------


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that accepts one user and keeps what it receives."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    class Inbox:
        def __init__(self):
            self.envelopes, self.logins = [], []

        async def handle_DATA(self, server, session, envelope):
            self.envelopes.append(envelope)
            return "250 Message accepted"

    inbox = Inbox()

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"clinic", b"s3cret")
        if ok:
            inbox.logins.append(auth_data.login.decode())
        return AuthResult(success=ok)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticate, auth_require_tls=False)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


def test_send_delivers_the_built_message_intact(email_project, smtp_server):
    eml = newsletter_files(email_project / "build", RICH)["eml"]
    env = {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_server.port),
        "SMTP_STARTTLS": "false",
        "SMTP_USER": "clinic",
        "SMTP_PASSWORD": "s3cret",
    }
    result = invoke("send", RICH, "--to", "reader@example.org", cwd=email_project, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.fullmatch(
        rf'sent    build/newsletters/{RICH}\.eml  "Sleep, Mood & the “Quiet Mind” <Guide>"  '
        rf"\(\d+ KB\)  from {SENDER} to reader@example\.org through 127\.0\.0\.1:{smtp_server.port}, "
        r"dated now as <[^<>@\s]+@example\.org>\n",
        result.stdout,
    ), result.stdout
    assert smtp_server.logins == ["clinic"]
    [envelope] = smtp_server.envelopes
    assert (envelope.mail_from, envelope.rcpt_tos) == (SENDER, ["reader@example.org"])
    received = envelope.original_content
    built_head, body = eml.read_bytes().split(b"\r\n\r\n", 1)
    assert received.endswith(b"\r\n\r\n" + body)  # the built body, byte for byte
    stamped = {b"to", b"date", b"message-id"}
    kept = [line for line in built_head.split(b"\r\n") if line.split(b":")[0].lower() not in stamped]
    assert all(line in received.split(b"\r\n\r\n")[0].split(b"\r\n") for line in kept)
    message = BytesParser(policy=policy.default).parsebytes(received)
    assert message["To"] == "reader@example.org" and message["Message-ID"] and message["Date"]
    unix = lambda parts: tuple(part.replace("\r\n", "\n") for part in parts)  # noqa: E731
    assert unix(_parts(message)) == unix(_parts(read_eml(eml)))


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"sender_address": ""}, "'sender_address' is empty: the message would have no From address"),
        ({"postal_address": ""}, "'postal_address' is empty: CAN-SPAM requires the sender's postal address"),
        ({"unsubscribe": "*|UNSUB|*"}, "'*|UNSUB|*' is not an unsubscribe link a recipient can use"),
    ],
    ids=["no-sender", "no-postal-address", "merge-tag-unsubscribe"],
)
def test_send_refuses_what_the_law_requires(project_copy, change, expected):
    pyproject = project_copy / "pyproject.toml"
    _set(
        pyproject,
        **{
            "sender_address": SENDER,
            "postal_address": POSTAL,
            **{k: v for k, v in change.items() if k != "unsubscribe"},
        },
    )
    _use_smtp_profile(pyproject, change.get("unsubscribe", UNSUBSCRIBE))
    result = invoke(
        "send", SAMPLE, "--to", "reader@example.org", cwd=project_copy, env={"SMTP_HOST": "127.0.0.1", "SMTP_PORT": "9"}
    )
    assert result.returncode != 0 and result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("pyproject.toml: error: cannot send the newsletter: ")
    assert expected in result.stderr


def test_send_without_a_build_says_what_to_run(email_project):
    result = invoke(
        "send", "no-such-article", "--to", "reader@example.org", cwd=email_project, env={"SMTP_HOST": "127.0.0.1"}
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "build/newsletters/no-such-article.eml: error: the newsletter is not built; "
        "run 'invoke build --only newsletter' first (and check the slug)"
    )


# --- In a real browser -----------------------------------------------------------------------------


AXE = ROOT / "node_modules/axe-core/axe.min.js"


def open_newsletter(
    driver, path: Path, width: int, *, dark=False, without_style=False, images_from: Path | None = None
) -> None:
    """Open the newsletter at ``width`` px (a phone below 600), light or dark, with its images read from
    ``images_from`` (default: the file's folder), and as a client that strips <style> if asked."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]},
    )
    driver.get(path.as_uri())
    # Images are hosted at image_base_url; here they are read from the build instead (no network).
    driver.execute_script(
        "for (const i of document.images) i.src = i.src.replace(arguments[0], arguments[1]);",
        IMAGE_BASE,
        (images_from or path.parent).as_uri(),
    )
    driver.execute_async_script(
        "const done = arguments[0];Promise.all([...document.images].map(i => i.decode().catch(() => 0))).then(done);"
    )
    if without_style:  # as a client that strips <style> shows it
        driver.execute_script("document.querySelectorAll('style').forEach(s => s.remove());")


def render(driver, path: Path, width: int, *, without_style=False, dark=False, last_px: int | None = None) -> dict:
    """Open the newsletter at ``width`` px; return its overflow, axe-core's violations and a screenshot
    (of the whole page, or of its last ``last_px`` pixels)."""
    open_newsletter(driver, path, width, dark=dark, without_style=without_style)
    scroll_width, client_width = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];"
    )
    driver.execute_script(AXE.read_text())
    violations = driver.execute_async_script(
        "const done = arguments[0]; axe.run(document).then(r => done(r.violations.map("
        "v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))));"
    )
    height = driver.execute_script("return document.documentElement.scrollHeight;")
    top = max(0, height - last_px) if last_px else 0
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {"captureBeyondViewport": True, "clip": {"x": 0, "y": top, "width": width, "height": height - top, "scale": 1}},
    )
    return {
        "overflow": scroll_width - client_width,
        "violations": violations,
        "screenshot": base64.b64decode(shot["data"]),
    }


VIEWS = {
    "600": (600, {}),
    "375": (375, {}),
    "375-no-style": (375, {"without_style": True}),
    "600-no-style": (600, {"without_style": True}),
    "375-dark": (375, {"dark": True}),
}


# The long article only on a phone (its page is the sample's again, plus the continue-reading
# line), and only its end in the screenshot: a 40,000 px picture costs seconds.
PAGES = [(which, view) for which in ("sample", "rich") for view in VIEWS] + [("long", "375")]


@pytest.mark.parametrize("which, view", PAGES, ids=[f"{which}-{view}" for which, view in PAGES])
def test_in_chromium_no_sideways_scroll_and_no_axe_violations(
    chromium, sample_build, email_project, which, view, tmp_path_factory
):
    build, slug = {
        "sample": (sample_build, SAMPLE),
        "rich": (email_project / "build", RICH),
        "long": (email_project / "build", LONG),
    }[which]
    width, options = VIEWS[view]
    seen = render(
        chromium, newsletter_files(build, slug)["html"], width, **options, last_px=2400 if which == "long" else None
    )
    shots = tmp_path_factory.getbasetemp() / "newsletter-screenshots"
    shots.mkdir(exist_ok=True)
    (shots / f"{which}-{view}.png").write_bytes(seen["screenshot"])  # for a person to look at
    assert seen["overflow"] <= 0
    assert seen["violations"] == []


# --- What email clients support -------------------------------------------------------------------

# Errors the design answers with a deliberate fallback, each for a named reason.
DELIBERATE_FALLBACKS = {
    # Media queries only add comfort (narrower padding on phones): the layout is fluid without them,
    # and classic Outlook gets the 600 px ghost table instead.
    "`@media` is not supported by `gmail.mobile-webmail`",
    "`@media` is not supported by `outlook.windows`",
    # The preheader is hidden by several means at once: where display:none is dropped, it is
    # 1 px text in the background colour; Outlook hides it with mso-hide:all.
    "`display:none` is not supported by `gmail.mobile-webmail`",
    "`overflow` is not supported by `outlook.windows`",
    # Classic Outlook draws the button with square corners.
    "`border-radius` is not supported by `outlook.windows`",
    # Footnote marks link to their notes; where Gmail for iOS ignores the jump, the numbered
    # notes still follow the article.
    "`Local anchors` is not supported by `gmail.ios`",
}


@pytest.mark.parametrize("which", ["sample", "rich"])
def test_gmail_outlook_and_apple_mail_support_what_the_design_relies_on(sample_build, email_project, which):
    build, slug = {"sample": (sample_build, SAMPLE), "rich": (email_project / "build", RICH)}[which]
    result = subprocess.run(
        ["node", str(ROOT / "tests/email_client_support.js"), str(newsletter_files(build, slug)["html"])],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    report = json.loads(result.stdout)
    assert set(report["errors"]) - DELIBERATE_FALLBACKS == set()


def test_send_help_shows_the_usage_instead_of_sending_to_an_article_called_help():
    result = invoke("send", "--help")
    assert result.returncode == 0
    assert "usage: invoke send <slug> --to name@example.org" in result.stderr
    assert "Traceback" not in result.stderr


def test_text_that_comes_before_any_paragraph_is_kept(project_copy):
    """A pasted '# Title' loses its heading (articles start at '##') but never its words."""
    source = project_copy / f"sources/{SAMPLE}.md"
    front_matter = source.read_text().split("---", 2)[1]
    source.write_text(f"---{front_matter}---\n# Words before any paragraph\n\nThe article.\n")
    assert invoke("build", "--only", "newsletter", cwd=project_copy).returncode == 0
    page = parse(project_copy / f"build/newsletters/{SAMPLE}.html")
    body = page.xpath("//td[contains(@class, 'article-body')]")[0]
    assert "Words before any paragraph" in body.text_content()
