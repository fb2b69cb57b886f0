"""`invoke fetch-images <slug>`: the one command that uses the network, on purpose, at writing time.

Every remote image an article links (Markdown or HTML, http or https) is downloaded once, with
a size limit and a timeout, accepted only as an image (by its content type), never through a
redirect to another scheme; saved under sources/images/ with a name made from its address
(the same address always gives the same file); and the article's links are rewritten to the
saved files. A build never fetches anything.
"""

from __future__ import annotations

import hashlib
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .errors import PublishingError, PublishingErrors

MAX_BYTES = 10_000_000
TIMEOUT_SECONDS = 20
TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp", "image/svg+xml": ".svg"}


@dataclass(frozen=True)
class Fetched:
    url: str
    path: Path
    size: int
    media_type: str


class _SameSchemesOnly(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to another http(s) address."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise urllib.error.URLError(f"redirected to {newurl}, which is not an http(s) address")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_images(site, slug: str) -> tuple[list[Fetched], Path]:
    """Fetch every remote image of the article ``slug``, save it, relink it; return what was fetched."""
    from . import markup
    from .frontmatter import read_source

    found = site.catalogue
    source = next((s for s in found.sources if found.slugs[s] == slug or s.stem == slug), None)
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
    opener = urllib.request.build_opener(_SameSchemesOnly)
    folder = site.folders.sources / "images"
    fetched: list[Fetched] = []
    errors: list[PublishingError] = []
    for url in remote:
        try:
            fetched.append(_fetch(opener, url, folder))
        except PublishingError as error:
            errors.append(PublishingError(source, error.message, hint=error.hint))
    if fetched:
        text = source.read_text(encoding="utf-8")
        for item in fetched:
            relative = os.path.relpath(item.path, source.parent).replace(os.sep, "/")
            text = text.replace(item.url, relative)
        temporary = source.with_name(f".{source.name}.tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, source)
    PublishingErrors.raise_if_any(errors)
    return fetched, source


def _fetch(opener, url: str, folder: Path) -> Fetched:
    request = urllib.request.Request(
        url, headers={"User-Agent": "clinic-publishing fetch-images", "Accept": ", ".join(TYPES)}
    )
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            media_type = response.headers.get_content_type()
            if media_type not in TYPES:
                raise PublishingError(
                    None,
                    f"'{url}' is not an image (the server says {media_type})",
                    hint="link the image itself, not the page that shows it",
                )
            data = response.read(MAX_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise PublishingError(
            None,
            f"could not fetch '{url}': {reason}",
            hint="check the address, or save the image yourself under sources/images/",
        ) from None
    if len(data) > MAX_BYTES:
        raise PublishingError(
            None,
            f"'{url}' is over {MAX_BYTES // 1_000_000} MB",
            hint="save a smaller copy under sources/images/ and link that",
        )
    stem = re.sub(r"[^a-z0-9]+", "-", Path(urlsplit(url).path).stem.lower()).strip("-") or "image"
    name = f"{stem[:40]}-{hashlib.sha256(url.encode()).hexdigest()[:8]}{TYPES[media_type]}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    temporary = folder / f".{name}.tmp"
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return Fetched(url, path, len(data), media_type)
