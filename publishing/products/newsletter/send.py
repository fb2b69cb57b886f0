"""Send a built newsletter over SMTP: the .eml exactly as built and verified, to one address.

A message that reaches a person directly over SMTP has no email service to fill in
merge tags, so it must already carry what the law asks (CAN-SPAM): who sent it, the
sender's postal address and an unsubscribe link the recipient can use. Without them
sending is refused.
"""

from __future__ import annotations

import ipaddress
import os
import re
import smtplib
import ssl
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path

from ...errors import PublishingError
from ...site import Site
from . import IssueNewsletter, Newsletter, reviewed
from .footer import footer_postal_address
from .message import check_headers, message_parts, one_click, read_message_bytes, usable_unsubscribe_url
from .stamp import check_stamped, stamped
from .verify import verify_message

# Recognisable merge-tag syntax of the email services (Mailchimp, SendGrid, Campaign Monitor...).
_MERGE_TAG = re.compile(r"\*\|.*?\|\*|\{\{.*?\}\}|%%.*?%%|\[[A-Za-z_]+\]")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    starttls: bool
    user: str
    password: str

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Sent:
    path: Path
    subject: str
    sender: str
    recipient: str
    server: SmtpServer
    size: int
    message_id: str = ""
    unreviewed: tuple[str, ...] = ()  # sent with --unreviewed: why each article is not reviewed as it reads


def smtp_server(site: Site, environ=os.environ) -> SmtpServer:
    """[tool.publishing.smtp], overridden by SMTP_HOST/PORT/STARTTLS/USER; SMTP_PASSWORD only from ``environ``."""
    smtp = site.settings.smtp
    port_text = environ.get("SMTP_PORT", "").strip()
    if port_text and not port_text.isdigit():
        raise PublishingError(None, f"SMTP_PORT must be a port number, not {port_text!r}")
    starttls_text = environ.get("SMTP_STARTTLS", "").strip().lower()
    if starttls_text and starttls_text not in _TRUE | _FALSE:
        raise PublishingError(None, f"SMTP_STARTTLS must be true or false, not {starttls_text!r}")
    server = SmtpServer(
        host=environ.get("SMTP_HOST", "").strip() or smtp.host,
        port=int(port_text) if port_text else smtp.port,
        starttls=(starttls_text in _TRUE) if starttls_text else smtp.starttls,
        user=environ.get("SMTP_USER", "").strip() or smtp.user,
        password=environ.get("SMTP_PASSWORD", ""),
    )
    settings_path = site.settings.path
    if not server.host:
        raise PublishingError(
            settings_path,
            "no mail server to send through",
            hint="set host in [tool.publishing.smtp] or the SMTP_HOST environment variable",
        )
    if server.user and not server.password:
        raise PublishingError(
            None,
            f"SMTP user '{server.user}' has no password",
            hint="set the SMTP_PASSWORD environment variable (it is never read from a file)",
        )
    if server.user and not server.starttls and not _loopback(server.host):
        raise PublishingError(
            settings_path,
            f"refusing to send the SMTP password to {server} unencrypted",
            hint="set starttls = true in [tool.publishing.smtp] (or SMTP_STARTTLS=true)",
        )
    return server


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def refusals(site: Site) -> list[str]:
    """What the law requires of a message sent directly, and these settings do not give."""
    settings = site.settings
    problems = []
    if not settings.sender_address or "@" not in parseaddr(settings.sender_address)[1]:
        problems.append("'sender_address' is empty: the message would have no From address")
    address = footer_postal_address(settings)
    if not address:
        problems.append("'postal_address' is empty: CAN-SPAM requires the sender's postal address")
    elif _MERGE_TAG.search(address):
        problems.append(f"the postal address '{address}' is a merge tag that nothing fills in over SMTP")
    unsubscribe = settings.newsletter.unsubscribe_url
    if not usable_unsubscribe_url(unsubscribe):
        what = f"'{unsubscribe}' is not" if unsubscribe else "there is no"
        problems.append(
            f"{what} an unsubscribe link a recipient can use (newsletter profile "
            f"'{settings.newsletter.name}'; a merge tag is filled in only by an email service)"
        )
    elif not one_click(unsubscribe):
        problems.append(
            f"the unsubscribe link '{unsubscribe}' is only a mailto: address: Gmail's and Yahoo's rules for "
            "bulk senders (2024) require one-click unsubscribe (RFC 8058), which needs an https:// address"
        )
    return problems


def send(site: Site, slug: str, recipient: str, environ=os.environ, *, unreviewed: bool = False) -> Sent:
    """Send build/newsletters/<slug>.eml to ``recipient``; raise PublishingError when it may not be sent
    (an article not reviewed as it reads now, too, unless ``unreviewed``)."""
    settings = site.settings
    problems = refusals(site)
    if problems:
        raise PublishingError(
            settings.path,
            "cannot send the newsletter: " + "; ".join(problems),
            hint="fill in [tool.publishing] and choose a newsletter profile for plain SMTP "
            "(see the 'smtp' profile in pyproject.toml), then rebuild",
        )
    address = parseaddr(recipient)[1]
    if not (address.isascii() and re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", address)):
        raise PublishingError(None, f"'{recipient}' is not an email address", hint="give --to name@example.org")

    eml = built_message(site, slug)
    sender = parseaddr(settings.sender_address)[1]
    # What is proven is what is sent: the built message stamped with To, the Date and a fresh Message-ID.
    built = eml.read_bytes()
    check_headers(read_message_bytes(built), eml)  # a Bcc: line planted in build/ is named as such
    data = stamped(built, address, sender.rsplit("@", 1)[1])
    message = check_stamped(data, eml)
    proven_in_its_language(site, slug, eml, message)
    _check_against_settings(site, eml, message)

    server = smtp_server(site, environ)
    data = dkim_signed(site, data, sender.rsplit("@", 1)[1])
    not_reviewed = reviewed.unreviewed(site, slug, eml, allowed=unreviewed)
    _deliver(server, sender, address, data)
    return Sent(
        path=eml,
        subject=str(message["Subject"]),
        sender=sender,
        recipient=address,
        server=server,
        size=len(data),
        message_id=str(message["Message-ID"]),
        unreviewed=tuple(not_reviewed),
    )


def _check_against_settings(site: Site, eml: Path, message) -> None:
    """The built message says what the settings say now: its From, its unsubscribe link, the address."""
    settings = site.settings
    text, _ = message_parts(message) or ("", "")
    stale = []
    if parseaddr(message.get("From", ""))[1] != parseaddr(settings.sender_address)[1]:
        stale.append("its From address")
    if message.get("List-Unsubscribe") != f"<{settings.newsletter.unsubscribe_url}>":
        stale.append("its unsubscribe link")
    if " ".join(footer_postal_address(settings).split()) not in " ".join(text.split()):
        stale.append("the postal address")
    if stale:
        raise PublishingError(
            eml,
            f"the built message differs from the settings in {', '.join(stale)}",
            hint="rebuild it with 'invoke build --only newsletter' before sending",
        )


def _deliver(server: SmtpServer, sender: str, address: str, data: bytes) -> None:
    try:
        with smtplib.SMTP(server.host, server.port, timeout=30) as connection:
            if server.starttls:
                connection.starttls(context=ssl.create_default_context())
            if server.user:
                connection.login(server.user, server.password)
            connection.sendmail(sender, [address], data)
    except (smtplib.SMTPException, OSError) as error:
        raise PublishingError(
            None,
            f"could not send through {server}: {error}",
            hint="check the SMTP settings (host, port, starttls, user) and SMTP_PASSWORD",
        ) from None


def built_message(site: Site, slug: str) -> Path:
    """build/newsletters/<slug>.eml, or a monthly issue's build/newsletters/issues/<slug>.eml; never a file
    elsewhere (``invoke send ../../x`` would send whatever x.eml someone left there)."""
    folder = site.folders.out / Newsletter.folder
    issues = site.folders.out / IssueNewsletter.folder
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", slug) or ".." in slug:
        raise PublishingError(
            None,
            f"'{slug}' is not an article's slug or an issue's name",
            hint="give the slug as the file is named in build/newsletters/ (e.g. sleep-and-mood or 2026-12), "
            "without a folder",
        )
    eml = folder / f"{slug}.eml"
    if not eml.is_file() and (issues / f"{slug}.eml").is_file():  # a monthly issue: sent by its name
        eml = issues / f"{slug}.eml"
    if not eml.is_file():
        raise PublishingError(
            eml, "the newsletter is not built", hint="run 'invoke build --only newsletter' first (and check the slug)"
        )
    if not eml.resolve().is_relative_to(folder.resolve()):  # a link out of build/newsletters/
        raise PublishingError(
            eml,
            "the message is a link to a file outside build/newsletters/",
            hint="rebuild it with 'invoke build --only newsletter'",
        )
    return eml


def message_language(site: Site, slug: str, eml: Path, message) -> Site:
    """The site speaking the language of the message's source (an article's edition, an issue's
    'lang:'); a message whose Content-Language says otherwise was not built from it, and is refused."""
    from ...languages import primary_language
    from .issue import FOLDER, declared_language

    issue_source = site.folders.sources / FOLDER / f"{slug}.md"
    if eml.parent.name == "issues" and issue_source.is_file():
        tag = declared_language(issue_source) or site.settings.default_lang
    else:
        found = site.catalogue
        source = next((s for s in found.accepted if found.name(s) == slug), None)
        if source is None:
            raise PublishingError(
                eml, f"no article in {site.folders.sources.name}/ makes '{slug}'", hint="check the slug, then rebuild"
            )
        tag = found.editions.get(source) or site.settings.default_lang
    declared = str(message.get("Content-Language", "")).strip()
    if primary_language(declared or "?") != primary_language(tag):
        raise PublishingError(
            eml,
            f"the built message says it is in '{declared}', but its source is in '{tag}'",
            hint="rebuild it with 'invoke build --only newsletter' before sending",
        )
    return site.in_language(tag)


def proven_in_its_language(site: Site, slug: str, eml: Path, message) -> None:
    """Both parts of the message carry the safety text of its language, in words the clinic approved."""
    edition = message_language(site, slug, eml, message)
    verify_message(eml, edition, eml, message=message)  # raises unless both parts carry that language's blocks
    waiting = edition.blocks.awaiting_approval
    if waiting:
        raise PublishingError(
            eml,
            f"refusing to send: the {edition.language_name} safety text is "
            + "; ".join(f"{block.source.name} {block.why_unapproved()}" for block in waiting),
            hint=f"once the clinic has approved the words, run invoke approve-blocks --lang {edition.language} "
            '--by "Name", rebuild, and send again',
        )


# What the DKIM signature covers: what a reader sees and what identifies the message.
DKIM_HEADERS = (
    b"From",
    b"To",
    b"Subject",
    b"Date",
    b"Message-ID",
    b"MIME-Version",
    b"Content-Type",
    b"List-Unsubscribe",
    b"List-Unsubscribe-Post",
)


def dkim_signed(site: Site, data: bytes, domain: str) -> bytes:
    """The message with a DKIM-Signature in front, when the settings give a selector and a key file."""
    smtp = site.settings.smtp
    if not (smtp.dkim_selector or smtp.dkim_key_file):
        return data
    settings_path = site.settings.path
    if not (smtp.dkim_selector and smtp.dkim_key_file):
        raise PublishingError(
            settings_path,
            "DKIM signing needs both dkim_selector and dkim_key_file",
            hint="set both in [tool.publishing.smtp], or neither to send unsigned",
        )
    key_path = (site.folders.root / smtp.dkim_key_file).resolve()
    try:
        key = key_path.read_bytes()
    except OSError as error:
        raise PublishingError(
            key_path,
            f"cannot read the DKIM key: {error.strerror}",
            hint="check dkim_key_file in [tool.publishing.smtp]",
        ) from None
    import dkim

    try:
        signature = dkim.sign(
            data,
            smtp.dkim_selector.encode("ascii"),
            domain.encode("ascii"),
            key,
            include_headers=[
                h for h in DKIM_HEADERS if re.search(rb"(?im)^" + h + rb":", data.split(b"\r\n\r\n", 1)[0])
            ],
        )
    except (dkim.DKIMException, ValueError) as error:
        raise PublishingError(
            key_path,
            f"cannot sign the message with this DKIM key: {error}",
            hint="give a PEM RSA or Ed25519 private key",
        ) from None
    return signature + data
