"""What every product of one build shares: the folders, the settings and the required blocks."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from .project import Project
from .required import RequiredBlocks, load_required_blocks
from .settings import Settings, load_settings


class Site:
    """The folders, the settings and (loaded on first use, which a no-op build never needs) the blocks."""

    def __init__(self, project: Project, settings: Settings):
        self.project = project
        self.settings = settings

    @cached_property
    def blocks(self) -> RequiredBlocks:
        return load_required_blocks(self.project.required_dir)


def load_site(root: Path, *, sources: Path | str | None = None, out: Path | str | None = None) -> Site:
    project = Project.at(root, sources=sources, out=out)
    return Site(project=project, settings=load_settings(project.root / "pyproject.toml"))
