"""What `invoke check` needs besides Python, Java for EPUBCheck and Chromium, and what a member of staff
sees on a machine that lacks them: a refusal at once that names the command installing them, never a
half-checked PASS."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE, copy_project, invoke

# What Ubuntu's apt package for Chromium leaves behind without snapd: a launcher that only says so.
UBUNTU_WRAPPER = """#!/bin/sh
echo "Command '/usr/bin/chromium-browser' requires the chromium snap to be installed." >&2
echo "Please install it with:" >&2
echo "" >&2
echo "snap install chromium" >&2
exit 1
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A project copy, built once (no check yet)."""
    project = copy_project(tmp_path_factory.mktemp("needs"))
    result = invoke("build", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    return project


def _programs(folder: Path, **links: str) -> str:
    """A PATH of one folder holding only ``links`` (name -> the program it runs), as on a machine with
    nothing else installed."""
    folder.mkdir()
    for name, target in links.items():
        (folder / name).symlink_to(target)
    return str(folder)


def test_check_without_java_or_a_working_chromium_refuses_at_once_naming_the_install_command(built, tmp_path):
    programs = tmp_path / "bin"
    path = _programs(programs)
    (programs / "chromium").write_text(UBUNTU_WRAPPER)
    (programs / "chromium").chmod(0o755)

    result = invoke("check", cwd=built, env={"PATH": path})

    assert result.returncode == 2
    assert result.stdout == ""  # no table: nothing was checked
    assert result.stderr.splitlines() == [
        "error: Java is not installed (needed by EPUBCheck, which validates every guide); run ./install to "
        "install it (or: sudo apt-get install default-jdk-headless)",
        f"error: Chromium ({programs / 'chromium'}) does not start: snap install chromium (needed by the browser "
        "that witnesses that the safety blocks are visible); run ./install to install it (or: sudo apt-get "
        "install chromium; on Ubuntu: sudo snap install chromium)",
        "Nothing was checked: the gate refuses to vouch for build/ without its validators.",
    ]
    assert not (built / "build" / "check.json").exists()
    assert not (built / "build" / ".gate").exists()


def test_the_gate_itself_fails_a_guide_epubcheck_could_not_check(built, monkeypatch):
    """Called without the command's first question (as another tool might), a guide is never passed unchecked."""
    from publishing.gate import failed, run_checks
    from publishing.site import load_site

    monkeypatch.setenv("PATH", "")
    site = load_site(built, out=built / "unchecked")
    shutil.copytree(built / "build", built / "unchecked")
    rows = run_checks(site).rows

    [row] = [r for r in rows if r.check == "EPUBCheck"]
    assert (row.article, row.product, row.status) == (SAMPLE, "guide", "fail")
    assert row.detail == "not run: Java is not installed; run ./install"
    assert failed(rows)


def test_with_java_and_chromium_on_path_the_gate_runs_and_passes(built, tmp_path):
    """The harmless case: the tools in another place (Chromium first on PATH, as Ubuntu's snap puts it)."""
    path = _programs(
        tmp_path / "bin",
        java=os.path.realpath(shutil.which("java") or "java"),
        javac=os.path.realpath(shutil.which("javac") or "javac"),
        chromium="/usr/bin/chromium",
    )
    result = invoke("check", cwd=built, env={"PATH": f"{path}{os.pathsep}/usr/bin{os.pathsep}/bin"})

    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((built / "build" / "check.json").read_text())
    statuses = {(r["product"], r["check"]): r["status"] for r in report["rows"] if r["article"] == SAMPLE}
    assert statuses[("guide", "EPUBCheck")] == "pass"


def test_this_machine_has_everything_the_gate_needs():
    """CI installs with ./install --test: a gate test that silently skipped its validators would prove nothing."""
    from publishing.gate.needs import missing_tools

    assert missing_tools() == []


def test_the_readmes_first_command_installs_every_system_package_the_gate_names(tmp_path):
    """On a machine with nothing installed (no Python, no Java, no Chromium), `./install` without --test
    asks for every Debian package the gate's refusals tell staff to install: after the README's first
    command, `invoke check` has all it needs."""
    import re
    import subprocess

    from publishing.gate.needs import GATE_TOOLS

    bare = _programs(tmp_path / "bin", bash=shutil.which("bash"), dirname=shutil.which("dirname"))
    listed = subprocess.run(
        [str(ROOT / "install"), "--packages"], env={"PATH": bare}, capture_output=True, text=True, timeout=60
    )
    assert listed.returncode == 0, listed.stderr
    packages = set(listed.stdout.split())
    named = {
        package
        for tool in GATE_TOOLS
        for command in re.findall(r"apt-get install ([\w.+-]+(?: [\w.+-]+)*)", tool.by_hand)
        for package in command.split()
    }
    assert named == {"default-jdk-headless", "chromium", "chromium-driver"}
    assert named <= packages, f"./install leaves out {sorted(named - packages)}"
    assert {"python3", "python3-venv"} <= packages  # no Python at all: the distribution's own
    assert "poppler-utils" not in packages  # what only the tests need waits for --test
