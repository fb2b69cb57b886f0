"""The required blocks (medical disclaimer, crisis information): every word of them, loaded once.

The text lives once, in sources/_required/<lang>/*.md, which staff can edit: the title and the text
in Markdown, and for the crisis card its action lines, written as printed with each link in
[brackets] and named under ``links`` (what kind of help it is, where it goes, what a screen reader
says). Partials in layouts/_partials/ only place these words; after every build the proof
(publishing/proof/) finds each of them in the built file itself (the Standard Ebooks way:
boilerplate written once and linted against the template).

A block is approved for one version of its printed words (``approved_version``, written by
`invoke approve-blocks`): an edit of any of them makes it unapproved again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from .htmltext import block_lines

KINDS = ("call", "text", "chat", "emergency")  # what a link of a block does
LINK_KEYS = (*KINDS, "body", "says")
APPROVAL_KEYS = ("approved_version", "approved_by", "approved_on")
BLOCK_KEYS = ("title", "lines", "links", *APPROVAL_KEYS)


@dataclass(frozen=True)
class Link:
    """A link in a block's line: its words as printed, what it does and what a screen reader says."""

    words: str
    kind: str  # call, text, chat or emergency
    href: str  # a tel: or sms: link (with the body a text starts with), or the chat's https: address
    says: str = ""  # its spoken description (aria-label, PDF /Contents); "": its words say it
    line: int = field(default=0, compare=False)

    def printed(self) -> dict:
        return {"words": self.words, "kind": self.kind, "href": self.href, "says": self.says}


@dataclass(frozen=True)
class Line:
    """One line of a block under its text (the crisis card's action line, the chat and emergency line)."""

    pieces: tuple[str | Link, ...]
    line: int = field(default=0, compare=False)

    @property
    def text(self) -> str:
        return "".join(piece if isinstance(piece, str) else piece.words for piece in self.pieces)

    @property
    def links(self) -> tuple[Link, ...]:
        return tuple(piece for piece in self.pieces if isinstance(piece, Link))


@dataclass(frozen=True)
class Approval:
    version: str
    by: str
    on: str
    line: int = 0


@dataclass(frozen=True)
class RequiredBlock:
    key: str  # "crisis" or "disclaimer": its file and its partial's macro
    id: str
    name: str  # what a person calls it, in error messages
    title: str
    body_html: str
    source: Path
    lines: tuple[Line, ...] = ()
    approval: Approval | None = None
    # A translated block needs the clinic's approval of its words; the default language's blocks are
    # the clinic's own wording, checked only once the clinic records an approval of them too.
    needs_approval: bool = False

    @property
    def text(self) -> str:
        """The block's text (below its front matter), one paragraph a line."""
        return block_lines(self.body_html)

    @property
    def line_texts(self) -> tuple[str, ...]:
        return tuple(line.text for line in self.lines)

    @property
    def proof_texts(self) -> tuple[str, ...]:
        """What must be found in a built file, verbatim: every line a reader sees (the title, each
        paragraph, each action line)."""
        return (self.title, *self.text.splitlines(), *self.line_texts)

    @property
    def version(self) -> str:
        """A digest of every word the products print of the block, and of every link's target and
        spoken description: what an approval covers."""
        printed = {
            "title": self.title,
            "text": self.text.splitlines(),
            "lines": [[p if isinstance(p, str) else p.printed() for p in line.pieces] for line in self.lines],
        }
        return hashlib.sha256(json.dumps(printed, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]

    @property
    def approved(self) -> bool:
        if self.approval is None:
            return not self.needs_approval
        return self.approval.version == self.version

    def why_unapproved(self) -> str:
        """What to tell staff about a block that is not approved."""
        if self.approval is None:
            return "not approved: the clinic has not approved its wording"
        return (
            f"not approved: its words changed since {self.approval.by} approved them"
            + (f" on {self.approval.on}" if self.approval.on else "")
            + f" (approved version {self.approval.version}, now {self.version})"
        )


@dataclass(frozen=True)
class RequiredBlocks:
    crisis: RequiredBlock
    disclaimer: RequiredBlock

    def __iter__(self):
        return iter((self.crisis, self.disclaimer))

    @property
    def awaiting_approval(self) -> list[RequiredBlock]:
        return [block for block in self if not block.approved]
