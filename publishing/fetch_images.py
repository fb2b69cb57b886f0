"""`invoke fetch-images <slug>`: the one command that uses the network, on purpose, at writing time.

Every remote image an article links (Markdown or HTML, http or https) is downloaded once and
relinked to its saved copy under sources/images/ (the same address always gives the same file).
A page pasted from anywhere can name any address, so each hop is guarded (netaddress.py): its
host is resolved and every address it resolves to must be a public one (never loopback, private,
link-local, cloud metadata, multicast or reserved, however it is spelled) before any connection,
and the connection goes to the address that was checked, so a second DNS answer cannot turn it
inward. Redirects are followed by hand, through the same check, at most MAX_REDIRECTS. One
image gets TOTAL_SECONDS in all (a server that sends a byte every few seconds is cut off), at
most MAX_BYTES, and is kept only if its bytes decode as a picture (images.py): what the server's
Content-Type says is never trusted. A build never fetches anything.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .errors import PublishingError, PublishingErrors
from .netaddress import Download, download

MAX_BYTES = 10_000_000
TOTAL_SECONDS = 30.0  # per image, connection, redirects, headers and body together
MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp"}
MEDIA_TYPES[".svg"] = "image/svg+xml"


@dataclass(frozen=True)
class Fetched:
    url: str
    path: Path
    size: int
    media_type: str


def fetch_images(
    site, slug: str, *, total_seconds: float = TOTAL_SECONDS, allowed_origin: tuple[str, int] | None = None
) -> tuple[list[Fetched], Path]:
    """Fetch every remote image of the article ``slug``, save it, relink it; return what was fetched.

    ``allowed_origin`` (host, port) lets tests fetch from their own server on 127.0.0.1; the command
    never sets it, and every other loopback address stays refused, redirects included."""
    from . import markup
    from .frontmatter import read_source

    found = site.catalogue
    source = next((s for s in found.accepted if found.slugs[s] == slug or s.stem == slug), None)
    if source is None:
        raise PublishingError(
            site.folders.sources,
            f"no article with the slug '{slug}'",
            hint=f"choose from {', '.join(sorted(found.slugs.values())) or '(none)'}",
        )
    body = read_source(source).body
    remote = [
        src for src in dict.fromkeys(markup.to_html(body).image_sources) if urlsplit(src).scheme in ("http", "https")
    ]
    folder = site.folders.sources / "images"
    fetched: list[Fetched] = []
    errors: list[PublishingError] = []
    for url in remote:
        try:
            got = download(url, MAX_BYTES, total_seconds, allowed_origin)
            fetched.append(_save(got, folder))
        except PublishingError as error:
            errors.append(PublishingError(source, error.message, hint=error.hint))
    if fetched:
        text = source.read_text(encoding="utf-8")
        for item in fetched:
            relative = os.path.relpath(item.path, source.parent).replace(os.sep, "/")
            text = text.replace(item.url, relative)
        _write_atomically(source, text.encode("utf-8"))
    PublishingErrors.raise_if_any(errors)
    return fetched, source


def _save(got: Download, folder: Path) -> Fetched:
    from .images import ImageProblem, image_kind

    try:
        suffix = image_kind(got.data)
    except ImageProblem as problem:
        said = f" (the server said {got.media_type})" if got.media_type else ""
        raise PublishingError(
            None,
            f"'{got.url}' {problem}{said}",
            hint="link the image itself, not the page that shows it, or save it yourself under sources/images/",
        ) from None
    stem = re.sub(r"[^a-z0-9]+", "-", Path(urlsplit(got.url).path).stem.lower()).strip("-") or "image"
    name = f"{stem[:40]}-{hashlib.sha256(got.url.encode()).hexdigest()[:8]}{suffix}"
    path = folder / name
    _write_atomically(path, got.data)
    return Fetched(got.url, path, len(got.data), MEDIA_TYPES[suffix])


def _write_atomically(path: Path, data: bytes) -> None:
    """Write beside the file and rename: a full disk or a read-only folder leaves the old file as it was."""
    from .files import CANNOT_WRITE, cannot_write, remove_quietly

    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError as error:
        remove_quietly(temporary)
        if error.errno not in CANNOT_WRITE:
            raise
        raise cannot_write(path, error, "the sources folder") from None
