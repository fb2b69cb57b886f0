"""The required blocks (medical disclaimer, crisis information): their text, loaded once.

The text lives once, in sources/_required/*.md, which staff can edit. Partials in
layouts/_partials/ place it; after every build the proof (publishing/proof/) finds it
in the built file itself, compares it with this single source and decides whether a
reader sees it (the Standard Ebooks way: boilerplate written once and linted against
the template).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import PublishingError, PublishingErrors
from .frontmatter import read_source
from .htmltext import block_lines
from .ids import CRISIS, DISCLAIMER


@dataclass(frozen=True)
class RequiredBlock:
    key: str  # "crisis" or "disclaimer": its file and its partial's macro
    id: str
    name: str  # what a person calls it, in error messages
    title: str
    body_html: str
    source: Path
    # A translated block's wording needs the clinic's approval, recorded in its front matter
    # ("approved: true"); the default language's blocks are the clinic's own wording.
    approved: bool = True

    @property
    def text(self) -> str:
        return block_lines(self.body_html)

    @property
    def proof_texts(self) -> tuple[str, ...]:
        """What must be found in a built file: the title and each paragraph, verbatim."""
        return (self.title, *self.text.splitlines())


@dataclass(frozen=True)
class RequiredBlocks:
    crisis: RequiredBlock
    disclaimer: RequiredBlock

    def __iter__(self):
        return iter((self.crisis, self.disclaimer))

    @property
    def awaiting_approval(self) -> list[RequiredBlock]:
        return [block for block in self if not block.approved]


BLOCK_FILES = {
    "crisis": (CRISIS, "crisis information (988 Suicide and Crisis Lifeline)"),
    "disclaimer": (DISCLAIMER, "medical disclaimer"),
}


def load_required_blocks(required_dir: Path, *, approval: bool = False) -> RequiredBlocks:
    """Both blocks from their sources; every problem with them reported at once.

    With ``approval`` (a translation's blocks), each records whether the clinic approved its wording:
    ``approved: false`` until it has, ``approved: true`` after."""
    from . import markup

    blocks = {}
    problems: list[PublishingError] = []
    for key, (block_id, name) in BLOCK_FILES.items():
        path = required_dir / f"{key}.md"
        if not path.is_file():
            problems.append(
                PublishingError(
                    path, f"the {name} is missing", hint=f"restore {path.name}: every product must carry it"
                )
            )
            continue
        try:
            source = read_source(path)
        except PublishingError as error:
            problems.append(error)
            continue
        found = len(problems)
        allowed = {"title", "approved"} if approval else {"title"}
        for key_name in sorted(set(source.metadata) - allowed):
            problems.append(
                PublishingError(
                    path,
                    f"unknown front matter key '{key_name}'",
                    line=source.key_lines[key_name],
                    hint="a translated required block has a 'title' and 'approved'"
                    if approval
                    else "a required block has only a 'title'",
                )
            )
        approved = source.metadata.get("approved", True)
        if approval and not isinstance(approved, bool):
            problems.append(
                PublishingError(
                    path,
                    f"'approved' must be true or false, not {approved!r}",
                    line=source.key_lines.get("approved", 1),
                    hint="write 'approved: false' until the clinic has approved the wording",
                )
            )
        if approval and "approved" not in source.metadata:
            problems.append(
                PublishingError(
                    path,
                    "a translated required block must say whether the clinic approved its wording",
                    line=1,
                    hint="add 'approved: false' to its front matter, and 'approved: true' once the clinic has",
                )
            )
        title = source.metadata.get("title")
        if not isinstance(title, str) or not title.strip():
            problems.append(
                PublishingError(path, "the block has no 'title'", line=1, hint="add 'title: ...' to its front matter")
            )
        if not source.body.strip():
            problems.append(
                PublishingError(
                    path,
                    f"the {name} has no text",
                    line=source.body_line,
                    hint="write the block's text below the front matter",
                )
            )
        if len(problems) == found:
            blocks[key] = RequiredBlock(
                key=key,
                id=block_id,
                name=name,
                title=" ".join(str(title).split()),
                body_html=markup.to_html(source.body).html,
                source=path,
                approved=approved is True,
            )
    PublishingErrors.raise_if_any(problems)
    return RequiredBlocks(**blocks)
