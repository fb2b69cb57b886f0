"""The combined guide's subject: the articles it binds (a ``Bundle``), chosen, grouped by language and
built through the same staging, proof and move as every product."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...errors import PublishingError

COMBINED_SLUG = "patient-guide"


@dataclass(frozen=True)
class Bundle:
    """The articles the combined guide binds, in reading order."""

    articles: tuple
    source: Path  # the folder they came from: what the build reports the bundle by
    slug: str = COMBINED_SLUG
    edition: str = ""  # a translation's language: the combined guide of that language's editions
    lang: str = ""  # the language tag the book declares (an article's)

    @property
    def name(self) -> str:
        return f"{self.slug}.{self.edition}" if self.edition else self.slug


def bundle_articles(site, slugs: list[str] | None) -> tuple[list, list[PublishingError]]:
    """The articles to bind, in the order asked for (default: every article, as discovered), each with
    its translations (every language gets its own combined guide), and every mistake found on the way,
    so one run reports them all."""
    from ...catalogue import load_articles

    articles, load_errors = load_articles(site)
    if not slugs:
        return articles, load_errors
    by_slug: dict[str, list] = {}
    for article in articles:
        by_slug.setdefault(article.slug, []).append(article)
    wanted = list(dict.fromkeys(slugs))
    missing = [slug for slug in wanted if slug not in by_slug]
    errors = list(load_errors)
    if missing:
        # A listed article may be one that failed to load: show why, beside what is missing.
        failed = {error.path.stem for error in load_errors if error.path is not None}
        errors += [
            PublishingError(
                site.folders.sources,
                f"no article with the slug '{slug}'",
                hint=f"choose from {', '.join(sorted(by_slug)) or '(none)'}",
            )
            for slug in missing
            if slug not in failed
        ]
    return [article for slug in wanted for article in by_slug.get(slug, [])], errors


def by_edition(articles: list) -> dict[str, list]:
    """The articles of each language's combined guide: "" for the default language, "es" for Spanish."""
    groups: dict[str, list] = {}
    for article in articles:
        groups.setdefault(article.edition, []).append(article)
    return dict(sorted(groups.items()))


def build_bundle(site, product, articles: list, edition: str = "", *, asked: list[str] | None = None):
    """The combined guide of ``articles`` (all in one language), through the same staging, proof and move
    as every product; what it was made of recorded in the build state, for the gate (``asked``: the
    slugs --articles named; none: every article)."""
    from ...product_build import build_product
    from ...staging import Staging
    from ...state import BuildState, InputFingerprints

    bundle = Bundle(tuple(articles), site.folders.sources, edition=edition, lang=articles[0].lang if edition else "")
    try:
        outcome = build_product(site, product, bundle)
    finally:
        Staging.tidy(site)
    if outcome.ok:  # a failed one leaves the previous book in build/, and its record stands for it
        variant = product.default_variant
        reads = [article.source for article in articles]
        inputs = InputFingerprints(site).parts_of_several(product, variant, reads, outcome.images)
        state = BuildState.load(site.folders.out)
        where, key = product.recorded_as(site, bundle.name, None, variant)
        state.record(
            where, key, inputs, outcome.files, outcome.images, reads=reads, every=not asked, articles=asked or []
        )
        state.save()
    return outcome
