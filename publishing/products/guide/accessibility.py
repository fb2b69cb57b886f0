"""The guide's EPUB Accessibility 1.1 metadata, derived from what the book contains."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...site import Site
    from .book import Book


def accessibility_metadata(book: Book, review, site: Site) -> list[tuple[str, str]]:
    """EPUB Accessibility 1.1 metadata, derived from what the book contains. A conformance claim only
    when the settings record a manual review (``review``: its reviewer, credential, report and date):
    EPUBCheck and Ace are automated checks, and WCAG conformance needs a person's evaluation."""
    bodies = [article.body_html for article in book.articles]
    pictures = sum(len(article.images) for article in book.articles)
    tables = sum(body.count("<table") for body in bodies)
    notes = sum(body.count('class="footnote-ref"') for body in bodies)
    # Every book has its cover picture (with a text alternative), so visual is always a mode.
    metadata = [
        ("schema:accessMode", "textual"),
        ("schema:accessMode", "visual"),
        ("schema:accessModeSufficient", "textual"),
        ("schema:accessModeSufficient", "textual,visual"),
        ("schema:accessibilityFeature", "alternativeText"),
        ("schema:accessibilityFeature", "ARIA"),
        ("schema:accessibilityFeature", "displayTransformability"),
        ("schema:accessibilityFeature", "readingOrder"),
        ("schema:accessibilityFeature", "structuralNavigation"),
        ("schema:accessibilityFeature", "tableOfContents"),
        ("schema:accessibilityHazard", "none"),
    ]
    words = site.words
    count = len(book.chapters)
    holds = words.ngettext("%(num)s article", "%(num)s articles", count) if count > 1 else site._("one article")
    extras = [
        text
        for number, text in (
            (
                pictures,
                words.ngettext("%(num)s picture described in text", "%(num)s pictures described in text", pictures),
            ),
            (tables, words.ngettext("%(num)s table with header cells", "%(num)s tables with header cells", tables)),
            (
                notes,
                words.ngettext(
                    "%(num)s note linked to and from the text", "%(num)s notes linked to and from the text", notes
                ),
            ),
        )
        if number
    ]
    summary = (
        site._("This guide holds %(contents)s, with %(features)s.", contents=holds, features=_listed(extras, site))
        if extras
        else site._("This guide holds %(contents)s.", contents=holds)
    )
    summary += " " + site._(
        "Headings mark every section and the table of contents lists them; the cover picture has a text "
        "description. There is no fixed layout: text size, font, spacing and colours follow the reader's "
        "settings. Phone numbers are links. Nothing flashes, moves or makes sound."
    )
    if review.recorded:
        summary += " " + site._(
            "Its accessibility was reviewed by %(reviewer)s on %(date)s.", reviewer=review.reviewer, date=review.date
        )
    metadata.append(("schema:accessibilitySummary", summary))
    if review.recorded:
        metadata += [
            ("dcterms:conformsTo", review.conforms_to),
            ("a11y:certifiedBy", review.reviewer),
            ("a11y:certifierCredential", review.credential),
            ("a11y:certifierReport", review.report),
        ]
    return metadata


def _listed(parts: list[str], site: Site) -> str:
    if len(parts) == 1:
        return parts[0]
    return site._("%(first)s and %(last)s", first=", ".join(parts[:-1]), last=parts[-1])
