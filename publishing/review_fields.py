"""A review is a record of one version: ``last_reviewed``, ``medical_reviewer`` and
``reviewed_version`` in the front matter, and the version mark they are compared with.

The version mark identifies the clinical content: the source's bytes without the review fields'
lines, so recording a review (by hand or with `invoke review`) does not change the version it
records, and any other edit does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import PublishingError

REVIEW_KEYS = ("last_reviewed", "medical_reviewer", "reviewed_version")
# A review field's line in the front matter, and the indented lines that continue it.
_KEYS = b"|".join(key.encode() for key in REVIEW_KEYS)
_FIELD = re.compile(rb"^(?:" + _KEYS + rb")[ \t]*:.*(?:\r?\n[ \t]+.*)*\r?\n?", re.M)
_FRONT = re.compile(rb"\A(?:\xef\xbb\xbf)?---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


@dataclass(frozen=True)
class Reviewer:
    name: str
    credentials: str = ""

    def __str__(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


@dataclass(frozen=True)
class Review:
    last_reviewed: dt.date | None = None
    reviewer: Reviewer | None = None
    version: str = ""  # the version the review covered; "" when the review does not say


def content_version(data: bytes) -> str:
    """The version mark of a source: the first 7 hex digits of the SHA-256 of its bytes, its review
    fields' lines left out (a source without them: the SHA-256 of its exact bytes)."""
    front = _FRONT.match(data)
    if front and front.group(1):
        start, end = front.span(1)
        data = data[:start] + _FIELD.sub(b"", data[start:end]) + data[end:]
    return hashlib.sha256(data).hexdigest()[:7]


def review_fields(meta: dict, fail) -> Review:
    """The review the front matter records; each mistake reported through ``fail(key, message, hint)``."""
    last_reviewed = meta.get("last_reviewed")
    if last_reviewed is not None:
        if isinstance(last_reviewed, dt.datetime):
            last_reviewed = last_reviewed.date()
        if not isinstance(last_reviewed, dt.date):
            fail(
                "last_reviewed",
                f"'last_reviewed' is not a date: {last_reviewed!r}",
                "write it as YYYY-MM-DD, for example 2026-05-04",
            )
            last_reviewed = None
    version = meta.get("reviewed_version")
    if version is not None:
        if not isinstance(version, str) or not re.fullmatch(r"[0-9a-f]{7}", version.strip()):
            fail(
                "reviewed_version",
                f"'reviewed_version' is not a version mark: {version!r}",
                'write the 7 characters printed after "Version" on the handout, in quotes '
                '(or run invoke review <slug> --by "Name, credentials")',
            )
            version = ""
        elif last_reviewed is None and "last_reviewed" not in meta:
            fail("reviewed_version", "'reviewed_version' without 'last_reviewed'", "add the date of the review")
    return Review(last_reviewed, _reviewer(meta.get("medical_reviewer"), fail), (version or "").strip())


def _reviewer(value, fail) -> Reviewer | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip():
        return Reviewer(name=value.strip())
    if isinstance(value, dict) and set(value) <= {"name", "credentials"} and isinstance(value.get("name"), str):
        return Reviewer(name=value["name"].strip(), credentials=str(value.get("credentials") or "").strip())
    fail(
        "medical_reviewer",
        "'medical_reviewer' must have a name (and optionally credentials)",
        "write it as {name: Jane Doe, credentials: MD}",
    )
    return None


def reviewer_from(by: str) -> Reviewer:
    """--by "Jane Doe, MD" -> Jane Doe, credentials MD (the first comma separates them)."""
    name, _, credentials = (part.strip() for part in by.partition(","))
    if not name or re.search(r"[\r\n\x00-\x1f{}\[\]\"]", by):
        raise PublishingError(
            None, f"--by {by!r} is not a reviewer's name", hint='give it as --by "Name, credentials", in quotes'
        )
    return Reviewer(name, credentials)


def with_review(path: Path, reviewer: Reviewer, on: dt.date) -> tuple[str, str]:
    """The source's text with a review of its current version recorded (any earlier review replaced),
    and that version."""
    data = path.read_bytes()
    front = _FRONT.match(data)
    if front is None:
        raise PublishingError(path, "the article has no front matter", line=1, hint="restore its '---' lines")
    version = content_version(data)
    if front.group(1):
        start, end = front.span(1)
    else:  # an empty front matter: the review goes between its two lines
        start = end = data.index(b"\n") + 1
    newline = b"\r\n" if b"\r\n" in data[: front.end()] else b"\n"
    kept = _FIELD.sub(b"", data[start:end])
    who = f"name: {_quoted(reviewer.name)}"
    if reviewer.credentials:
        who += f", credentials: {_quoted(reviewer.credentials)}"
    who = "{" + who + "}"
    lines = [f"last_reviewed: {on.isoformat()}", f"medical_reviewer: {who}", f'reviewed_version: "{version}"']
    added = newline.join(line.encode("utf-8") for line in lines) + newline
    updated = data[:start] + kept + added + data[end:]
    assert content_version(updated) == version  # recording a review never changes the version it records
    return updated.decode("utf-8-sig" if updated.startswith(b"\xef\xbb\xbf") else "utf-8"), version


def _quoted(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


@dataclass(frozen=True)
class Recorded:
    path: Path
    version: str
    on: dt.date
    by: Reviewer
    previous: str  # the review it replaces ("2026-05-04, version 2a85ac4"), or ""


def record_review(site, slug: str, by: str, date: str | None) -> Recorded:
    """`invoke review`: write the review of the article ``slug`` (a translation: ``slug.es``) as it reads now."""
    from .files import replace_file
    from .frontmatter import read_source

    try:
        on = dt.date.fromisoformat(date) if date else dt.date.today()
    except ValueError:
        raise PublishingError(None, f"--date must be YYYY-MM-DD, not {date!r}") from None
    if on > dt.date.today():
        raise PublishingError(None, f"--date {on} is in the future", hint="give the day the review took place")
    reviewer = reviewer_from(by)
    found = site.catalogue
    path = next((s for s in found.accepted if found.name(s) == slug), None)
    if path is None:
        names = sorted(found.name(s) for s in found.accepted)
        raise PublishingError(
            site.folders.sources, f"no article named '{slug}'", hint=f"choose from {', '.join(names) or '(none)'}"
        )
    before = review_fields(read_source(path).metadata, lambda *_: None)
    previous = ""
    if before.last_reviewed:
        previous = f"{before.last_reviewed}" + (f", version {before.version}" if before.version else "")
    text, version = with_review(path, reviewer, on)
    replace_file(path, text)
    return Recorded(path, version, on, reviewer, previous)
