"""No title, subject or setting can add a header to the newsletter's email (Bcc:, Reply-To:, a second From:),
however it is encoded; `invoke check` and `invoke send` refuse a message whose headers are not the ones
built; `invoke send` sends only what is in build/newsletters/."""

from __future__ import annotations

import json
import re
import socket
from email import policy
from email.parser import BytesParser

import pytest

from conftest import SAMPLE, copy_project, invoke

SENDER = "news@example.org"
UNSUBSCRIBE = "https://www.example.org/unsubscribe?id=7"
INJECTED = "=?utf-8?q?Hi=0D=0ABcc:_someone@example.org=0D=0AReply-To:_thief@example.org?="


def _ready_to_send(project):
    """Settings that let `invoke send` send: a sender, a postal address, the smtp profile's https unsubscribe."""
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    for key, value in (("sender_address", SENDER), ("postal_address", "1 Example Street, Example Town, CA")):
        text = re.sub(rf"(?m)^{key} = .*$", f"{key} = {json.dumps(value)}", text, count=1)
    text = text.replace('profile = "mailchimp"', 'profile = "smtp"').replace(
        '[tool.publishing.newsletter.profiles.smtp]\nunsubscribe_url = ""',
        f'[tool.publishing.newsletter.profiles.smtp]\nunsubscribe_url = "{UNSUBSCRIBE}"',
    )
    assert 'profile = "smtp"' in text and UNSUBSCRIBE in text
    pyproject.write_text(text)


@pytest.fixture(scope="module")
def mail_project(tmp_path_factory):
    """The sample ready to send, beside articles whose title or subject hides header lines in an encoded
    word; the newsletters built."""
    project = copy_project(tmp_path_factory.mktemp("mail"))
    _ready_to_send(project)
    head = "---\ntitle: {title}\ndescription: A test article.\nauthor: Care Team\n{extra}---\n\nText.\n"
    sources = project / "sources"
    (sources / "injected-title.md").write_text(head.format(title=f'"{INJECTED}"', extra=""))
    (sources / "injected-subject.md").write_text(
        head.format(title="Fine", extra=f'newsletter:\n  subject: "{INJECTED}"\n')
    )
    (sources / "newsletters").mkdir(exist_ok=True)
    (sources / "newsletters/2026-12.md").write_text(
        f'---\ntitle: December\narticles:\n  - {SAMPLE}\nsubject: "{INJECTED}"\n---\n\nAn introduction.\n'
    )
    built = invoke("build", "--only", "newsletter", cwd=project)
    return project, built


def test_an_encoded_word_with_cr_lf_in_a_title_or_subject_is_an_error_at_its_line(mail_project):
    project, built = mail_project
    assert built.returncode != 0 and "Traceback" not in built.stderr
    said = (
        "holds an encoded word (=?...?=) that decodes to the control character U+000D, which would add lines to "
        "the email's headers; write the value as plain text"
    )
    assert f"sources/injected-title.md:2: error: 'title' {said}" in built.stderr
    assert f"sources/injected-subject.md:5: error: 'newsletter' {said}" in built.stderr
    assert f"sources/newsletters/2026-12.md:5: error: 'subject' {said}" in built.stderr
    newsletters = project / "build/newsletters"
    assert not list(newsletters.rglob("injected-*")) and not (newsletters / "issues/2026-12.eml").exists()
    for eml in newsletters.rglob("*.eml"):  # nothing built carries the injected headers
        message = BytesParser(policy=policy.default).parse(eml.open("rb"))
        assert message["Bcc"] is None and message["Reply-To"] is None and len(message.get_all("From")) == 1


def test_a_message_given_extra_headers_in_build_is_failed_by_check_and_never_sent(mail_project, tmp_path):
    """Someone who can write to build/ adds Bcc: and a second From: to a built .eml: the gate fails it and
    `invoke send` refuses it; the SMTP server on 127.0.0.1 receives nothing."""
    project = copy_project(tmp_path)
    _ready_to_send(project)
    assert invoke("build", "--only", "newsletter", cwd=project).returncode == 0
    eml = project / "build/newsletters" / f"{SAMPLE}.eml"
    data = eml.read_bytes()
    eml.write_bytes(b"Bcc: someone@example.org\r\nReply-To: thief@example.org\r\nFrom: x@example.org\r\n" + data)

    checked = invoke("check", cwd=project)
    rows = json.loads((project / "build/check.json").read_text())["rows"]
    [row] = [r for r in rows if r["article"] == SAMPLE and r["product"] == "newsletter" and r["status"] == "fail"]
    assert "the email's headers would be added to or repeated (Bcc, From, Reply-To)" in row["detail"]
    assert checked.returncode != 0

    with socket.socket() as listener:  # a mail server that must never be spoken to
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.1)
        env = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(listener.getsockname()[1]), "SMTP_STARTTLS": "false"}
        sent = invoke("send", SAMPLE, "--to", "reader@example.org", cwd=project, env=env)
        with pytest.raises(TimeoutError):
            listener.accept()
    assert sent.returncode != 0 and "Traceback" not in sent.stderr
    assert f"build/newsletters/{SAMPLE}.eml: error: the email's headers would be added to or repeated" in sent.stderr


def test_cr_lf_in_the_clinic_name_with_a_sender_is_an_error_at_the_setting(project_copy):
    _ready_to_send(project_copy)
    pyproject = project_copy / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('clinic_name = "Ketamine Uplift"', r'clinic_name = "K\r\nBcc: x@y"')
    )
    result = invoke("build", "--only", "newsletter", cwd=project_copy)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    line = next(n for n, text in enumerate(pyproject.read_text().splitlines(), 1) if text.startswith("clinic_name"))
    assert f"pyproject.toml:{line}: error: setting 'clinic_name' contains the control character U+000D" in (
        result.stderr
    )


@pytest.mark.parametrize("slug", ["../../elsewhere/x", "../x", "/tmp/x", "issues/../../x", ".hidden"])
def test_send_refuses_a_message_outside_build_newsletters(mail_project, tmp_path, slug):
    project, _ = mail_project
    (project / "elsewhere").mkdir(exist_ok=True)
    (project / "elsewhere/x.eml").write_bytes((project / "build/newsletters" / f"{SAMPLE}.eml").read_bytes())
    result = invoke("send", slug, "--to", "reader@example.org", cwd=project, env={"SMTP_HOST": "127.0.0.1"})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"error: '{slug}' is not an article's slug or an issue's name" in result.stderr


def test_send_refuses_a_link_in_build_newsletters_to_a_message_elsewhere(mail_project):
    project, _ = mail_project
    (project / "elsewhere").mkdir(exist_ok=True)
    outside = project / "elsewhere/planted.eml"
    outside.write_bytes((project / "build/newsletters" / f"{SAMPLE}.eml").read_bytes())
    (project / "build/newsletters/planted.eml").symlink_to(outside)
    result = invoke("send", "planted", "--to", "reader@example.org", cwd=project, env={"SMTP_HOST": "127.0.0.1"})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "build/newsletters/planted.eml: error: the message is a link to a file outside build/newsletters/" in (
        result.stderr
    )


def test_an_honest_title_with_unusual_characters_still_builds(project_copy):
    """The harmless change: "=" and "?" in a title, not an encoded word, and real accents."""
    _ready_to_send(project_copy)
    source = project_copy / "sources" / f"{SAMPLE}.md"
    source.write_text(
        re.sub(r"(?m)^title: .*$", 'title: "Is 1 + 1 = 2? Ketamine and the café question"', source.read_text())
    )
    result = invoke("build", "--only", "newsletter", cwd=project_copy)
    assert result.returncode == 0, result.stderr
    message = BytesParser(policy=policy.default).parse((project_copy / f"build/newsletters/{SAMPLE}.eml").open("rb"))
    assert message["Subject"] == "Is 1 + 1 = 2? Ketamine and the café question"
