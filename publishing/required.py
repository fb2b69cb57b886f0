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

from .article import html_to_text
from .errors import PublishingError
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
