"""The safety text, true in every language: every word of the crisis card comes from the block files
of its language (read back from each built file by poppler, lxml and the email parser); 988's
services per language are enforced at the block's line; approval covers exactly the printed words;
Spanish newsletters and issues are verified against the Spanish blocks and sent."""

from __future__ import annotations

import json
import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

import lxml.html
import pytest
from test_newsletter import POSTAL, SENDER, UNSUBSCRIBE, _set, _use_smtp_profile, smtp_server  # noqa: F401

from conftest import ROOT, SAMPLE, add_spanish_translation, copy_project, invoke
from extract import epub_documents, normalised, pdftotext
from wording import SPANISH_CRISIS, SPANISH_DISCLAIMER, required_wording

SPANISH = f"{SAMPLE}.es"
ISSUE = "2026-06-es"  # a name only: the issue's language is its 'lang:'
SPANISH_ISSUE = f"""---
title: "Junio de 2026: cómo actúa la ketamina"
lang: es-US
articles:
  - {SAMPLE}
---

Este mes explicamos cómo actúa la ketamina contra la depresión.
"""
APPROVER = "Prueba Persona, directora clínica (test fixture)"
SMTP_ENV = {"SMTP_HOST": "127.0.0.1", "SMTP_STARTTLS": "false", "SMTP_USER": "clinic", "SMTP_PASSWORD": "s3cret"}


def _ready_to_send(project: Path) -> None:
    _set(project / "pyproject.toml", sender_address=SENDER, postal_address=POSTAL)
    _use_smtp_profile(project / "pyproject.toml", UNSUBSCRIBE)


@pytest.fixture(scope="module")
def spanish_project(tmp_path_factory) -> Path:
    """The project with the Spanish test translation, a Spanish issue named 2026-06-es.md, the settings
    for sending, and the Spanish blocks approved by a test approver; built."""
    project = copy_project(tmp_path_factory.mktemp("safety"))
    add_spanish_translation(project)
    (project / "sources" / "newsletters").mkdir()
    (project / "sources" / "newsletters" / f"{ISSUE}.md").write_text(SPANISH_ISSUE, encoding="utf-8")
    _ready_to_send(project)
    approved = invoke("approve-blocks", "--lang", "es", "--by", APPROVER, "--date", "2026-06-01", cwd=project)
    assert approved.returncode == 0, approved.stdout + approved.stderr
    assert "approved sources/_required/es/crisis.md: version " in approved.stdout
    result = invoke("build", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    return project


# --- Every word of the Spanish crisis card is the Spanish block's -------------------------------------


def _card_of_markup(data: bytes) -> str:
    return lxml.html.document_fromstring(data).get_element_by_id("crisis-988").text_content()


def _parts(eml: Path) -> tuple[str, str]:
    message = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
    assert message["Content-Language"] == "es-US"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def _text_card(text: str) -> str:
    """The plain-text part's crisis box: between its two rules of asterisks."""
    return text.split("*" * 20, 1)[1].split("\n*", 1)[0]


def test_every_spanish_products_crisis_card_reads_back_as_the_spanish_block_word_for_word(spanish_project):
    built = spanish_project / "build"
    card = normalised(SPANISH_CRISIS.card)
    assert "marque2" in card and "ayuda" in card and "988lifelineorges" in card  # the draft's words
    pdf = normalised(pdftotext(built / "handouts" / f"{SPANISH}.pdf", layout=False).split("\f")[0])
    guide = _card_of_markup(epub_documents(built / "guides" / f"{SPANISH}.epub")["EPUB/crisis.xhtml"].encode())
    text, html = _parts(built / "newsletters" / f"{SPANISH}.eml")
    issue_text, issue_html = _parts(built / "newsletters" / "issues" / f"{ISSUE}.eml")
    read_back = {
        "handout page 1 (poppler)": pdf[pdf.index(normalised(SPANISH_CRISIS.title)) :][: len(card)],
        "guide's crisis page": normalised(guide),
        "newsletter's HTML file": normalised(_card_of_markup((built / "newsletters" / f"{SPANISH}.html").read_bytes())),
        "message's HTML part": normalised(_card_of_markup(html.encode())),
        "message's text part": normalised(_text_card(text)),
        "issue's HTML part": normalised(_card_of_markup(issue_html.encode())),
        "issue's text part": normalised(_text_card(issue_text)),
    }
    for where, words in read_back.items():
        assert words == card, f"the {where} differs from sources/_required/es/crisis.md"


def test_the_spanish_links_are_the_blocks_links_and_the_guide_keeps_the_text_action_as_words(spanish_project):
    built = spanish_project / "build"
    page = lxml.html.document_fromstring((built / "newsletters" / f"{SPANISH}.html").read_bytes())
    links = [(a.get("href"), a.text_content()) for a in page.get_element_by_id("crisis-988").iter("a")]
    assert links == [
        ("tel:988", "Llame al 988 y marque 2"),
        ("sms:988?&body=AYUDA", "envíe AYUDA por texto al 988"),  # iOS and Android both fill in the body
        ("https://988lifeline.org/es/", "988lifeline.org/es"),
        ("tel:911", "llame al 911"),
    ]
    guide = epub_documents(built / "guides" / f"{SPANISH}.epub")["EPUB/crisis.xhtml"]
    assert "sms:" not in guide and "envíe AYUDA por texto al 988" in guide  # EPUBCheck warns on sms:


def test_a_spanish_pdf_link_is_described_once(spanish_project):
    """Each link's /Contents is its words (a link broken over two lines too), never a catalog's verb
    put before words that already say it ("Envíe un mensaje de texto al envíe un texto al 988")."""
    from pypdf import PdfReader

    descriptions = {}
    for page in PdfReader(spanish_project / "build" / "handouts" / f"{SPANISH}.pdf").pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            descriptions.setdefault(str(annotation["/A"].get("/URI", "")), set()).add(str(annotation["/Contents"]))
    assert descriptions["tel:988"] == {"Llame al 988 y marque 2"}
    assert descriptions["sms:988?&body=AYUDA"] == {"envíe AYUDA por texto al 988"}
    assert descriptions["tel:911"] == {"llame al 911"}
    for said in set().union(*descriptions.values()):
        words = said.casefold().split()
        assert not any(
            words[i : i + 2] == words[j : j + 2] for i in range(len(words)) for j in range(i + 1, len(words))
        )


# --- Checked and sent in Spanish -------------------------------------------------------------------


def _rows(project: Path, article: str) -> dict[tuple[str, str], dict]:
    report = json.loads((project / "build" / "check.json").read_text())
    return {(r["product"], r["check"]): r for r in report["rows"] if r["article"] == article}


def test_check_passes_the_approved_spanish_products_and_the_spanish_issue_by_its_lang(spanish_project):
    result = invoke("check", cwd=spanish_project)
    assert result.returncode == 0, result.stdout + result.stderr
    issue = _rows(spanish_project, ISSUE)
    assert issue[("newsletter issue", "required blocks")]["status"] == "pass"
    assert issue[("newsletter issue", "approved wording")]["detail"] == f"approved by {APPROVER}"
    for product in ("handout", "guide", "newsletter"):
        assert _rows(spanish_project, SPANISH)[(product, "approved wording")]["status"] == "pass"


@pytest.mark.parametrize("name", [SPANISH, ISSUE])
def test_send_delivers_the_spanish_message_in_spanish(spanish_project, smtp_server, name):  # noqa: F811
    env = {**SMTP_ENV, "SMTP_PORT": str(smtp_server.port)}
    result = invoke("send", name, "--to", "lectora@example.org", "--unreviewed", cwd=spanish_project, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    [envelope] = smtp_server.envelopes
    message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
    assert message["Content-Language"] == "es-US"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (normalised(text), normalised(lxml.html.document_fromstring(html.encode()).text_content())):
        assert normalised(SPANISH_CRISIS.card) in part and normalised(SPANISH_DISCLAIMER.title) in part


# --- Approval covers exactly the printed words -----------------------------------------------------


def test_editing_one_word_of_an_approved_block_fails_check_and_send_refuses_it(spanish_project):
    """Last in this module: it edits the shared project."""
    block = spanish_project / "sources" / "_required" / "es" / "crisis.md"
    block.write_text(block.read_text(encoding="utf-8").replace("no tiene que esperar", "no necesita esperar"))
    assert invoke("build", cwd=spanish_project).returncode == 0  # a draft still builds, for the preview
    result = invoke("check", cwd=spanish_project)
    assert result.returncode != 0
    row = _rows(spanish_project, SPANISH)[("handout", "approved wording")]
    assert row["status"] == "fail"
    assert row["detail"].startswith(
        f"sources/_required/es/crisis.md: not approved: its words changed since {APPROVER} approved them on "
        "2026-06-01 (approved version "
    )
    assert 'run invoke approve-blocks --lang es --by "Name"' in row["detail"]
    assert "disclaimer.md" not in row["detail"]  # the disclaimer did not change: still approved
    for name in (SPANISH, ISSUE):
        refused = invoke("send", name, "--to", "lectora@example.org", cwd=spanish_project, env=SMTP_ENV)
        assert refused.returncode != 0 and "Traceback" not in refused.stderr
        assert "error: refusing to send: the Spanish safety text is crisis.md not approved: its words changed" in (
            refused.stderr
        )
    english = invoke(
        "send", SAMPLE, "--to", "x@example.org", "--unreviewed", cwd=spanish_project, env={**SMTP_ENV, "SMTP_PORT": "9"}
    )
    assert "could not send through 127.0.0.1:9" in english.stderr  # English is not held up by the Spanish draft


def test_an_unapproved_draft_fails_check_but_builds_marked_as_a_draft_in_the_preview(tmp_path):
    from publishing.preview import Preview

    project = copy_project(tmp_path)
    add_spanish_translation(project)
    preview = Preview(project)
    assert all(outcome.ok for outcome in preview.rebuild())  # a draft still builds
    page = preview.index_html()
    assert "Draft: the Spanish safety text (sources/_required/es/crisis.md, sources/_required/es/disclaimer.md)" in (
        page
    )
    assert page.count("Draft:") == 1  # the English card is the clinic's own wording
    result = invoke("check", cwd=project)
    assert result.returncode != 0
    row = _rows(project, SPANISH)[("newsletter", "approved wording")]
    assert row["detail"].startswith(
        "sources/_required/es/crisis.md: not approved: the clinic has not approved its wording; "
        "sources/_required/es/disclaimer.md: not approved: the clinic has not approved its wording"
    )


# --- What 988 offers, per language -----------------------------------------------------------------

VIETNAMESE_CRISIS = """---
# TEST FIXTURE for the automated tests only: not the clinic's wording.
title: Khủng hoảng? Gọi 988
lines:
  - "[Gọi 988] và xin thông dịch viên tiếng Việt"
  - "Khẩn cấp: [gọi 911]."
links:
  Gọi 988: {call: "988"}
  gọi 911: {emergency: "911"}
---

Nếu bạn đang gặp khủng hoảng, hãy gọi 988 và xin thông dịch viên tiếng Việt.
"""


# A stand-in article in Vietnamese (a translation must be in its language: test_unfinished.py).
VIETNAMESE_ARTICLE = """---
# TEST FIXTURE for the automated tests only: not a translation of the clinic's article.
title: Bản dịch thử nghiệm
description: Bài viết này chỉ dùng cho các bài kiểm tra tự động, không dành cho bệnh nhân.
author: Nhóm chăm sóc
lang: vi
source_version: "{version}"
---

Đây là văn bản thử nghiệm thay cho bản dịch tiếng Việt của bài viết. Nó chỉ dùng để kiểm tra thẻ khủng hoảng.
"""


def _vietnamese_project(folder: Path, crisis: str) -> Path:
    project = copy_project(folder)
    spanish = add_spanish_translation(project)
    version = re.search(r'source_version: "(\w+)"', spanish.read_text())[1]
    spanish.unlink()
    translation = project / "sources" / f"{SAMPLE}.vi.md"
    translation.write_text(VIETNAMESE_ARTICLE.format(version=version), encoding="utf-8")
    # The project's own Vietnamese disclaimer and catalog (drafts); the crisis card is the test's.
    (project / "sources" / "_required" / "vi" / "crisis.md").write_text(crisis, encoding="utf-8")
    return project


@pytest.mark.parametrize(
    "claim, line, service",
    [
        ('  Nhắn 988: {text: "988"}\n', 9, "texting"),
        ('  988lifeline.org: {chat: "https://988lifeline.org/"}\n', 9, "chat"),
    ],
    ids=["text", "chat"],
)
def test_a_block_in_a_language_without_988_text_or_chat_that_offers_it_is_refused_at_its_line(
    tmp_path, claim, line, service
):
    words = claim.split(":")[0].strip()
    crisis = VIETNAMESE_CRISIS.replace("  gọi 911:", claim + "  gọi 911:").replace(
        "Khẩn cấp: [gọi 911].", f"[{words}]. Khẩn cấp: [gọi 911]."
    )
    project = _vietnamese_project(tmp_path, crisis)
    result = invoke("build", "--only", "newsletter", cwd=project)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert (
        f"sources/_required/vi/crisis.md:{line}: error: the 988 Lifeline offers no {service} in Vietnamese "
        "(the table in publishing/lifeline.py: English and Spanish: call, text and chat; every other language: "
        "a call with an interpreter); offer a call to 988 with an interpreter instead"
    ) in result.stderr
    assert (project / "build" / "newsletters" / f"{SAMPLE}.html").is_file()  # English still builds


def test_a_block_in_a_language_without_988_text_or_chat_may_offer_the_call(tmp_path):
    project = _vietnamese_project(tmp_path, VIETNAMESE_CRISIS)
    result = invoke("build", "--only", "newsletter", cwd=project)
    assert result.returncode == 0, result.stderr
    page = lxml.html.document_fromstring((project / "build" / "newsletters" / f"{SAMPLE}.vi.html").read_bytes())
    links = [(a.get("href"), a.text_content()) for a in page.get_element_by_id("crisis-988").iter("a")]
    assert links == [("tel:988", "Gọi 988"), ("tel:911", "gọi 911")]


@pytest.mark.parametrize(
    "old, new, line, message",
    [
        (
            '"[Call 988] or [text 988]"',
            '"[Call 988] or [text 989]"',
            13,
            "the line names the link '[text 989]', which is not under 'links'",
        ),
        ('Call 988: {call: "988"}', 'Call 988: {call: "911"}', 16, "the link 'Call 988' does not show its number 911"),
        (
            'Call 988: {call: "988"}',
            'Call 988: {phone: "988"}',
            16,
            "the link 'Call 988' must say what it does with one of: call, text, chat, emergency",
        ),
        (
            'text 988: {text: "988"}',
            'text 988: {text: "741741"}',
            17,
            "the text link 'text 988' goes to 741741: the 988 table knows only texts to 988",
        ),
        (
            '{chat: "https://988lifeline.org/"}',
            '{chat: "https://example.org/chat"}',
            18,
            "the chat link '988lifeline.org' must go to the 988 Lifeline's site over https, not "
            "'https://example.org/chat'",
        ),
        ('  call 911: {emergency: "911"}\n', "", 14, "the line names the link '[call 911]', which is not under"),
        ("title: In crisis?", "approved: true\ntitle: In crisis?", 11, "unknown front matter key 'approved'; approval"),
    ],
    ids=[
        "unknown-link",
        "number-not-shown",
        "unknown-kind",
        "text-elsewhere",
        "chat-elsewhere",
        "link-removed",
        "old-approved-flag",
    ],
)
def test_a_mistake_in_the_english_crisis_block_is_an_error_at_its_line(project_copy, old, new, line, message):
    block = project_copy / "sources" / "_required" / "crisis.md"
    text = block.read_text(encoding="utf-8")
    assert old in text
    block.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = invoke("build", "--only", "newsletter", cwd=project_copy)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert f"sources/_required/crisis.md:{line}: error: {message}" in result.stderr, result.stderr
    assert not (project_copy / "build" / "newsletters").exists()  # nothing half-made


# --- No safety word anywhere but the blocks --------------------------------------------------------

_SAFETY_LINK = re.compile(r"(tel|sms):\s*(988|911)|988lifeline\.org", re.IGNORECASE)
# The one file that may name 988's services: the table of what the Lifeline offers (data, not text).
_TABLE = ROOT / "publishing" / "lifeline.py"


def _searched_files() -> list[Path]:
    files = [p for p in (ROOT / "layouts").rglob("*") if p.suffix in (".html", ".xhtml", ".css", ".po", ".pot")]
    return files + [p for p in (ROOT / "publishing").rglob("*.py") if p != _TABLE]


def _every_safety_line() -> list[str]:
    required = ROOT / "sources" / "_required"
    lines = []
    for language in ["", *(p.name for p in required.iterdir() if p.is_dir())]:
        for key in ("crisis", "disclaimer"):
            wording = required_wording(key, language=language)
            lines += [wording.title, *wording.sentences, *wording.lines]
    return lines


# What any link to a bare number is described as ("988" -> "Call 988"), in an article as anywhere:
# not a safety sentence, though its Spanish shares words with one.
_BARE_NUMBER_DESCRIPTIONS = re.compile(
    r'msgid "(Call|Text) %\(number\)s"\nmsgstr "[^"]*"|_\("(Call|Text) %\(number\)s"'
)
_FILLED = re.compile(r"%\(\w+\)s|[^\s'\"=]*988[^\s'\"]*|\b911\b")  # what a template fills in: a number, an address


def _tokens(text: str) -> list[str]:
    """Words, case folded; markup dropped; a number, an address or a placeholder as one wildcard."""
    text = _FILLED.sub(" § ", re.sub(r"<[^>]+>|\b\w+=", " ", text))  # markup; a keyword argument's name
    tokens = re.findall(r"§|[^\W_]+", text.casefold())
    # A placeholder and the value filling it (`_("Call %(number)s", number="988")`) are one wildcard.
    return [token for i, token in enumerate(tokens) if not (token == "§" and i and tokens[i - 1] == "§")]


def _offences(text: str, lines: list[str], run: int = 5) -> list[str]:
    """A 988 or 911 link, or ``run`` words in a row of a safety line, numbers and addresses aside
    (so "Chat at %(site)s. In an emergency, call %(emergency)s." is found too)."""
    found = [match.group() for match in _SAFETY_LINK.finditer(text)]
    tokens = " " + " ".join(_tokens(_BARE_NUMBER_DESCRIPTIONS.sub(" ", text))) + " "
    for line in lines:
        words = _tokens(line)
        for i in range(len(words) - run + 1):
            if " " + " ".join(words[i : i + run]) + " " in tokens:
                found.append(f"{' '.join(words[i : i + run])!r} of {line!r}")
                break
    return found


def test_no_layout_catalog_or_python_file_holds_a_safety_sentence_or_a_988_or_911_link():
    lines = _every_safety_line()
    assert (
        "Call 988 or text 988" in lines
        and "Chatee en español en 988lifeline.org/es. En una emergencia, llame al 911." in (lines)
    )
    for path in _searched_files():
        found = _offences(path.read_text(encoding="utf-8"), lines)
        assert not found, f"{path.relative_to(ROOT)} holds safety text: {found}; it belongs in its block"


def test_the_search_finds_the_safety_words_the_layouts_and_catalogs_used_to_add():
    lines = _every_safety_line()
    before = {
        "layouts/_partials/required.html": '<p class="crisis-actions"><a href="tel:988">{{ _("Call %(number)s", '
        'number="988") }}</a></p>',
        "messages.po": 'msgid "Chat at %(site)s. In an emergency, call %(emergency)s."\n'
        'msgstr "Chatee en %(site)s. En una emergencia, llame al %(emergency)s."',
        "plaintext.py": "f\"{_('Call %(number)s', number='988')} {_('or')} {_('text %(number)s', number='988')}\"",
    }
    assert all(_offences(text, lines) for text in before.values())
    assert not _offences('msgid "Call us: %(phone)s"\nmsgstr "Llámenos: %(phone)s"', lines)  # the clinic's line


# --- Catalog text is text ---------------------------------------------------------------------------


def test_a_catalog_entry_holding_html_prints_as_text(tmp_path):
    project = copy_project(tmp_path)
    add_spanish_translation(project)
    po = project / "layouts" / "locale" / "es" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    hidden = '<span style="display:none">Preguntas</span>'
    assert 'msgstr "¿Tiene preguntas? Hable con nosotros."' in text
    po.write_text(
        text.replace(
            'msgstr "¿Tiene preguntas? Hable con nosotros."', f'msgstr "{hidden.replace(chr(34), chr(92) + chr(34))}"'
        )
    )
    result = invoke("build", "--only", "newsletter", cwd=project)
    assert result.returncode == 0, result.stderr
    page = lxml.html.document_fromstring((project / "build" / "newsletters" / f"{SPANISH}.html").read_bytes())
    assert hidden in page.text_content()  # the characters, printed
    assert not page.xpath("//span[@style='display:none']")  # never markup
