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

from .build import Outcome, build_all
from .dates import long_date
from .errors import PublishingError
from .languages import direction
from .products import ALL_PRODUCTS, PRODUCTS, Product
from .site import Site, load_site


@dataclass
class Card:
    slug: str
    title: str
    source: str
    review: str
    review_status: str  # "ok", "due" or "none"
    grade: str
    products: dict[str, str] = field(default_factory=dict)  # label -> URL path
    thumbnail: str = ""  # URL of the picture on the card
    picture: str = ""  # URL of the file it pictures
    newsletter: str = ""
    id: str = ""  # the card's element id: article-<slug>, article-<slug>-<lang> for a translation
    lang: str = ""
    direction: str = "ltr"  # "rtl" for Farsi and Arabic: the card's title and text right to left
    language: str = ""  # "English", "Spanish"
    stale: str = ""  # a translation whose English source changed since it was translated: what to do
    target: str = ""  # the reading target, in the language's formula
    draft: str = ""  # its safety text awaits the clinic's approval: built, but not to print or send
    editions: list[Card] = field(default_factory=list)  # the translations, shown beside the original


@dataclass
class PreviewState:
    """What the page shows; replaced as a whole after each build, read by request threads."""

    generation: int = 0
    cards: list[Card] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    last_build: str = ""
    building: bool = False


class Preview:
    def __init__(self, root: Path, *, sources: str | None = None, out: str | None = None):
        self.root, self.sources_option, self.out_option = root, sources, out
        self._articles: dict = {}  # source -> (what it was loaded from, Article): converted only when changed
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
            self.state = PreviewState(
                generation=self.state.generation + 1,
                cards=cards,
                errors=errors,
                last_build=dt.datetime.now().strftime("%H:%M:%S"),
                building=False,
            )
        return outcomes

    def _cards(self) -> list[Card]:
        """One card per article, its translations beside it."""
        from .catalogue import load_articles

        try:
            articles, _ = load_articles(self.site, self._articles)  # errors are shown at the top
        except PublishingError:
            return []
        cards = {article.name: self._card(article) for article in articles}
        originals = {article.slug: cards[article.name] for article in articles if not article.edition}
        for article in articles:
            if article.edition and article.slug in originals:
                originals[article.slug].editions.append(cards[article.name])
        return [cards[a.name] for a in articles if not a.edition or a.slug not in originals]

    def _card(self, article) -> Card:
        from .article import source_version
        from .dates import add_months
        from .readability import article_reading

        out, settings = self.site.folders.out, self.site.settings
        today = dt.date.today()
        if article.last_reviewed and article.reviewed_version not in ("", article.version):
            review, status = f"Changed since its review on {long_date(article.last_reviewed)}", "due"
        elif article.last_reviewed:
            due = today > add_months(article.last_reviewed, settings.review_policy_months)
            review = f"Reviewed {long_date(article.last_reviewed)}" + (" (review overdue)" if due else "")
            status = "due" if due else "ok"
        else:
            review, status = "Not yet clinically reviewed", "none"
        score, target = article_reading(article), settings.reading_target(article.lang)
        stale = ""
        original = self.site.catalogue.original(article.source) if article.edition else None
        if original is not None and original.is_file() and source_version(original) != article.source_version:
            stale = (
                f"Stale: {original.name} changed since this translation (version {article.source_version}, now "
                f"{source_version(original)}). Update it, then run invoke translate {article.slug} "
                f"--lang {article.edition} --current"
            )
        card = Card(
            draft=_draft_notice(self.site.in_language(article.lang)),
            slug=article.slug,
            title=article.title,
            source=article.source.name,
            review=review,
            review_status=status,
            grade=f"{score.formula} {score.score:g}" if score is not None else "reading grade not measured",
            id=f"article-{article.slug}" + (f"-{article.edition}" if article.edition else ""),
            lang=article.lang,
            direction=direction(article.lang),
            language=self.site.in_language(article.lang).language_name,
            stale=stale,
            target=f"{target:g}" if target is not None else "none",
        )
        for product in PRODUCTS.values():
            for variant in product.variants:
                for number, file in enumerate(product.output_names(article.name, variant)):
                    if not (out / product.folder / file).is_file():
                        continue
                    url = f"/build/{product.folder}/{file}"
                    card.products[product.describe(file)] = url
                    if number == 0 and variant == product.default_variant and product.preview == "picture":
                        card.picture, card.thumbnail = url, f"/thumbnail/{product.folder}/{file}.png"
                    if number == 0 and variant == product.default_variant and product.preview == "frame":
                        card.newsletter = url
        return card

    def watch(self, stop: threading.Event) -> None:
        """Rebuild when anything under sources/ or layouts/ changes (watchfiles: no polling)."""
        import watchfiles

        watched = [str(self.site.folders.sources), str(self.site.folders.layouts)]
        for _changes in watchfiles.watch(
            *watched,
            stop_event=stop,
            debounce=200,
            step=50,
            watch_filter=lambda change, path: not Path(path).name.startswith("."),
        ):
            try:
                self.rebuild(jobs=1)
            except Exception:  # a bug: say so loudly, and keep watching (the page keeps the last build)
                import traceback

                traceback.print_exc()

    # --- serving ---------------------------------------------------------------------------------

    @staticmethod
    def hosted_folders() -> list[str]:
        """The folders of build/ a static host serves as they are (the web edition's)."""
        from .products import ALL_PRODUCTS

        return sorted({product.folder for product in ALL_PRODUCTS.values() if product.hosted})

    def index_html(self) -> str:
        from .templates import render

        with self.lock:
            state = self.state
        return render(
            self.site.folders.layouts,
            "preview/index.html",
            state=state,
            settings=self.site.settings,
            hosted=[f"/{folder}/" for folder in self.hosted_folders() if (self.site.folders.out / folder).is_dir()],
        )

    def thumbnail(self, relative: str) -> tuple[Product, bytes] | None:
        """The first page of a product file previewed as a picture, drawn by its product (``Product.thumbnail``),
        cached beside its modification time; None for any other file."""
        out = self.site.folders.out.resolve()
        file = (out / relative).resolve()
        product = owner(out, file)
        if product is None or product.preview != "picture" or not file.is_file():
            return None
        key = (str(file), file.stat().st_mtime_ns)
        cached = _thumbnails.get(key)
        if cached is None:
            cached = _thumbnails[key] = product.thumbnail(file)
        return product, cached


def owner(out: Path, file: Path) -> Product | None:
    """The product whose file ``file`` (in build/, resolved) is: in its folder, with one of its endings."""
    if not file.is_relative_to(out):
        return None
    folder = file.parent.relative_to(out).as_posix()
    return next((p for p in ALL_PRODUCTS.values() if p.folder == folder and file.suffix in p.suffixes), None)


_thumbnails: dict[tuple[str, int], bytes] = {}


def addressed_to_itself(host: str | None, port: int) -> bool:
    """Whether a request's Host names this preview as this machine does (never a name a page elsewhere
    pointed at 127.0.0.1: DNS rebinding)."""
    return (host or "").strip().lower() in {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}


class UnanswerableRequest(Exception):
    """A request the preview answers with an error status and a sentence, never a traceback."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


def _draft_notice(site) -> str:
    """What the card says while the language's safety text is not approved: a draft, not for patients."""
    try:
        waiting = site.blocks.awaiting_approval
    except PublishingError:
        return ""  # shown at the top of the page with the build's errors
    if not waiting:
        return ""
    names = ", ".join(f"sources/_required/{block.source.parent.name}/{block.source.name}" for block in waiting)
    if site.is_default_language:
        names = ", ".join(f"sources/_required/{block.source.name}" for block in waiting)
    return (
        f"Draft: the {site.language_name} safety text ({names}) is not approved by the clinic. Do not print or "
        f"send these products: invoke check fails and invoke send refuses them until the clinic approves the "
        f'words (invoke approve-blocks --lang {site.language} --by "Name").'
    )


def make_handler(preview: Preview):
    out = preview.site.folders.out

    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "ClinicPreview"

        def do_GET(self):  # noqa: N802 (the standard library's name)
            # A page elsewhere may make the staff's browser ask for this one by a name of its own (DNS
            # rebinding): only this machine's own names for the server are answered.
            if not addressed_to_itself(self.headers.get("Host"), self.server.server_address[1]):  # type: ignore[index,arg-type]
                return self._send(421, b"this preview answers only to 127.0.0.1, localhost or [::1]", "text/plain")
            try:
                self._answer()
            except UnanswerableRequest as refused:
                self._send(refused.status, refused.reason.encode(), "text/plain; charset=utf-8")

        def _answer(self) -> None:
            try:
                path = unquote(urlsplit(self.path).path, errors="strict")
            except (UnicodeDecodeError, ValueError):
                raise UnanswerableRequest(400, "the address is not valid UTF-8") from None
            if "\x00" in path or any(part.startswith(".") for part in path.split("/")[1:]):
                raise UnanswerableRequest(400, "not a page of the preview")
            if path in ("/", "/index.html"):
                return self._send(200, preview.index_html().encode(), "text/html; charset=utf-8")
            if path == "/status":
                with preview.lock:
                    body = {"generation": preview.state.generation, "building": preview.state.building}
                return self._send(200, json.dumps(body).encode(), "application/json")
            if path.startswith("/thumbnail/") and path.endswith(".png"):
                return self._send(*_thumbnail(preview, path[len("/thumbnail/") : -4]))
            if path.startswith("/build/"):
                found = _built_file(out, path[len("/build/") :])
                if found is not None:
                    return self._send(*found)
            for folder in preview.hosted_folders():  # as a host serves it: the folder at its root
                if path.startswith(f"/{folder}/"):
                    found = _built_file(out / folder, path[len(folder) + 2 :])
                    if found is not None:
                        return self._send(*found)
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


def _thumbnail(preview: Preview, name: str) -> tuple[int, bytes, str]:
    """The answer to /thumbnail/<name>.png: the first page of a product previewed as a picture, drawn."""
    try:
        found = preview.thumbnail(name)
    except (OSError, ValueError) as error:  # a damaged or half-copied file
        out = preview.site.folders.out.resolve()
        product = owner(out, (out / name).resolve())
        what = product.name if product else "file"
        why = str(error) if isinstance(error, ValueError) else f"{type(error).__name__}: {error}"
        raise UnanswerableRequest(500, f"the {what} cannot be drawn ({why}); rebuild it") from None
    if found is None:
        return 404, b"no such picture", "text/plain"
    return 200, found[1], "image/png"


def _built_file(out: Path, relative: str) -> tuple[int, bytes, str] | None:
    """The answer to /build/<relative>: a product in build/ (never outside it, never a hidden file)."""
    file = (out / relative).resolve()
    if file.is_dir() and relative.endswith("/") or not relative:  # a folder of the web edition: its page
        file = file / "index.html"
    if file.is_relative_to(out.resolve()) and file.is_file() and not file.name.startswith("."):
        product = owner(out.resolve(), file)
        kind = (product.content_type(file.name) if product else None) or mimetypes.guess_type(file.name)[0] or ""
        kind = kind or "application/octet-stream"
        if kind.startswith("text/") and "charset" not in kind:
            kind += "; charset=utf-8"  # every text file the pipeline writes is UTF-8
        try:
            content = file.read_bytes()
        except OSError:  # replaced by a build at this moment
            raise UnanswerableRequest(503, "being rebuilt; reload in a moment") from None
        return 200, content, kind
    return None


def serve(
    root: Path, *, port: int = 8000, sources: str | None = None, out: str | None = None, jobs: int = 1, announce=print
) -> None:
    preview = Preview(root, sources=sources, out=out)
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
