"""What every product of one build shares: the folders, the settings and the required blocks."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .folders import Folders
from .required import RequiredBlocks, load_required_blocks
from .settings import Settings, load_settings

if TYPE_CHECKING:
    from .catalogue import Catalogue


class Site:
    """The folders, the settings and (loaded on first use, which a no-op build never needs) the blocks."""

    def __init__(self, folders: Folders, settings: Settings):
        self.folders = folders
        self.settings = settings

    @cached_property
    def blocks(self) -> RequiredBlocks:
        return load_required_blocks(self.folders.required_dir)

    @cached_property
    def catalogue(self) -> Catalogue:
        """The articles in sources/ and their slugs (a build sets it from its own, cached, reading)."""
        from .catalogue import catalogue

        return catalogue(self.folders.sources)

    def load_blocks(self) -> RequiredBlocks:
        """Load the required blocks now: a missing or broken one stops a build before any product."""
        return self.blocks


def load_site(root: Path, *, sources: Path | str | None = None, out: Path | str | None = None) -> Site:
    folders = Folders.at(root, sources=sources, out=out)
    return Site(folders=folders, settings=load_settings(folders.root / "pyproject.toml"))
