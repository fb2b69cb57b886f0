"""`invoke approve-blocks`: record that the clinic approved one language's safety text, word for word.

The record (``approved_version``, ``approved_by``, ``approved_on`` in each block's front matter)
names the version of exactly what the products print (RequiredBlock.version); any later edit of
those words, links or spoken descriptions makes the block unapproved again, so `invoke check`
fails and `invoke send` refuses until the clinic approves the new words.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .blockfile import load_required_blocks
from .errors import PublishingError
from .required import APPROVAL_KEYS, RequiredBlock
from .site import MissingLanguage, Site

_RECORD_LINE = re.compile(r"^(" + "|".join(APPROVAL_KEYS) + r")\s*:")


@dataclass(frozen=True)
class Approved:
    block: RequiredBlock
    previous: str  # the version approved before ("" for none)


def approve_blocks(site: Site, language: str, by: str, on: dt.date) -> list[Approved]:
    """Record ``by``'s approval of the blocks of ``language`` as they read now; return what changed."""
    by = " ".join(by.split())
    if not by or any(ord(character) < 32 for character in by):
        raise PublishingError(None, "say who approved the words", hint='give --by "Name, role"')
    edition = site.in_language(language)
    if not edition.required_dir.is_dir():
        raise MissingLanguage(edition)
    blocks = edition.blocks  # every mistake in them is reported before anything is written
    done = []
    for block in blocks:
        previous = block.approval.version if block.approval else ""
        _write_record(block.source, block.version, by, on)
        done.append(Approved(block, previous))
    again = load_required_blocks(
        edition.required_dir,
        approval=not edition.is_default_language,
        language=edition.language,
        language_name=edition.language_name,
    )
    assert not again.awaiting_approval, "the record just written does not approve the blocks"
    return done


def _write_record(path: Path, version: str, by: str, on: dt.date) -> None:
    """Put the approval record at the end of the front matter, replacing an earlier one; keep the rest
    of the file (its comments, its words) as it is."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    kept = [line for line in lines[1:end] if not _RECORD_LINE.match(line)]
    record = [
        f"approved_version: {json.dumps(version)}  # by invoke approve-blocks: editing the words un-approves them",
        f"approved_by: {json.dumps(by, ensure_ascii=False)}",
        f"approved_on: {on.isoformat()}",
    ]
    written = "\n".join([lines[0], *kept, *record, *lines[end:]])
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(written, encoding="utf-8")
    os.replace(temporary, path)
