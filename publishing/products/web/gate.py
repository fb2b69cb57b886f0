"""What `invoke check` verifies of the web edition as a whole: every address the products send a reader
to (the handout's QR code, the newsletter's "Read the guide" and "read online") that lies inside the
site lands on a page built in build/site/, and every page passes vnu (one Java process for them all)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from ...row import Row

VNU = Path("node_modules/vnu-jar/build/dist/vnu.jar")  # in the project: `./install` puts it there


def addresses(site) -> list[str]:
    """Every address online the products of this library print or link, in the order first met."""
    from ..newsletter.issue import discover_issues

    settings, found = site.settings, site.catalogue
    seen: dict[str, None] = {}
    for source in found.accepted:
        address = settings.article_web_address(found.slugs[source], found.editions.get(source, ""))
        if address:
            seen.setdefault(address)
    if settings.web_address:
        for path in discover_issues(site.folders.sources):
            seen.setdefault(issue_address(settings, path.stem))
    return list(seen)


def issue_address(settings, name: str) -> str:
    """A newsletter issue's web view, where the clinic gave its web address (else "")."""
    return f"{settings.web_address.rstrip('/')}/issues/{name}/" if settings.web_address else ""


def page_of(site, address: str) -> Path | None:
    """The file in build/site/ an address inside the site is served from; None: outside the site."""
    web = site.settings.web_address.rstrip("/")
    if not web or not (address == web or address.startswith(web + "/")):
        return None
    path = address[len(web) :].split("#")[0].split("?")[0].strip("/")
    target = site.folders.out / "site" / path
    return target / "index.html" if not target.suffix else target


def address_row(site) -> Row | None:
    """Each address inside the site lands on a built page; those outside it are named, not checked."""
    found = addresses(site)
    if not found:
        return None
    inside = [(address, page) for address in found if (page := page_of(site, address)) is not None]
    missing = [address for address, page in inside if not page.is_file()]
    outside = [address for address in found if page_of(site, address) is None]
    if missing:
        return Row(
            "(web edition)",
            "web",
            "links land",
            "fail",
            f"{len(missing)} address(es) the products link have no page in build/site/: {', '.join(missing)}; "
            "run 'invoke build'",
        )
    detail = f"{len(inside)} address(es) the products link land on pages in build/site/"
    if outside:
        detail += f"; {len(outside)} outside the site cannot be checked here: {', '.join(outside)}"
    return Row("(web edition)", "web", "links land", "pass", detail)


def vnu_row(site) -> Row | None:
    """vnu on every page of build/site/, in one Java process: 0 errors."""
    pages = sorted((site.folders.out / "site").rglob("*.html"))
    if not pages:
        return None
    # The project's own, else the one beside this pipeline (a project copied without node_modules/).
    jar = next((j for j in (site.folders.root / VNU, Path(__file__).parents[3] / VNU) if j.is_file()), VNU)
    java = shutil.which("java")
    if java is None or not jar.is_file():
        why = "Java is not installed" if java is None else f"{VNU} is missing"
        return Row("(web edition)", "web", "vnu", "fail", f"not run: {why}; run ./install --test")
    result = subprocess.run(
        [java, "-jar", str(jar), "--format", "json", "--exit-zero-always", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    try:
        messages = json.loads(result.stderr)["messages"]
    except (ValueError, KeyError):
        return Row("(web edition)", "web", "vnu", "fail", f"vnu gave no result: {result.stderr.strip()[:200]}")
    errors = [m for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]
    if errors:
        first = errors[0]
        where = Path(first.get("url", "").removeprefix("file:")).name
        return Row(
            "(web edition)",
            "web",
            "vnu",
            "fail",
            f"{len(errors)} error(s); the first, in {where} line {first.get('lastLine', '?')}: {first.get('message')}",
        )
    return Row("(web edition)", "web", "vnu", "pass", f"{len(pages)} page(s), 0 errors (one Java process)")
