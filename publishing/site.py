"""What every product of one build shares: the folders, the settings and the required blocks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .project import Project
from .required import RequiredBlocks, load_required_blocks
from .settings import Settings, load_settings


@dataclass(frozen=True)
class Site:
    project: Project
    settings: Settings
    blocks: RequiredBlocks


def load_site(root: Path, *, sources: Path | str | None = None, out: Path | str | None = None) -> Site:
    project = Project.at(root, sources=sources, out=out)
    settings = load_settings(project.root / "pyproject.toml")
    return Site(project=project, settings=settings, blocks=load_required_blocks(project.required_dir))
