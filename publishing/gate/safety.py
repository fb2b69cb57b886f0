"""The gate's rows about the safety text: every product printing blocks the clinic has not approved
fails; each language's blocks say whether they load and who approved them."""

from __future__ import annotations

from ..errors import PublishingError, shown_path
from ..row import Row
from ..site import Site


def approval_row(site: Site, slug: str, label: str) -> Row:
    """A product may leave the clinic only with safety text the clinic approved, word for word."""
    waiting = site.blocks.awaiting_approval
    if not waiting:
        by = ", ".join(sorted({block.approval.by for block in site.blocks if block.approval}))
        detail = f"approved by {by}" if by else "the clinic's own wording (its default language's blocks)"
        return Row(slug, label, "approved wording", "pass", detail)
    return Row(
        slug,
        label,
        "approved wording",
        "fail",
        "; ".join(f"{shown_path(block.source)}: {block.why_unapproved()}" for block in waiting)
        + f"; once the clinic has approved the words, run invoke approve-blocks --lang {site.language} "
        '--by "Name", then invoke check',
        {"approved": False, "language": site.language},
    )


def required_block_rows(site: Site) -> list[Row]:
    """Each language's required blocks: whether they load, and whether the clinic approved their words
    (a draft is a warning here; every product printing it fails on its own row)."""
    rows = []
    base = site.folders.required_dir
    folders = sorted(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else []
    for language in [site.language, *folders]:
        edition = site.in_language(language)
        name = f"({edition.language_name} required blocks)"
        try:
            blocks = edition.blocks
        except PublishingError as error:
            rows.append(Row(name, "source", "required blocks", "fail", str(error)))
            continue
        waiting = blocks.awaiting_approval
        if waiting:
            detail = "; ".join(f"{shown_path(block.source)}: {block.why_unapproved()}" for block in waiting)
            rows.append(
                Row(
                    name,
                    "source",
                    "approved wording",
                    "warn",
                    f"{detail}; no product may be printed or sent with them: once the clinic has approved the "
                    f'words, run invoke approve-blocks --lang {language} --by "Name"',
                    {"approved": False, "language": language},
                )
            )
        elif edition.is_default_language and all(block.approval is None for block in blocks):
            pass  # the clinic's own wording: nothing to approve
        else:
            approvals = sorted({f"{block.approval.by}" for block in blocks if block.approval})
            rows.append(
                Row(
                    name,
                    "source",
                    "approved wording",
                    "pass",
                    f"approved by {', '.join(approvals)}",
                    {"approved": True},
                )
            )
    return rows
