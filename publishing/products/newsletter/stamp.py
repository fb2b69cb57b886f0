"""The message as it is sent: the built .eml, stamped when it leaves.

The built file is reproducible (its Date is its content's, its Message-ID a hash of both parts), so
it can be checked and compared. Sent as is, it would be dated in the past (filed months down the
inbox) and every send would share one Message-ID (Gmail silently drops the second). So `invoke send`
replaces those two headers, adds the envelope's To, and the proof then reads this stamped message,
not the file, before anything reaches the server.
"""

from __future__ import annotations

import datetime as dt
from email.utils import format_datetime, make_msgid
from pathlib import Path

from ...errors import PublishingError
from .message import BUILT_HEADERS, read_message_bytes

STAMPED = ("To", "Date", "Message-ID")
# What every sent message carries, each once (RFC 5322 asks for From and Date; Message-ID, Subject and
# the one-click unsubscribe headers are what inboxes require of bulk senders).
REQUIRED = ("From", "To", "Date", "Message-ID", "Subject", "MIME-Version", "Content-Type", "List-Unsubscribe")


def stamped(built: bytes, recipient: str, domain: str, now: dt.datetime | None = None) -> bytes:
    """``built`` with To, a Date of ``now`` (default: this moment) and a fresh Message-ID at ``domain``
    in front, in place of the built Date and Message-ID; the rest byte for byte as built."""
    when = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    head, separator, body = built.partition(b"\r\n\r\n")
    fields: list[bytes] = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:  # a folded line continues the field before it
            fields[-1] += b"\r\n" + line
        else:
            fields.append(line)
    replaced = {name.lower().encode("ascii") for name in STAMPED}
    kept = [field for field in fields if field.split(b":", 1)[0].strip().lower() not in replaced]
    stamp = [
        f"To: {recipient}".encode("ascii"),
        f"Date: {format_datetime(when, usegmt=True)}".encode("ascii"),
        f"Message-ID: {make_msgid(domain=domain)}".encode("ascii"),
    ]
    return b"\r\n".join(stamp + kept) + separator + body


def check_stamped(data: bytes, shown_as: Path):
    """The stamped message, parsed; refused unless it has every header a sent message needs, each once,
    and nothing but the built headers and To."""
    message = read_message_bytes(data)
    names = [name.title() for name in message.keys()]
    allowed = {name.title() for name in (*BUILT_HEADERS, "To")}
    missing = [name for name in REQUIRED if name.title() not in names]
    extra = sorted({name for name in names if name not in allowed or names.count(name) > 1})
    if missing or extra:
        raise PublishingError(
            shown_as,
            "refusing to send: the message as stamped for sending "
            + (f"lacks {', '.join(missing)}" if missing else f"has added or repeated headers ({', '.join(extra)})"),
            hint="rebuild it with 'invoke build --only newsletter' before sending",
        )
    return message
