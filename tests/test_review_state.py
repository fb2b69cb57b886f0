"""What every product says about an article's clinical review is true, and the same everywhere: the
handout (read with poppler), the guide's XHTML, the newsletter's HTML and text and each card of an
issue (read with the email parser). A review records the version it covered: an edit after it shows
as "changed since its review", `invoke check` warns naming both versions, `invoke send` refuses."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import zipfile
from email import policy
from email.parser import BytesParser
from pathlib import Path

import lxml.html
import pytest
from test_newsletter import POSTAL, SENDER, UNSUBSCRIBE, _set, _use_smtp_profile, smtp_server  # noqa: F401
from test_newsletter_issues import ISSUE, ISSUE_SOURCE, RICH

from conftest import FIXTURES, SAMPLE, add_spanish_translation, copy_project, invoke

REVIEWED = "Last reviewed May 4, 2026 by Test Reviewer, MD · Next review due May 4, 2027"
CLINICAL_SENTENCE = "Do not drive for 24 hours after a session."


def _words(text: str) -> str:
    return " ".join(text.split())


def _version(path: Path) -> str:
    """The version mark as the README defines it, computed here: the SHA-256 of the source without its
    review fields' lines (last_reviewed, medical_reviewer, reviewed_version), first 7 hex digits."""
    lines = path.read_bytes().split(b"\n")
    kept = [line for line in lines if not re.match(rb"(last_reviewed|medical_reviewer|reviewed_version):", line)]
    return hashlib.sha256(b"\n".join(kept)).hexdigest()[:7]


def _handout_text(project: Path, name: str) -> str:
    pdf = project / f"build/handouts/{name}.pdf"
    return _words(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)


def _guide_facts(project: Path, name: str) -> list[str]:
    with zipfile.ZipFile(project / f"build/guides/{name}.epub") as epub:
        page = lxml.html.document_fromstring(epub.read("EPUB/article.xhtml"))
    return [_words(p.text_content()) for p in page.find_class("review-facts")]


def _newsletter_facts(project: Path, name: str) -> tuple[str, str, str, str]:
    """The review facts in the newsletter's HTML byline, its text file, and both parts of its .eml."""
    folder = project / "build/newsletters"
    html = lxml.html.fromstring((folder / f"{name}.html").read_bytes())
    [byline] = html.find_class("review-facts")
    with (folder / f"{name}.eml").open("rb") as file:
        message = BytesParser(policy=policy.default).parse(file)
    part_html = lxml.html.fromstring(message.get_body(("html",)).get_content().encode())
    return (
        _words(byline.text_content()),
        _words((folder / f"{name}.txt").read_text()),
        _words(message.get_body(("plain",)).get_content()),
        _words(part_html.find_class("review-facts")[0].text_content()),
    )


def _project(folder: Path, *, issue: bool = False) -> Path:
    project = copy_project(folder)
    sources = project / "sources"
    for path in (FIXTURES / "rich").iterdir():
        (shutil.copytree if path.is_dir() else shutil.copy)(path, sources / path.name)
    if issue:
        (sources / "newsletters").mkdir()
        (sources / "newsletters" / f"{ISSUE}.md").write_text(ISSUE_SOURCE)
    _set(project / "pyproject.toml", sender_address=SENDER, postal_address=POSTAL)
    _use_smtp_profile(project / "pyproject.toml", UNSUBSCRIBE)
    return project


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    project = _project(tmp_path_factory.mktemp("review"), issue=True)
    result = invoke("build", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    return project


# --- The same review facts in every product ---------------------------------------------------------


def test_an_unreviewed_article_says_so_in_the_newsletter_as_on_the_handout(built):
    facts = f"Not yet clinically reviewed · Version {_version(built / 'sources' / f'{SAMPLE}.md')}"
    assert facts in _handout_text(built, SAMPLE)
    assert _guide_facts(built, SAMPLE) == [facts]
    byline, text, text_part, html_part = _newsletter_facts(built, SAMPLE)
    assert byline == html_part == facts
    assert f"Ketamine Uplift Care Team · {facts}" in text and f"Ketamine Uplift Care Team · {facts}" in text_part


def test_a_reviewed_unedited_article_reads_last_reviewed_by_in_every_product(built):
    facts = f"{REVIEWED} · Version {_version(built / 'sources' / f'{RICH}.md')}"
    assert facts in _handout_text(built, RICH)
    assert _guide_facts(built, RICH) == [facts]
    byline, text, text_part, html_part = _newsletter_facts(built, RICH)
    assert byline == html_part == facts and facts in text and facts in text_part


def test_every_card_of_an_issue_carries_its_articles_review_facts(built):
    folder = built / "build/newsletters/issues"
    page = lxml.html.fromstring((folder / f"{ISSUE}.html").read_bytes())
    cards = [_words(card.text_content()) for card in page.find_class("review-facts")]
    sample = f"Not yet clinically reviewed · Version {_version(built / 'sources' / f'{SAMPLE}.md')}"
    rich = f"{REVIEWED} · Version {_version(built / 'sources' / f'{RICH}.md')}"
    assert cards == [sample, rich]
    with (folder / f"{ISSUE}.eml").open("rb") as file:
        text = _words(BytesParser(policy=policy.default).parse(file).get_body(("plain",)).get_content())
    assert sample in text and rich in text and text.index(sample) < text.index(rich)


# --- invoke send refuses what is not reviewed as it reads -----------------------------------------


def _env(server) -> dict:
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(server.port), "SMTP_STARTTLS": "false"}


def test_send_refuses_an_unreviewed_article_and_sends_it_as_a_draft_when_told(built, smtp_server):  # noqa: F811
    version = _version(built / "sources" / f"{SAMPLE}.md")
    refused = invoke("send", SAMPLE, "--to", "me@example.org", cwd=built, env=_env(smtp_server))
    assert refused.returncode != 0 and "Traceback" not in refused.stderr and refused.stdout == ""
    assert refused.stderr.strip() == (
        f"build/newsletters/{SAMPLE}.eml: error: refusing to send: sources/{SAMPLE}.md is not yet clinically "
        f"reviewed (version {version}); once a clinician has reviewed it, run invoke review {SAMPLE} "
        '--by "Name, credentials", rebuild, and send again (or send it anyway, as a draft, with --unreviewed)'
    )
    assert smtp_server.envelopes == []
    draft = invoke("send", SAMPLE, "--to", "me@example.org", "--unreviewed", cwd=built, env=_env(smtp_server))
    assert draft.returncode == 0, draft.stderr
    assert draft.stdout.splitlines()[0] == (
        f"sent unreviewed (--unreviewed): sources/{SAMPLE}.md is not yet clinically reviewed (version {version})"
    )
    assert len(smtp_server.envelopes) == 1


def test_send_refuses_an_issue_holding_an_unreviewed_article(built, smtp_server):  # noqa: F811
    refused = invoke("send", ISSUE, "--to", "me@example.org", cwd=built, env=_env(smtp_server))
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith(
        f"build/newsletters/issues/{ISSUE}.eml: error: refusing to send: sources/{SAMPLE}.md is not yet clinically "
        "reviewed"
    )
    assert RICH not in refused.stderr  # the reviewed article is not named
    assert smtp_server.envelopes == []


def test_a_reviewed_article_is_sent_without_a_word_about_review(built, smtp_server):  # noqa: F811
    sent = invoke("send", RICH, "--to", "me@example.org", cwd=built, env=_env(smtp_server))
    assert sent.returncode == 0, sent.stderr
    assert "unreviewed" not in sent.stdout and sent.stdout.startswith("sent    ")


# --- A review is a record of one version ----------------------------------------------------------


@pytest.fixture(scope="module")
def edited(tmp_path_factory) -> Path:
    """The reviewed fixture after someone added a clinical sentence to its text, built."""
    project = _project(tmp_path_factory.mktemp("edited"))
    source = project / "sources" / f"{RICH}.md"
    source.write_text(source.read_text().replace("\n---\n", f"\n---\n\n{CLINICAL_SENTENCE}\n", 1))
    result = invoke("build", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    return project


def test_an_article_edited_after_its_review_says_so_in_every_product(edited):
    source = edited / "sources" / f"{RICH}.md"
    facts = f"Changed since its review on May 4, 2026 · not yet re-reviewed · Version {_version(source)}"
    handout = _handout_text(edited, RICH)
    assert facts in handout and "Last reviewed" not in handout
    assert _guide_facts(edited, RICH) == [facts]
    byline, text, text_part, html_part = _newsletter_facts(edited, RICH)
    assert byline == html_part == facts and facts in text and facts in text_part
    assert "Last reviewed" not in text


def test_check_warns_naming_both_versions_strict_and_send_refuse(edited):
    source = edited / "sources" / f"{RICH}.md"
    now = _version(source)
    reviewed = re.search(r'reviewed_version: "(\w+)"', source.read_text()).group(1)
    assert reviewed != now
    result = invoke("check", cwd=edited)
    [line] = [line for line in result.stdout.splitlines() if "clinical review" in line and RICH in line]
    assert line.startswith("WARN") and line.endswith(
        f"sources/{RICH}.md: changed since its review on 2026-05-04: the review covered version {reviewed}, the "
        f"text is now version {now}; not yet re-reviewed (once a clinician has reviewed it, run invoke review "
        f'{RICH} --by "Name, credentials")'
    )
    assert invoke("check", "--strict", cwd=edited).returncode != 0
    refused = invoke("send", RICH, "--to", "me@example.org", cwd=edited, env={"SMTP_HOST": "127.0.0.1"})
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert (
        f"error: refusing to send: sources/{RICH}.md changed since its review on 2026-05-04 (reviewed version "
        f"{reviewed}, now version {now})"
    ) in refused.stderr


def test_the_changed_products_are_dated_by_the_change_not_the_review(edited):
    with zipfile.ZipFile(edited / f"build/guides/{RICH}.epub") as epub:
        opf = epub.read("EPUB/content.opf").decode()
    modified = re.search(r'property="dcterms:modified">([^<]+)<', opf).group(1)
    assert not modified.startswith("2026-05-04")  # the review date: an edition a reading app cannot tell apart
    with (edited / f"build/newsletters/{RICH}.eml").open("rb") as file:
        assert "04 May 2026" not in BytesParser(policy=policy.default).parse(file)["Date"]
    eml = (edited / f"build/newsletters/{RICH}.eml").read_bytes()
    assert invoke("newsletter", "--force", cwd=edited).returncode == 0
    assert (edited / f"build/newsletters/{RICH}.eml").read_bytes() == eml  # same sources, same bytes


def test_invoke_review_records_the_current_version_and_only_review_fields_change(tmp_path):
    project = _project(tmp_path)
    source = project / "sources" / f"{RICH}.md"
    source.write_text(source.read_text().replace("\n---\n", f"\n---\n\n{CLINICAL_SENTENCE}\n", 1))
    before = source.read_text()
    version = _version(source)
    result = invoke("review", RICH, "--by", "Dana Reyes, MD", "--date", "2026-11-20", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        f"recorded sources/{RICH}.md: version {version} reviewed on 2026-11-20 by Dana Reyes, MD "
        f"(the review of 2026-05-04, version 4c864d8 is replaced)"
    )
    after = source.read_text()
    assert _version(source) == version  # recording the review did not change the version it records
    assert 'last_reviewed: 2026-11-20\nmedical_reviewer: {name: "Dana Reyes", credentials: "MD"}\n' in after
    assert f'reviewed_version: "{version}"\n---\n' in after
    assert after.split("\n---\n", 1)[1] == before.split("\n---\n", 1)[1]  # the text is untouched
    assert invoke("handout", cwd=project).returncode == 0
    assert (
        f"Last reviewed November 20, 2026 by Dana Reyes, MD · Next review due November 20, 2027 · Version {version}"
        in (_handout_text(project, RICH))
    )


def test_a_review_of_a_translation_is_its_own(tmp_path):
    """The English article is reviewed; its Spanish translation is not, and says so in Spanish. Editing
    the translation does not mark the English article changed."""
    project = copy_project(tmp_path)
    english = project / "sources" / f"{SAMPLE}.md"
    assert invoke("review", SAMPLE, "--by", "Test Reviewer, MD", "--date", "2026-05-04", cwd=project).returncode == 0
    spanish = add_spanish_translation(project)
    spanish.write_text(spanish.read_text().replace("La ketamina", "La ketamina también", 1))
    assert invoke("handout", cwd=project).returncode == 0
    assert (
        f"Last reviewed May 4, 2026 by Test Reviewer, MD · Next review due May 4, 2027 · Version {_version(english)}"
        in (_handout_text(project, SAMPLE))
    )
    assert "Todavía sin revisión clínica · Versión" in _handout_text(project, f"{SAMPLE}.es")


def test_an_unknown_article_or_a_bad_date_is_a_clear_error(tmp_path):
    project = copy_project(tmp_path)
    unknown = invoke("review", "no-such-article", "--by", "Dana Reyes, MD", cwd=project)
    assert unknown.returncode != 0 and "Traceback" not in unknown.stderr
    assert unknown.stderr.strip() == f"sources: error: no article named 'no-such-article'; choose from {SAMPLE}"
    bad = invoke("review", SAMPLE, "--by", "Dana Reyes, MD", "--date", "May 4", cwd=project)
    assert bad.returncode != 0 and bad.stderr.strip() == "error: --date must be YYYY-MM-DD, not 'May 4'"


def test_a_review_that_records_no_version_is_a_warning_that_says_how_to_bind_it(tmp_path):
    project = copy_project(tmp_path)
    source = project / "sources" / f"{SAMPLE}.md"
    version = _version(source)
    source.write_text(
        source.read_text().replace("category: Conditions", "category: Conditions\nlast_reviewed: 2026-11-02")
    )
    result = invoke("check", cwd=project)
    [line] = [line for line in result.stdout.splitlines() if "clinical review" in line]
    assert line.startswith("WARN") and line.endswith(
        f"sources/{SAMPLE}.md: the review of 2026-11-02 does not record the version it covered, so an edit after it "
        f"cannot be seen; once a clinician confirms it covered this text (version {version}), run invoke review "
        f'{SAMPLE} --by "Name, credentials" --date 2026-11-02'
    )
