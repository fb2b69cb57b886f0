"""Run a command with real file systems mounted where a test wants them: a read-only bind mount of a
folder, or a tiny tmpfs that fills up (a full disk), in a private mount namespace (`unshare -m`), so
nothing outside the command sees them. Tests run as root, who writes to any folder whatever its mode:
a read-only mount is the one way to refuse root a write."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT


def _can_unshare() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    return probe.returncode == 0


needs_mounts = pytest.mark.skipif(not _can_unshare(), reason="needs unshare -m (a private mount namespace)")


def read_only(folder: Path) -> str:
    return f"mount --bind {shlex.quote(str(folder))} {shlex.quote(str(folder))} && mount -o remount,ro,bind " + (
        shlex.quote(str(folder))
    )


def small_disk(folder: Path, size: str = "300k") -> str:
    return f"mount -t tmpfs -o size={size} tmpfs {shlex.quote(str(folder))}"


def run_mounted(mounts: list[str], argv: list[str], cwd: Path, keep: Path | None = None) -> subprocess.CompletedProcess:
    """``argv`` with ``mounts`` (shell commands from read_only/small_disk) in place, as a user runs it; its
    exit code is the command's. With ``keep``, what is in build/ afterwards is copied there (a tmpfs
    mounted for the command is gone once it ends)."""
    copy = f" ; code=$? ; cp -a build/. {shlex.quote(str(keep))}/ ; exit $code" if keep else ""
    script = " && ".join(mounts) + " && { " + shlex.join(argv) + copy + " ; }"
    return subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", script],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
    )


def invoke_mounted(mounts: list[str], *args: str, cwd: Path, keep: Path | None = None) -> subprocess.CompletedProcess:
    return run_mounted(mounts, [sys.executable, "-m", "invoke", *args], cwd, keep)
