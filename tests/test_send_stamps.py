"""`invoke send` dates the message when it is sent and gives each send its own Message-ID; what it
proves (both blocks, every header) is that stamped message; the built .eml stays as built."""

from __future__ import annotations

import datetime as dt
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime

from test_newsletter import RICH, email_project, newsletter_files, smtp_server  # noqa: F401

from conftest import invoke


def _env(server) -> dict:
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(server.port),
        "SMTP_STARTTLS": "false",
        "SMTP_USER": "clinic",
        "SMTP_PASSWORD": "s3cret",
    }


def test_two_sends_are_two_messages_dated_when_sent(email_project, smtp_server):  # noqa: F811
    """A test send to oneself, then the real one: Gmail drops a repeated Message-ID, so each is new;
    each is dated the moment it left, not the article's review date (May 2026)."""
    eml = newsletter_files(email_project / "build", RICH)["eml"]
    built = eml.read_bytes()
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for to in ("me@example.org", "reader@example.org"):
        result = invoke("send", RICH, "--to", to, cwd=email_project, env=_env(smtp_server))
        assert result.returncode == 0, result.stdout + result.stderr
    after = dt.datetime.now(dt.UTC)
    messages = [BytesParser(policy=policy.default).parsebytes(e.original_content) for e in smtp_server.envelopes]
    ids = [m["Message-ID"] for m in messages]
    assert len(set(ids)) == 2 and all(i.endswith("@example.org>") for i in ids)
    built_message = BytesParser(policy=policy.default).parsebytes(built)
    assert built_message["Message-ID"] not in ids
    for message in messages:
        assert before <= parsedate_to_datetime(message["Date"]) <= after
        assert all(len(message.get_all(name)) == 1 for name in ("To", "Date", "Message-ID"))
    assert [m["To"] for m in messages] == ["me@example.org", "reader@example.org"]
    assert eml.read_bytes() == built  # the built file is not touched: it stays reproducible


def test_the_send_line_names_the_message_id_it_sent(email_project, smtp_server):  # noqa: F811
    result = invoke("send", RICH, "--to", "reader@example.org", cwd=email_project, env=_env(smtp_server))
    assert result.returncode == 0, result.stderr
    [envelope] = smtp_server.envelopes
    sent = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
    assert result.stdout.rstrip().endswith(f", dated now as {sent['Message-ID']}")


def test_a_built_message_without_its_from_line_is_refused_before_the_server(email_project, smtp_server, tmp_path):  # noqa: F811
    """Someone trims the .eml by hand: the stamped message would have no From; nothing is sent."""
    eml = newsletter_files(email_project / "build", RICH)["eml"]
    built = eml.read_bytes()
    head, body = built.split(b"\r\n\r\n", 1)
    trimmed = b"\r\n".join(line for line in head.split(b"\r\n") if not line.startswith(b"From:"))
    try:
        eml.write_bytes(trimmed + b"\r\n\r\n" + body)
        result = invoke("send", RICH, "--to", "reader@example.org", cwd=email_project, env=_env(smtp_server))
    finally:
        eml.write_bytes(built)
    assert result.returncode != 0 and "Traceback" not in result.stderr and result.stdout == ""
    assert result.stderr.strip() == (
        f"build/newsletters/{RICH}.eml: error: refusing to send: the message as stamped for sending lacks From; "
        "rebuild it with 'invoke build --only newsletter' before sending"
    )
    assert smtp_server.envelopes == []


def test_a_stamped_message_still_carries_both_blocks_in_both_parts(email_project, smtp_server):  # noqa: F811
    from extract import normalised
    from test_sample_build import CRISIS, DISCLAIMER

    result = invoke("send", RICH, "--to", "reader@example.org", cwd=email_project, env=_env(smtp_server))
    assert result.returncode == 0, result.stderr
    [envelope] = smtp_server.envelopes
    message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
    import lxml.html

    text = message.get_body(("plain",)).get_content()
    html = lxml.html.document_fromstring(message.get_body(("html",)).get_content().encode()).text_content()
    for part in (text, html):
        for block in (CRISIS, DISCLAIMER):
            assert normalised(block) in normalised(part)
