"""`invoke serve`: build, serve build/ on 127.0.0.1 with an index page, rebuild what changes.

The index page is for staff: one card per article with its review status, reading
grade, a thumbnail of the handout's first page, links to every product and the
newsletter at desktop and phone width. A build error is shown with its path:line
while the previous products stay available (builds replace files atomically).
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import mimetypes
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .build import PRODUCTS, Outcome, build_all, discover
from .errors import PublishingError
from .site import Site, load_site


@dataclass
class Card:
    slug: str
    title: str
    source: str
    review: str
    review_status: str           # "ok", "due" or "none"
    grade: str
    products: dict[str, str] = field(default_factory=dict)   # label -> URL path
    thumbnail: str = ""
    newsletter: str = ""


@dataclass
class PreviewState:
    """What the page shows; replaced as a whole after each build, read by request threads."""

    generation: int = 0
    cards: list[Card] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    last_build: str = ""
    building: bool = False


class Preview:
    def __init__(self, root: Path, *, sources: str | None = None, out: str | None = None, jobs: int = 1):
        self.root, self.sources_option, self.out_option, self.jobs = root, sources, out, jobs
        self.state = PreviewState()
        self.lock = threading.Lock()
        self.site: Site = load_site(root, sources=sources, out=out)

    # --- building --------------------------------------------------------------------------------

    def rebuild(self, *, jobs: int = 1) -> list[Outcome]:
        """Build what changed; keep the previous products when something fails."""
        with self.lock:
            self.state.building = True
        errors: list[str] = []
        outcomes: list[Outcome] = []
        try:
            self.site = load_site(self.root, sources=self.sources_option, out=self.out_option)  # settings may change
            outcomes = build_all(self.site, list(PRODUCTS), jobs=jobs)
            for outcome in outcomes:
                if outcome.error and outcome.error not in errors:
                    errors.append(outcome.error)
        except PublishingError as error:
            errors.append(str(error))
        cards = self._cards()
        with self.lock:
            self.state = PreviewState(generation=self.state.generation + 1, cards=cards, errors=errors,
                                      last_build=dt.datetime.now().strftime("%H:%M:%S"), building=False)
        return outcomes

    def _cards(self) -> list[Card]:
        from .article import load_article
        from .readability import flesch_kincaid_grade, prose_of
        cards = []
        out = self.site.project.out
        try:
            sources = discover(self.site.project.sources)
        except PublishingError:
            return []
        for source in sources:
            try:
                article = load_article(source, self.site.settings, self.site.project.sources)
            except PublishingError:
                continue  # its error is shown at the top; its previous products are still listed below
            if article.last_reviewed:
                age = (dt.date.today() - article.last_reviewed).days / 30.44
                due = age > self.site.settings.review_policy_months
                review, status = f"Reviewed {article.last_reviewed:%B} {article.last_reviewed.day}, " \
                                 f"{article.last_reviewed.year}", "due" if due else "ok"
                if due:
                    review += " (review overdue)"
            else:
                review, status = "Not yet clinically reviewed", "none"
            grade = flesch_kincaid_grade(prose_of(article.body_html))
            card = Card(slug=article.slug, title=article.title, source=str(source.name), review=review,
                        review_status=status, grade=f"{grade:g}" if grade is not None else "n/a")
            for name, module in PRODUCTS.items():
                for file in module.output_names(article):
                    if (out / module.FOLDER / file).is_file():
                        card.products[_label(file)] = f"/build/{module.FOLDER}/{file}"
            if "PDF handout" in card.products:
                card.thumbnail = f"/thumbnail/{article.slug}.png"
            card.newsletter = card.products.get("Newsletter (HTML)", "")
            cards.append(card)
        return cards

    def watch(self, stop: threading.Event) -> None:
        """Rebuild when anything under sources/ or layouts/ changes (watchfiles: no polling)."""
        import watchfiles
        watched = [str(self.site.project.sources), str(self.site.project.layouts)]
        for _changes in watchfiles.watch(*watched, stop_event=stop, debounce=200, step=50,
                                         watch_filter=lambda change, path: not Path(path).name.startswith(".")):
            try:
                self.rebuild(jobs=1)
            except Exception:  # a bug: say so loudly, and keep watching (the page keeps the last build)
                import traceback
                traceback.print_exc()

    # --- serving ---------------------------------------------------------------------------------

    def index_html(self) -> str:
        from .templates import render
        with self.lock:
            state = self.state
        return render(self.site.project.layouts, "preview/index.html", state=state,
                      settings=self.site.settings)

    def thumbnail(self, slug: str) -> bytes | None:
        """The handout's first page as PNG (pypdfium2), cached beside the PDF's modification time."""
        pdf = self.site.project.out / "handouts" / f"{slug}.pdf"
        if not pdf.is_file():
            return None
        key = (str(pdf), pdf.stat().st_mtime_ns)
        cached = _thumbnails.get(key)
        if cached is None:
            import io

            import pypdfium2
            document = pypdfium2.PdfDocument(str(pdf))
            try:
                image = document[0].render(scale=0.5).to_pil()
            finally:
                document.close()
            buffer = io.BytesIO()
            image.save(buffer, format="PNG", optimize=True)
            cached = _thumbnails[key] = buffer.getvalue()
        return cached


_thumbnails: dict[tuple[str, int], bytes] = {}


def _label(file_name: str) -> str:
    suffix = Path(file_name).suffix
    if ".large-print" in file_name:
        return "Large-print handout"
    if ".print-shop" in file_name:
        return "Print-shop handout"
    return {".pdf": "PDF handout", ".epub": "EPUB guide", ".html": "Newsletter (HTML)",
            ".txt": "Newsletter (plain text)", ".eml": "Newsletter (.eml)"}.get(suffix, file_name)


def make_handler(preview: Preview):
    out = preview.site.project.out

    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "ClinicPreview"

        def do_GET(self):  # noqa: N802 (the standard library's name)
            path = unquote(urlsplit(self.path).path)
            if path in ("/", "/index.html"):
                return self._send(200, preview.index_html().encode(), "text/html; charset=utf-8")
            if path == "/status":
                with preview.lock:
                    body = {"generation": preview.state.generation, "building": preview.state.building}
                return self._send(200, json.dumps(body).encode(), "application/json")
            if path.startswith("/thumbnail/") and path.endswith(".png"):
                data = preview.thumbnail(path[len("/thumbnail/"):-4])
                return self._send(200, data, "image/png") if data else self._send(404, b"no handout", "text/plain")
            if path.startswith("/build/"):
                file = (out / path[len("/build/"):]).resolve()
                if file.is_relative_to(out.resolve()) and file.is_file() and not file.name.startswith("."):
                    kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                    if file.suffix in (".txt", ".html"):
                        kind += "; charset=utf-8"
                    if file.suffix == ".eml":
                        kind = "text/plain; charset=utf-8"
                    return self._send(200, file.read_bytes(), kind)
            return self._send(404, b"not found", "text/plain")

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass  # the terminal shows builds, not every request

    return Handler


def serve(root: Path, *, port: int = 8000, sources: str | None = None, out: str | None = None,
          jobs: int = 1, announce=print) -> None:
    preview = Preview(root, sources=sources, out=out, jobs=jobs)
    preview.rebuild(jobs=jobs)  # before any thread starts, so the worker pool may fork safely
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), make_handler(preview))
    stop = threading.Event()
    watcher = threading.Thread(target=preview.watch, args=(stop,), daemon=True)
    watcher.start()
    announce(f"Preview at http://127.0.0.1:{server.server_port}/  (watching sources/ and layouts/; Ctrl+C stops)")
    for error in preview.state.errors:
        announce(error)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
        time.sleep(0.1)
