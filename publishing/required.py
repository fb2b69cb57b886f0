"""The required blocks (medical disclaimer, crisis information) and the proof they are in a built file.

The text lives once, in sources/_required/*.md, which staff can edit. Partials in
layouts/_partials/ place it; after every build the text is extracted from the
built file itself and compared with this single source (the Standard Ebooks way:
boilerplate written once and linted against the template).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .article import html_to_text
from .errors import MissingRequiredBlock, PublishingError
from .frontmatter import read_source


@dataclass(frozen=True)
class RequiredBlock:
    key: str           # "crisis" or "disclaimer": its file and its partial's macro
    id: str
    name: str          # what a person calls it, in error messages
    title: str
    body_html: str
    source: Path

    @property
    def text(self) -> str:
        return html_to_text(self.body_html)

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


BLOCK_FILES = {
    "crisis": ("crisis-988", "crisis information (988 Suicide and Crisis Lifeline)"),
    "disclaimer": ("medical-disclaimer", "medical disclaimer"),
}


def load_required_blocks(required_dir: Path) -> RequiredBlocks:
    blocks = {}
    for key, (block_id, name) in BLOCK_FILES.items():
        path = required_dir / f"{key}.md"
        if not path.is_file():
            raise PublishingError(path, f"the {name} is missing",
                                  hint=f"restore {path.name}: every product must carry it")
        source = read_source(path)
        unknown = set(source.metadata) - {"title"}
        if unknown:
            key_name = sorted(unknown)[0]
            raise PublishingError(path, f"unknown front matter key '{key_name}'", line=source.key_lines[key_name],
                                  hint="a required block has only a 'title'")
        title = source.metadata.get("title")
        if not isinstance(title, str) or not title.strip():
            raise PublishingError(path, "the block has no 'title'", line=1, hint="add 'title: ...' to its front matter")
        if not source.body.strip():
            raise PublishingError(path, f"the {name} has no text", line=source.body_line,
                                  hint="write the block's text below the front matter")
        from . import markup
        blocks[key] = RequiredBlock(key=key, id=block_id, name=name, title=" ".join(title.split()),
                                    body_html=markup.to_html(source.body).html, source=path)
    return RequiredBlocks(**blocks)


_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                         "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"'})
_NOT_COMPARED = re.compile(r"[\s\u00ad\u2010\u2011\u2012\u2013\u2014\u2015\-]+")


def normalise(text: str) -> str:
    """Fold what layout changes (whitespace, quotes, hyphenation, dashes) so only wording counts."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _NOT_COMPARED.sub("", text).casefold()


def contains(document_text: str, block: RequiredBlock) -> bool:
    haystack = normalise(document_text)
    return all(normalise(part) in haystack for part in block.proof_texts)


def require(product: str, where: str, text: str, block: RequiredBlock, built: Path) -> None:
    """Raise MissingRequiredBlock unless ``text`` (extracted from ``built``) carries ``block``."""
    if not contains(text, block):
        raise MissingRequiredBlock(
            built, f"{product}: the {block.name} is missing from {where}",
            hint=f"the layout must place it with the {block.key}() macro of layouts/_partials/required.html")
