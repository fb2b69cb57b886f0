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
    return message.as_bytes()


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
