"""Discover articles, build each product into a staging folder, verify it, then move it into place.

A product reaches build/ only after the required blocks were found in the built
file itself; a failed or interrupted build leaves the previous products intact
(Pelican's way: isolate articles, record failures, exit non-zero at the end).
"""

from __future__ import annotations

import atexit
import gc
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import importlib
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING

from .catalogue import catalogue, discover  # noqa: F401  (discover: for callers of build)
from .errors import PublishingError
from .site import Site
from .state import BuildState, InputFingerprints

if TYPE_CHECKING:
    from .article import Article


# At exit the interpreter collects garbage over the whole heap (WeasyPrint, its fonts and caches)
# several times, about 0.1 s, to free memory the system reclaims anyway: keep it out of sight.
atexit.register(gc.freeze)


class _Products(Mapping):
    """The product modules by name, imported on first use: a build with nothing to do never needs them."""

    NAMES = ("handout", "guide", "newsletter")

    def __getitem__(self, name: str) -> ModuleType:
        if name not in self.NAMES:
            raise KeyError(name)
        return importlib.import_module(f"{__package__}.{name}")

    def __iter__(self):
        return iter(self.NAMES)

    def __len__(self) -> int:
        return len(self.NAMES)


PRODUCTS: Mapping[str, ModuleType] = _Products()


@dataclass
class Outcome:
    """What happened to one product of one article."""

    source: Path
    product: str
    files: list[Path] = field(default_factory=list)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    skipped: bool = False          # up to date: nothing it depends on changed
    images: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


def parse_only(only: str | None) -> list[str]:
    """'handout,guide' -> ['handout', 'guide'], in registry order; empty means every product."""
    if not only:
        return list(PRODUCTS)
    wanted = [name.strip() for name in only.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in PRODUCTS]
    if unknown:
        raise PublishingError(None, f"unknown product '{unknown[0]}'",
                              hint=f"choose from {', '.join(PRODUCTS)}")
    return [name for name in PRODUCTS if name in wanted]


def build_all(site: Site, products: list[str], *, variant: str = "office", jobs: int = 1,
              force: bool = False, on_start=lambda articles: None,
              on_outcome=lambda outcome: None) -> list[Outcome]:
    """Build ``products`` for every article that changed; one article's mistake never stops the others.

    With ``jobs`` above one, articles are built in forked processes sharing one list of work
    (see workers.py). Outcomes come back in article order.
    """
    state = BuildState.load(site.project.out)
    found = catalogue(site.project.sources, state.slugs)
    sources = found.sources
    fingerprints = InputFingerprints(site, variant)
    # Refused at discovery (a slug two sources share): nothing built, nothing in build/ replaced.
    outcomes: list[Outcome] = [Outcome(source=source, product=name, error=str(found.refused[source]))
                               for source in found.refused for name in products]
    for outcome in outcomes:
        on_outcome(outcome)
    work: list[tuple[Path, list[str]]] = []
    for source in found.accepted:
        stale = [name for name in products
                 if force or not state.up_to_date(source, _state_key(name, variant), name, fingerprints)]
        fresh = [name for name in products if name not in stale]
        outcomes += [Outcome(source=source, product=name, files=state.files(source, _state_key(name, variant)),
                             skipped=True) for name in fresh]
        if stale:
            work.append((source, stale))

    on_start(len(work))
    if work:
        site.blocks  # a missing or broken required block stops the build here, once, before any product
        Staging.remove_leftovers(site)
        from .dates import commit_times
        commit_times(site.project.sources)  # one git call for all articles, inherited by the workers
    try:
        for result in _run(site, work, variant, jobs):
            for outcome in result:
                key = _state_key(outcome.product, variant)
                if outcome.ok:
                    state.record(outcome.source, key,
                                 fingerprints.of(outcome.product, outcome.source, outcome.images),
                                 outcome.files, outcome.images)
                else:
                    state.forget(outcome.source, key)
                outcomes.append(outcome)
                on_outcome(outcome)
    finally:  # stopped halfway too (Ctrl+C): what was built and moved into place stays known
        state.save()
        Staging.tidy(site)
    order = {source: index for index, source in enumerate(sources)}
    return sorted(outcomes, key=lambda o: (order[o.source], products.index(o.product)))


def _warm_up(site: Site, products: set[str]) -> None:
    """Import in this process, once, what every forked worker needs for guides and newsletters,
    and compile their templates (Markdown is warm already: the required blocks were converted;
    handouts warm up by building the first one: see workers.py)."""
    from .templates import environment
    templates = environment(site.project.layouts)
    for name in templates.list_templates(filter_func=lambda name: name.split("/")[0] in ("_partials", *products)):
        templates.get_template(name)  # compiled once here; Jinja keeps it for every worker
    for name in products:
        PRODUCTS[name].warm_up(site)


def _state_key(product: str, variant: str) -> str:
    return product if product != "handout" or variant == "office" else f"{product}:{variant}"


def _run(site: Site, work: list[tuple[Path, list[str]]], variant: str, jobs: int):
    """Yield each article's outcomes in article order, built in forked workers when it pays."""
    if jobs <= 1 or len(work) <= 1:
        for source, names in work:
            yield build_article(site, source, names, variant=variant)
        return
    from .workers import Piece, build_in_workers
    # Handouts are pieces of their own: they need WeasyPrint, the others do not (see workers.py).
    pieces = [Piece(position, source, tuple(part))
              for position, (source, names) in enumerate(work)
              for part in ([n for n in names if n != "handout"], [n for n in names if n == "handout"]) if part]
    waiting = Counter(piece.position for piece in pieces)
    done: dict[int, list[Outcome]] = {position: [] for position in range(len(work))}
    shown = 0
    finished = build_in_workers(
        pieces, jobs,
        build=lambda piece: build_article(site, piece.source, list(piece.products), variant=variant),
        prepare=lambda: _warm_up(site, {n for p in pieces if "handout" not in p.products for n in p.products}),
        lost=lambda piece, reason: [Outcome(source=piece.source, product=name, error=str(PublishingError(
            piece.source, f"building the {name} stopped unexpectedly: {reason}",
            hint="build again, and report it if it happens again"))) for name in piece.products])
    for piece, outcomes in finished:
        done[piece.position] += outcomes
        waiting[piece.position] -= 1
        while shown < len(work) and waiting[shown] == 0:
            names = work[shown][1]
            yield sorted(done.pop(shown), key=lambda outcome: names.index(outcome.product))
            shown += 1


def build_article(site: Site, source: Path, products: list[str], *, variant: str = "office") -> list[Outcome]:
    from .article import load_article
    try:
        article = load_article(source, site.settings, site.project.sources)
    except PublishingError as error:
        return [Outcome(source=source, product=name, error=str(error)) for name in products]
    outcomes = [build_product(site, article, name, variant=variant) for name in products]
    for outcome in outcomes:
        outcome.source = source  # as discovered: the key the build state knows it by
    return outcomes


def build_product(site: Site, article: Article, name: str, *, variant: str = "office") -> Outcome:
    module = PRODUCTS[name]
    outcome = Outcome(source=article.source, product=name, images=[image.path for image in article.images])
    started = time.perf_counter()
    destination = site.project.out / module.FOLDER
    options = {"variant": variant} if name == "handout" else {}
    with Staging(site) as workdir, _collect_warnings() as warnings:
        try:
            files = module.build(article, site, workdir, **options)
            module.verify(article, site, files, destination / files[0].name)
        except PublishingError as error:
            outcome.error = str(error)
        else:
            destination.mkdir(parents=True, exist_ok=True)
            # A product may write into subfolders (the newsletter's images/): keep them.
            outcome.files = [destination / file.relative_to(workdir) for file in files]
            for file, target in zip(files, outcome.files):
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(file, target)
    outcome.warnings = warnings
    outcome.seconds = time.perf_counter() - started
    return outcome


class Staging:
    """A private folder beside build/ (same file system, so the final move is an atomic rename)."""

    def __init__(self, site: Site):
        self.root = site.project.out.parent / ".build-tmp"

    def __enter__(self) -> Path:
        while True:
            self.root.mkdir(parents=True, exist_ok=True)
            try:
                # The owner's process id is in the name, so leftovers of a killed build can be told apart.
                self.path = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=self.root))
                return self.path
            except FileNotFoundError:
                continue  # another build finishing beside us removed the empty root: make it again

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    @staticmethod
    def remove_leftovers(site: Site) -> None:
        """Delete staging folders of builds that were killed (their process is gone)."""
        root = site.project.out.parent / ".build-tmp"
        for folder in root.glob("*-*") if root.is_dir() else ():
            pid = folder.name.split("-", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(folder, ignore_errors=True)

    @staticmethod
    def tidy(site: Site) -> None:
        """Remove the staging root once every worker is done (kept if a killed build left files)."""
        try:
            (site.project.out.parent / ".build-tmp").rmdir()
        except OSError:
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed worker may linger as a zombie until it is reaped: that is not alive
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][:1] != "Z"
    except (OSError, IndexError):
        return True


class _collect_warnings(logging.Handler):
    """Record what WeasyPrint (and friends) warn about, to show it with the product."""

    LOGGERS = ("weasyprint", "publishing")  # publishing.handout: a glyph printed in a system font

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def __enter__(self) -> list[str]:
        for name in self.LOGGERS:
            logger = logging.getLogger(name)
            logger.addHandler(self)
            logger.propagate = False
        return self.messages

    def __exit__(self, *exc) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).removeHandler(self)
