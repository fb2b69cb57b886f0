"""Where products are written before they are proven: a private folder inside build/ itself, so the final
move into place is an atomic rename on the same file system even when build/ is a mount of its own,
and a failed or killed build leaves nothing half-written where staff would open it (the folder's
name starts with a dot: the gate, the preview and `invoke check` never take it for a product)."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from .site import Site


def staging_root(site: Site) -> Path:
    return site.folders.out / ".build-tmp"


class Staging:
    """A private folder in build/ (its file system, so the final move is an atomic rename)."""

    def __init__(self, site: Site):
        self.root = staging_root(site)

    def __enter__(self) -> Path:
        while True:
            self.root.mkdir(parents=True, exist_ok=True)
            try:
                # The owner's process id is in the name, so leftovers of a killed build can be told apart.
                self.path = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=self.root))
                return self.path
            except FileNotFoundError:
                continue  # another build finishing beside us removed the empty root: make it again

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    @staticmethod
    def remove_leftovers(site: Site, *, own_too: bool = False) -> None:
        """Delete staging folders of builds that were killed (their process is gone); with ``own_too``,
        this process's as well (a Ctrl+C can land in the middle of a folder's removal)."""
        root = staging_root(site)
        for folder in root.glob("*-*") if root.is_dir() else ():
            pid = folder.name.split("-", 1)[0]
            if pid.isdigit() and ((own_too and int(pid) == os.getpid()) or not _alive(int(pid))):
                shutil.rmtree(folder, ignore_errors=True)

    @staticmethod
    def tidy(site: Site) -> None:
        """Once every worker is done: remove what this process and its stopped workers left, then the
        root, unless another build at work beside this one still has a folder in it."""
        Staging.remove_leftovers(site, own_too=True)
        try:
            staging_root(site).rmdir()
        except OSError:
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed worker may linger as a zombie until it is reaped: that is not alive
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][:1] != "Z"
    except (OSError, IndexError):
        return True


class collect_warnings(logging.Handler):
    """Record what WeasyPrint (and friends) warn about, to show it with the product."""

    LOGGERS = ("weasyprint", "publishing")  # publishing.handout: a glyph printed in a system font

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def __enter__(self) -> list[str]:
        self.propagated = {}
        for name in self.LOGGERS:
            logger = logging.getLogger(name)
            logger.addHandler(self)
            self.propagated[name] = logger.propagate
            logger.propagate = False  # shown with the product, not a second time by the root logger
        return self.messages

    def __exit__(self, *exc) -> None:
        for name in self.LOGGERS:
            logger = logging.getLogger(name)
            logger.removeHandler(self)
            logger.propagate = self.propagated[name]
