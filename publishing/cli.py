"""What the invoke tasks do, with their terminal output. tasks.py only parses options."""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from .characters import printable
from .errors import PublishingError, shown_path


def _several(outcomes) -> dict[str, int]:
    """The subjects of products of several articles (the newsletter issues), counted by product: only
    those with a source of their own (the web edition's index pages are the library's)."""
    from .products import ALL_PRODUCTS

    subjects: dict[str, set] = {}
    for outcome in outcomes:  # one pass: a library's outcomes are thousands (a pass per outcome was seconds)
        if not ALL_PRODUCTS[outcome.product].per_article and outcome.source.is_file():
            subjects.setdefault(outcome.product, set()).add(outcome.source)
    return {name: len(sources) for name, sources in subjects.items()}


def build(
    root: Path,
    *,
    sources: str | None,
    out: str | None,
    only: str | None,
    variant: str | None = None,
    jobs: int = 0,
    force: bool = False,
) -> int:
    """Build the products; print one line per product; return the exit code."""
    from .folders import Folders
    from .unchanged import Survey, answer

    folders, options = Folders.at(root, sources=sources, out=out), {"only": only, "variant": variant}
    if not force and (said := answer(folders, options)) is not None:
        print(said)  # nothing a build reads changed since a build found everything up to date
        return 0
    from .build import build_all, parse_only
    from .site import load_site
    from .state import BuildState

    state = BuildState.load(folders.out)  # read once: the survey names its pictures, the build goes on from it
    survey = Survey(folders, options, state.pictures_and_reads())
    site = load_site(root, sources=sources, out=out)
    products = parse_only(only)
    if variant is not None:
        from .products import PRODUCTS

        known = [v for name in products for v in PRODUCTS[name].variants]
        if variant not in known:
            raise PublishingError(None, f"unknown variant '{variant}'", hint=f"choose {', '.join(known)}")

    from .report import for_terminal

    report = for_terminal()
    outcomes = build_all(
        site,
        products,
        variant=variant,
        jobs=jobs or os.cpu_count() or 1,
        force=force,
        state=state,
        on_start=report.start,
        on_outcome=report.outcome,
    )
    report.finish(outcomes)
    code, nothing_to_do = _summary(site, outcomes)
    if nothing_to_do:
        survey.note(nothing_to_do)
    return code


def _summary(site, outcomes) -> tuple[int, str | None]:
    """Print the build's last line; return its exit code, and that line when there was nothing to do."""
    from .products import ALL_PRODUCTS

    failures = [o for o in outcomes if not o.ok]
    of_articles = [o for o in outcomes if ALL_PRODUCTS[o.product].per_article]
    articles = len({o.source for o in of_articles})
    several = _several(outcomes)
    made_from = f"{articles} article(s)" + "".join(f" and {count} {name}(s)" for name, count in several.items())
    if not of_articles:
        print(f"no articles in {shown_path(site.folders.sources)}", file=sys.stderr)
        return 1, None
    if failures:
        failed_articles = len({o.source for o in failures if ALL_PRODUCTS[o.product].per_article})
        what = [
            *([f"{failed_articles} of {articles} article(s)"] if failed_articles else []),
            *(
                f"{failed} of {count} {name}(s)"
                for name, count in several.items()
                if (failed := len({o.source for o in failures if o.product == name}))
            ),
        ]
        print(
            f"{' and '.join(what or [f'{len(failures)} product(s)'])} failed; the others were built.", file=sys.stderr
        )
        return 1, None
    up_to_date = sum(o.up_to_date for o in outcomes)
    if up_to_date == len(outcomes):
        said = f"Nothing to do: all {len(outcomes)} product(s) of {made_from} are up to date (--force rebuilds them)."
        print(said)
        return 0, said
    print(f"{len(outcomes) - up_to_date} product(s) built and verified, {up_to_date} up to date, from {made_from}.")
    return 0, None


def check(root: Path, *, sources: str | None, out: str | None, strict: bool, fresh: bool = False) -> int:
    """Verify build/ and the sources; print the table, write build/check.json; return the exit code."""
    from .gate import failed, run_checks, write_json
    from .gate.needs import missing_tools
    from .report import check_progress
    from .site import load_site

    missing = missing_tools()  # before anything: never a PASS for what could not be checked
    for problem in missing:
        print(f"error: {problem}", file=sys.stderr)
    if missing:
        print("Nothing was checked: the gate refuses to vouch for build/ without its validators.", file=sys.stderr)
        return 2
    site = load_site(root, sources=sources, out=out)
    checked = run_checks(site, fresh=fresh, progress=check_progress())
    rows = checked.rows
    cells = [[printable(getattr(row, column)) for column in ("article", "product", "check", "detail")] for row in rows]
    widths = [max((len(cell[column]) for cell in cells), default=0) for column in range(3)]
    for row, (article, product, check_name, detail) in zip(rows, cells, strict=True):
        # Every cell escaped: an article's name comes from its file name, which may hold escape codes.
        print(
            f"{row.status.upper():4}  {article:{widths[0]}}  {product:{widths[1]}}  {check_name:{widths[2]}}  {detail}"
        )
    write_json(rows, site.folders.out / "check.json", strict=strict)
    bad = failed(rows, strict=strict)
    print(
        ("FAILED" if bad else "passed") + f": {sum(r.status == 'fail' for r in rows)} failure(s), "
        f"{sum(r.status == 'warn' for r in rows)} warning(s)"
        + (" (--strict)" if strict else "")
        + f"; details in {shown_path(site.folders.out / 'check.json')}"
    )
    total = checked.reused + checked.checked
    if checked.reused == total and total:
        print(f"All {total} checks reused from the last run: nothing they read has changed (--fresh checks again).")
    elif checked.reused:
        print(f"{checked.checked} of {total} checks made; {checked.reused} reused (nothing they read changed).")
    for note in checked.notes:
        print(note, file=sys.stderr)
    return 1 if bad else 0


def run(task, *args, **kwargs) -> int:
    """Run a task body; a user mistake prints 'path:line: error: ...' and no traceback."""
    from .characters import EscapingStream

    # Whatever a message carries from a file name or a title, the terminal prints it, never obeys it.
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = EscapingStream(sys.stdout), EscapingStream(sys.stderr)
    stopped = _StopOnCtrlC()
    try:
        code = task(*args, **kwargs)
        # A Ctrl+C whose KeyboardInterrupt Python swallowed (it landed in a finaliser or a __del__,
        # where Python only prints "Exception ignored") still stops the command as stopped.
        return 130 if stopped.asked else code
    except KeyboardInterrupt:
        return 130
    except PublishingError as error:
        print(error, file=sys.stderr)
        return 2
    except BrokenPipeError:
        # Whoever read the output stopped reading (`invoke build | head`): stop quietly, as Unix
        # tools do, and keep Python from complaining when it flushes the closed pipe at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as error:
        from .files import CANNOT_WRITE, cannot_write

        if error.errno not in CANNOT_WRITE:
            raise
        print(cannot_write(None, error), file=sys.stderr)  # a full disk, a read-only folder: not a bug
        return 2
    finally:
        stopped.restore()
        sys.stdout, sys.stderr = streams


class _StopOnCtrlC:
    """While a command runs, Ctrl+C raises KeyboardInterrupt as Python's own handler does, and is
    remembered, so a command interrupted anywhere never ends as if it had finished (exit status 0)."""

    def __init__(self) -> None:
        self.asked = False
        self._previous: Any = None
        # Only where Python's own handler is in place: a command started with Ctrl+C ignored (in the
        # background of a script) keeps ignoring it.
        main = threading.current_thread() is threading.main_thread()
        if main and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._previous = signal.signal(signal.SIGINT, self._interrupt)

    def _interrupt(self, signum: int, frame: Any) -> None:
        self.asked = True
        raise KeyboardInterrupt

    def restore(self) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


def on_request(root: Path, name: str, *, sources: str | None, out: str | None, articles: str | None) -> int:
    """Build the product ``name`` that is made only on its own command (the combined guide) of the
    articles asked for (all, or the comma-separated slugs in ``articles``); one line per file it built."""
    from .catalogue import catalogue
    from .products import ALL_PRODUCTS, source_rules
    from .site import load_site

    site = load_site(root, sources=sources, out=out)
    site.catalogue = catalogue(site.folders.sources, default_language=site.language, **source_rules())
    product = ALL_PRODUCTS[name]
    slugs = [slug.strip() for slug in (articles or "").split(",") if slug.strip()]
    outcomes, errors = product.on_request(site, slugs)
    not_built = f"The {product.name} was not built; build/ keeps the previous one."
    for error in errors:
        print(error, file=sys.stderr)
    if errors:
        print(not_built, file=sys.stderr)
        return 1
    if not outcomes:
        print(f"no articles in {shown_path(site.folders.sources)}", file=sys.stderr)
        return 1
    code = 0
    for outcome in outcomes:
        if not outcome.ok:
            print(outcome.error, file=sys.stderr)
            print(not_built, file=sys.stderr)
            code = 1
            continue
        path = outcome.files[0]
        print(
            f"built   {shown_path(path)}  ({path.stat().st_size / 1024:.0f} KB, {outcome.articles} article(s), "
            f"{outcome.seconds:.1f} s)"
        )
    return code


def send(
    root: Path, slug: str, *, to: str, sources: str | None = None, out: str | None = None, unreviewed: bool = False
) -> int:
    """Send build/newsletters/<slug>.eml to one address over SMTP; say what was sent to whom."""
    from .products.newsletter.send import send as send_newsletter
    from .site import load_site

    site = load_site(root, sources=sources, out=out)
    sent = send_newsletter(site, slug, to, unreviewed=unreviewed)
    for why in sent.unreviewed:
        print(f"sent unreviewed (--unreviewed): {why}")
    print(
        f'sent    {shown_path(sent.path)}  "{printable(sent.subject)}"  ({sent.size / 1024:.0f} KB)  '
        f"from {sent.sender} to {sent.recipient} through {sent.server}, dated now as {sent.message_id}"
    )
    return 0


def fetch_images(root: Path, slug: str, *, sources: str | None = None) -> int:
    """Fetch an article's remote images into sources/images/ and relink them; say what came from where."""
    from .fetch_images import fetch_images as fetch
    from .site import load_site

    fetched, source = fetch(load_site(root, sources=sources), slug)
    if not fetched:
        print(f"{shown_path(source)} links no remote image: nothing to fetch.")
        return 0
    for item in fetched:
        print(
            f"fetched {printable(item.url)}\n     -> {shown_path(item.path)}  "
            f"({item.size / 1024:.0f} KB, {item.media_type})"
        )
    print(
        f"Relinked {len(fetched)} image(s) in {shown_path(source)}. Make sure the clinic may use each one "
        "(its licence, or the owner's permission), and give each a description for screen readers."
    )
    return 0


def new(root: Path, title: str) -> int:
    """Create a new article and say where it is and how to see it."""
    from .scaffold import new_article
    from .site import load_site

    path = new_article(load_site(root), title)
    print(f"created {shown_path(path)}")
    print("Edit it, then preview all three products with:  invoke serve")
    print("(or build them with 'invoke build' and verify them with 'invoke check')")
    return 0


def translate(root: Path, slug: str, *, lang: str, current: bool = False, sources: str | None = None) -> int:
    """Scaffold a translation, or record that it matches its English source now; say what to do next."""
    from .site import load_site
    from .translate import translate as scaffold

    site = load_site(root, sources=sources)
    done = scaffold(site, slug, lang, current=current)
    original = shown_path(done.original)
    if done.created:
        print(f"created {shown_path(done.path)}  (translates {original}, version {done.version})")
        print("Translate its title, description and text; a clinician reviews it and adds last_reviewed.")
        language, original_language = site.in_language(lang).language_name, site.language_name
        print(
            f"Until its text is in {language} it builds nothing: "
            f"the build names the first line still in {original_language}."
        )
        print("Then preview it with 'invoke serve'; 'invoke check' tells you when the English text changes.")
    elif done.previous == done.version:
        print(f"{shown_path(done.path)} already records version {done.version} of {original}: nothing to change.")
    else:
        print(
            f"recorded {shown_path(done.path)} as translating version {done.version} of {original}"
            + (f" (was {done.previous})" if done.previous else "")
        )
    return 0


def approve_blocks(root: Path, *, lang: str, by: str, date: str | None = None) -> int:
    """Record the clinic's approval of one language's safety text as it reads now; say what changed."""
    import datetime as dt

    from .approval import approve_blocks as record
    from .site import load_site

    try:
        on = dt.date.fromisoformat(date) if date else dt.date.today()
    except ValueError:
        raise PublishingError(None, f"--date must be YYYY-MM-DD, not {date!r}") from None
    for done in record(load_site(root), lang, by, on):
        block = done.block
        was = f" (was {done.previous})" if done.previous and done.previous != block.version else ""
        print(f"approved {shown_path(block.source)}: version {block.version}{was}, by {by}")
    print("Rebuild (invoke build) and check (invoke check): products with these words may now be printed and sent.")
    return 0


def review(root: Path, slug: str, *, by: str, date: str | None = None, sources: str | None = None) -> int:
    """Record a clinical review of an article's current version; say what it covers."""
    from .review_fields import record_review
    from .site import load_site

    done = record_review(load_site(root, sources=sources), slug, by, date)
    was = f" (the review of {done.previous} is replaced)" if done.previous else ""
    print(f"recorded {shown_path(done.path)}: version {done.version} reviewed on {done.on} by {done.by}{was}")
    print(
        "Rebuild (invoke build): every product now says so. Any later edit of its text shows as changed since review."
    )
    return 0


def serve(root: Path, *, port: int, sources: str | None = None, out: str | None = None, jobs: int = 0) -> int:
    """Build, then preview on 127.0.0.1 and rebuild on every change until Ctrl+C."""
    from .preview import serve as run_preview

    run_preview(
        root,
        port=port,
        sources=sources,
        out=out,
        jobs=jobs or os.cpu_count() or 1,
        announce=lambda line: print(line, flush=True),
    )
    return 0
