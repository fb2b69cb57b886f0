"""Where the project's folders are: found from the project root, not from this package."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Folders:
    """The folders one build reads from and writes to."""

    root: Path
    sources: Path
    layouts: Path
    out: Path

    @property
    def required_dir(self) -> Path:
        # The clinic's required blocks are one for all articles, whichever --sources is built.
        return self.root / "sources" / "_required"

    @classmethod
    def at(cls, root: Path, *, sources: Path | str | None = None, out: Path | str | None = None) -> Folders:
        # Folders given on the command line are relative to where the user is, like any shell path.
        root = Path(root).resolve()
        return cls(
            root=root,
            sources=Path(sources).resolve() if sources else root / "sources",
            layouts=root / "layouts",
            out=Path(out).resolve() if out else root / "build",
        )
