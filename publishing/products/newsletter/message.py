"""The ready-to-send message: both parts as multipart/alternative, the same bytes for the same source."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from email.utils import formataddr, parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from ...site import Site


def usable_unsubscribe_url(url: str) -> bool:
    """An address a recipient's mail program can use itself: https:// or mailto:, no merge tag."""
    if not url or re.search(r"\s|\*\||\|\*|\{\{|\}\}|%%", url):
        return False
    parts = urlsplit(url)
    if parts.scheme == "https":
        return bool(parts.hostname)
    return parts.scheme == "mailto" and "@" in parts.path


def message_bytes(edition, subject, site: Site) -> bytes:
    """multipart/alternative, text first and HTML last (clients show the last part they can), UTF-8.

    Complete as RFC 5322 asks when the settings give a sender: From, Date, Message-ID. Everything is
    derived from the content, so the same source gives the same file: the Date is the subject's own
    (its review or last commit), the Message-ID a hash of both parts at the sender's domain, the
    boundary another. ``subject`` is an article or a newsletter issue: what gives the subject line,
    language and date."""
    from email.message import EmailMessage
    from email.policy import SMTP
    from email.utils import format_datetime

    settings = site.settings
    message = EmailMessage(policy=SMTP)
    message["Subject"] = subject.newsletter_subject
    digest = hashlib.sha256((edition.text + "\0" + edition.html).encode("utf-8")).hexdigest()
    if settings.sender_address:
        name, address = parseaddr(settings.sender_address)
        message["From"] = formataddr((name or settings.clinic_name, address))
        domain = address.rpartition("@")[2]
        message["Message-ID"] = f"<{digest[40:]}@{domain}>"
    message["Date"] = format_datetime(subject.date.astimezone(dt.UTC), usegmt=True)
    unsubscribe = settings.newsletter.unsubscribe_url
    if usable_unsubscribe_url(unsubscribe):
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        if one_click(unsubscribe):
            # RFC 8058 one-click unsubscribe is defined for an HTTPS address only.
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(edition.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(edition.html, subtype="html", charset="utf-8", cte="quoted-printable")
    message["Content-Language"] = subject.lang  # after set_content, which clears Content-* headers
    # "=_" never occurs in quoted-printable text, so the boundary cannot collide with the body.
    message.set_boundary(f"=_{digest[:40]}")
    data = message.as_bytes()
    check_headers(read_message_bytes(data), subject.source)
    return data


# The headers a built message has, each once; `invoke send` adds only To:.
BUILT_HEADERS = (
    "Subject",
    "From",
    "Message-ID",
    "Date",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "MIME-Version",
    "Content-Type",
    "Content-Language",
    "Content-Transfer-Encoding",
)


def check_headers(message, shown_as: Path | None) -> None:
    """Refuse a message whose headers are not the ones built, each once, each one line after decoding.

    A title holding an encoded word with CR LF (=?utf-8?q?Hi=0D=0ABcc:_x@example.org?=) comes out of
    Python's email package (3.11.7 here) as real Bcc:, Reply-To: or From: lines: judged on what was
    written, not on whether the interpreter is patched."""
    from ...characters import decoded_words
    from ...errors import PublishingError

    names = [name.title() for name in message.keys()]
    allowed = {name.title() for name in BUILT_HEADERS}
    extra = sorted({name for name in names if name not in allowed or names.count(name) > 1})
    broken = [name for name, value in message.items() if re.search(r"[\r\n\x00]", decoded_words(str(value)))]
    if extra or broken:
        raise PublishingError(
            shown_as,
            "the email's headers would be "
            + (f"added to or repeated ({', '.join(extra)})" if extra else f"split across lines ({', '.join(broken)})")
            + ": a title, subject or setting holds a line break (perhaps inside an encoded word, =?...?=)",
            hint="write titles, subjects and the clinic's settings as plain text on one line, then rebuild",
        )


def read_message_bytes(data: bytes):
    from email import policy
    from email.parser import BytesParser

    return BytesParser(policy=policy.default).parsebytes(data)


def one_click(url: str) -> bool:
    """Whether mail programs may unsubscribe with one click (RFC 8058): an https address, no merge tag."""
    return usable_unsubscribe_url(url) and url.startswith("https://")


def read_message(path: Path):
    from email import policy
    from email.parser import BytesParser

    with path.open("rb") as file:
        return BytesParser(policy=policy.default).parse(file)


def message_parts(message) -> tuple[str, str] | None:
    """The text and HTML parts of a built message, or None when it is not shaped as built."""
    if message.get_content_type() != "multipart/alternative":
        return None
    parts = list(message.iter_parts())
    if [part.get_content_type() for part in parts] != ["text/plain", "text/html"]:
        return None
    return parts[0].get_content(), parts[1].get_content()
