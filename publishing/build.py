"""Discover articles, build each product into a staging folder, verify it, then move it into place.

A product reaches build/ only after the required blocks were proven in the built file itself;
a failed or interrupted build leaves the previous products intact (Pelican's way: isolate
articles, record failures, exit non-zero at the end). Every product, the combined guide
included, goes through ``build_product`` (product_build.py).
"""

from __future__ import annotations

import atexit
import gc
import os
from collections import Counter
from contextlib import closing
from pathlib import Path

from .catalogue import catalogue
from .errors import PublishingError
from .product_build import Outcome, build_product, variant_of
from .products import ALL_PRODUCTS, PRODUCTS, Named, Product, source_rules
from .site import Site
from .staging import Staging
from .state import BuildState, InputFingerprints, fingerprint_of

# At exit the interpreter collects garbage over the whole heap (WeasyPrint, its fonts and caches)
# several times, about 0.1 s, to free memory the system reclaims anyway: keep it out of sight.
atexit.register(gc.freeze)


def parse_only(only: str | None) -> list[str]:
    """Comma-separated product names -> those products, in registry order; empty means every product."""
    if not only:
        return list(PRODUCTS)
    wanted = [name.strip() for name in only.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in PRODUCTS]
    if unknown:
        names = ", ".join(f"'{name}'" for name in unknown)
        raise PublishingError(
            None, f"unknown product{'s' if len(unknown) > 1 else ''} {names}", hint=f"choose from {', '.join(PRODUCTS)}"
        )
    return [name for name in PRODUCTS if name in wanted]


def job_of(key: str) -> tuple[Product, str]:
    """A state key (a product's name, and a variant other than its default after a colon) -> the
    product and its variant."""
    name, _, variant = key.partition(":")
    product = PRODUCTS[name]
    return product, variant or product.default_variant


def _jobs(site: Site, products: list[str], variant: str | None, present) -> dict[Path, list[str]]:
    """What to build of each article, as its products name their subjects: each product asked for, in
    the variant asked for, and every other variant of it already in build/ (a variant once built stays
    built, and current)."""
    jobs: dict[Path, list[str]] = {}
    for name in products:
        product = PRODUCTS[name]
        chosen = variant_of(product, variant)
        for subject in product.subjects(site):
            assert subject.source is not None, "a product of every article names each by its source"
            for each in product.variants:
                names = product.output_names(subject.name, each)
                if each == chosen or all(n in present(product.folder) for n in names):
                    jobs.setdefault(subject.source, []).append(product.state_key(each))
    # A product that copies what these make (the web edition's downloads), where it was built: it is
    # looked at too, and built again when what it copies is (see _stale_work).
    for name, product in PRODUCTS.items():
        if name in products or not set(product.reads_built) & set(products):
            continue
        for subject in product.subjects(site):
            assert subject.source is not None
            names = product.output_names(subject.name, product.default_variant)
            if subject.source in jobs and all((site.folders.out / product.folder / n).is_file() for n in names):
                jobs[subject.source].append(product.state_key(product.default_variant))
    return jobs


class _FilesIn:
    """The names of the files in each folder of build/, listed once per build: asking the file system
    about every variant of every article was two calls an edition (20,000 for 10,000 editions)."""

    def __init__(self, out: Path):
        self.out = out
        self._names: dict[str, frozenset[str]] = {}

    def __call__(self, folder: str) -> frozenset[str]:
        if folder not in self._names:
            try:
                with os.scandir(self.out / folder) as entries:
                    self._names[folder] = frozenset(entry.name for entry in entries if entry.is_file())
            except OSError:  # no such folder yet: nothing of it built
                self._names[folder] = frozenset()
        return self._names[folder]


def build_all(
    site: Site,
    products: list[str],
    *,
    variant: str | None = None,
    jobs: int = 1,
    force: bool = False,
    state: BuildState | None = None,
    on_start=lambda articles: None,
    on_outcome=lambda outcome: None,
) -> list[Outcome]:
    """Build ``products`` for every article that changed; one article's mistake never stops the others.

    With ``jobs`` above one, articles are built in forked processes sharing one list of work
    (see workers.py). Outcomes come back in article order. ``state``: the build's record, where the
    caller has read it already.
    """
    state = BuildState.load(site.folders.out) if state is None else state
    found = site.catalogue = catalogue(site.folders.sources, state.slugs, site.language, **source_rules())
    fingerprints = InputFingerprints(site)
    # Refused at discovery (a slug two sources share): nothing built, nothing in build/ replaced.
    outcomes: list[Outcome] = [
        Outcome(source=source, product=name, error=str(found.refused[source]))
        for source in found.refused
        for name in products
    ]
    for outcome in outcomes:
        on_outcome(outcome)
    up_to_date, work = _stale_work(site, state, fingerprints, products, variant, force)
    outcomes += up_to_date
    on_start(len(work))
    if work:
        _prepare(site)
    results = _phases(site, work, jobs)
    try:
        for result in results:
            for outcome in result:
                _record(state, fingerprints, outcome)
                outcomes.append(outcome)
                on_outcome(outcome)
        outcomes_of_several: list[Outcome] = []
        for product in ALL_PRODUCTS.values():
            if not product.per_article and product.made_with in products:  # the issues with the newsletters
                for outcome in build_several(site, product, state, fingerprints, force=force):
                    on_outcome(outcome)
                    outcomes_of_several.append(outcome)
    finally:  # stopped halfway too (Ctrl+C): what was built and moved into place stays known
        results.close()  # the workers are stopped and gone before their staging folders are tidied
        state.save()
        Staging.tidy(site)
    order = {source: index for index, source in enumerate(found.sources)}
    return sorted(outcomes, key=lambda o: (order[o.source], *_place(products, o))) + outcomes_of_several


def _stale_work(
    site: Site,
    state: BuildState,
    fingerprints: InputFingerprints,
    products: list[str],
    variant: str | None,
    force: bool,
) -> tuple[list[Outcome], list[tuple[Path, list[str]]]]:
    """What is up to date (nothing it depends on changed: its outcome as recorded) and, per article, the
    state keys to build again."""
    up_to_date: list[Outcome] = []
    work: list[tuple[Path, list[str]]] = []
    present = _FilesIn(site.folders.out)
    for source, wanted in _jobs(site, products, variant, present).items():
        stale = [
            key
            for key in wanted
            if force
            or not state.up_to_date(
                source, key, fingerprints.of(*job_of(key), source, state.images(source, key)), present
            )
        ]
        rebuilt = {job_of(key)[0].name for key in stale}
        stale += [key for key in wanted if key not in stale and rebuilt & set(job_of(key)[0].reads_built)]
        up_to_date += [
            Outcome(
                source=source,
                product=key.partition(":")[0],
                variant=job_of(key)[1],
                files=state.files(source, key),
                up_to_date=True,
            )
            for key in wanted
            if key not in stale
        ]
        if stale:
            work.append((source, stale))
    return up_to_date, work


def _prepare(site: Site) -> None:
    """Before the first article is built: what every build of it reads, once."""
    site.load_blocks()  # a missing or broken required block stops the build here, once
    Staging.remove_leftovers(site)
    from .dates import prefetch_commit_times

    prefetch_commit_times(site.folders.sources)  # one git call for all articles, inherited by workers


def _record(state: BuildState, fingerprints: InputFingerprints, outcome: Outcome) -> None:
    """What was built, from what (and what failed: built again next time)."""
    key = PRODUCTS[outcome.product].state_key(outcome.variant)
    if outcome.ok:
        inputs = fingerprints.account(*job_of(key), outcome.source, outcome.images)
        state.record(outcome.source, key, inputs, outcome.files, outcome.images)
    else:
        state.forget(outcome.source, key)


def _place(products: list[str], outcome: Outcome) -> tuple[int, int]:
    product = PRODUCTS[outcome.product]
    return list(PRODUCTS).index(outcome.product), product.variants.index(outcome.variant or product.default_variant)


def build_several(
    site: Site, product: Product, state: BuildState, fingerprints: InputFingerprints, *, force: bool
) -> list[Outcome]:
    """Every subject of a product of several articles (each newsletter issue in sources/newsletters/)
    whose own source, or any article it is made of, changed."""
    variant = product.default_variant
    subjects = product.subjects(site)
    outcomes, stale, reads, records = [], [], {}, {}
    for subject in subjects:
        where, key = records[subject] = product.recorded_as(site, subject.name, subject.source, variant)
        reads[subject] = product.made_of(site, subject.name, subject.source, {})
        inputs = fingerprints.parts_of_several(product, variant, reads[subject], state.images(where, key))
        if not force and state.up_to_date(where, key, fingerprint_of(inputs)):
            outcomes.append(Outcome(source=where, product=product.name, files=state.files(where, key), up_to_date=True))
        else:
            stale.append(subject)
    if stale:
        site.load_blocks()
    for subject, loaded in zip(stale, product.load(site, stale), strict=True):
        where, key = records[subject]
        if isinstance(loaded, PublishingError):
            outcome = Outcome(source=where, product=product.name, error=str(loaded))
        else:
            outcome = build_product(site, product, loaded, variant)
            outcome.source = where
        if outcome.ok:
            inputs = fingerprints.parts_of_several(product, variant, reads[subject], outcome.images)
            state.record(where, key, inputs, outcome.files, outcome.images, reads=reads[subject])
        else:
            state.forget(where, key)
        outcomes.append(outcome)
    order = {records[subject][0]: index for index, subject in enumerate(subjects)}
    return sorted(outcomes, key=lambda outcome: order[outcome.source])


def _warm_up(site: Site, products: set[str]) -> None:
    """Import in this process, once, what every forked worker needs for the products that do not
    need WeasyPrint, and compile their templates (Markdown is warm already: the required blocks
    were converted; WeasyPrint products warm up by building the first one: see workers.py)."""
    from .templates import environment

    templates = environment(site.folders.layouts)
    folders = {"_partials", *(folder for name in products for folder in PRODUCTS[name].layouts)}
    # Templates only, which lie in the folder itself: its subfolders hold other files (colour profiles).
    for name in templates.list_templates(
        filter_func=lambda name: name.count("/") == 1 and name.split("/")[0] in folders
    ):
        templates.get_template(name)  # compiled once here; Jinja keeps it for every worker
    for name in products:
        PRODUCTS[name].warm_up(site)


def _phases(site: Site, work: list[tuple[Path, list[str]]], jobs: int):
    """Yield each article's outcomes: first of every product that reads no other's files, then of those
    that do (the web edition's downloads are the handouts and guides just built)."""

    def after(key: str) -> bool:
        return bool(job_of(key)[0].reads_built)

    for late in (False, True):
        phase = [(source, part) for source, names in work if (part := [n for n in names if after(n) == late])]
        runs = _run(site, phase, jobs)
        try:
            yield from runs
        finally:
            runs.close()


def _run(site: Site, work: list[tuple[Path, list[str]]], jobs: int):
    """Yield each article's outcomes in article order, built in forked workers when it pays."""
    if jobs <= 1 or len(work) <= 1:
        for source, names in work:
            yield build_article(site, source, names)
        return
    from .workers import Piece, build_in_workers

    # Products that need WeasyPrint are pieces of their own (see workers.py).
    pieces = [
        Piece(position, source, tuple(part), needs_weasyprint=heavy)
        for position, (source, names) in enumerate(work)
        for heavy in (False, True)
        if (part := [n for n in names if job_of(n)[0].needs_weasyprint == heavy])
    ]
    waiting = Counter(piece.position for piece in pieces)
    done: dict[int, list[Outcome]] = {position: [] for position in range(len(work))}
    shown = 0
    finished = build_in_workers(
        pieces,
        jobs,
        build=lambda piece: build_article(site, piece.source, list(piece.products)),
        prepare=lambda: _warm_up(
            site, {job_of(n)[0].name for p in pieces if not p.needs_weasyprint for n in p.products}
        ),
        lost=lambda piece, reason: [
            Outcome(
                source=piece.source,
                product=job_of(name)[0].name,
                variant=job_of(name)[1],
                error=str(
                    PublishingError(
                        piece.source,
                        f"building the {job_of(name)[0].label(job_of(name)[1])} stopped unexpectedly: {reason}",
                        hint="build again, and report it if it happens again",
                    )
                ),
            )
            for name in piece.products
        ],
    )
    with closing(finished):  # stopped early (Ctrl+C): its workers are stopped and joined at once
        for piece, outcomes in finished:
            done[piece.position] += outcomes
            waiting[piece.position] -= 1
            while shown < len(work) and waiting[shown] == 0:
                names = work[shown][1]
                yield sorted(done.pop(shown), key=lambda o: names.index(PRODUCTS[o.product].state_key(o.variant)))
                shown += 1


def build_article(site: Site, source: Path, products: list[str]) -> list[Outcome]:
    """Build each of ``products`` (state keys: a product's name, and its variant after a colon) of one
    article, loaded once for all of them (every product of one article loads it the same way)."""
    [article] = job_of(products[0])[0].load(site, [Named(site.catalogue.name(source), source)])
    if isinstance(article, PublishingError):
        return [
            Outcome(source=source, product=job_of(k)[0].name, variant=job_of(k)[1], error=str(article))
            for k in products
        ]
    outcomes = [build_product(site, *job_of(key)[:1], article, job_of(key)[1]) for key in products]
    for outcome in outcomes:
        outcome.source = source  # as discovered: the key the build state knows it by
    return outcomes
