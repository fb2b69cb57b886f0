"""Staff run `invoke build` again and again: when nothing changed, the answer comes at once (from the
file system's record of changes, unchanged.py), and whenever anything a build reads did change, the
build goes the slow way and sees it, even an edit that keeps the file's size and modification time."""

from __future__ import annotations

import json
import os
import re

import pytest

from publishing import build, cli, unchanged

from conftest import SAMPLE, copy_project

NOTE = unchanged.NOTE_FILE


@pytest.fixture
def project(tmp_path, monkeypatch):
    """The sample project, built, and a build with nothing to do run once (which leaves the note).

    Files the test writes just before a build are as new as the build: the margin for file systems
    whose clocks are coarse (RACY_NS) is set to nothing here, so a note is left after them too."""
    monkeypatch.setattr(unchanged, "RACY_NS", 0)
    folder = copy_project(tmp_path)
    assert run(folder)[0] == 0
    code, said = run(folder)
    assert code == 0 and said.startswith("Nothing to do"), said
    assert (folder / "build" / NOTE).is_file()
    return folder


def run(project, **options) -> tuple[int, str]:
    """`invoke build` in ``project``, in this process: (exit code, what it printed)."""
    import contextlib
    import io

    printed = io.StringIO()
    arguments = {"sources": None, "out": None, "only": None, "jobs": 1, "force": False, **options}
    with contextlib.redirect_stdout(printed):
        code = cli.run(cli.build, project, **arguments)
    return code, printed.getvalue()


def built_slugs(said: str) -> set[str]:
    return set(re.findall(r"^built\s+\S*?/([a-z0-9-]+)\.(?:pdf|epub|html|txt|eml)", said, flags=re.MULTILINE))


@pytest.fixture
def library_read(monkeypatch):
    """How many times a build read the library the slow way (the build itself, not a stand-in)."""
    calls = []
    real = build.build_all

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(build, "build_all", counted)
    return calls


def test_a_build_with_nothing_to_do_again_answers_without_reading_the_library(project, library_read):
    code, said = run(project)
    assert code == 0
    assert said.strip() == "Nothing to do: all 5 product(s) of 1 article(s) are up to date (--force rebuilds them)."
    assert library_read == []


def test_an_edit_that_keeps_the_size_and_the_modification_time_is_built(project, library_read):
    """A word swapped for one as long, the file's modification time put back (as an editor restoring a
    backup, or `touch -r`, does): only the change time, which no program can set back, shows it."""
    source = project / "sources" / f"{SAMPLE}.md"
    before = source.stat()
    text = source.read_text(encoding="utf-8")
    assert "ketamine" in text
    source.write_text(text.replace("ketamine", "KETAMINE", 1), encoding="utf-8")
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert source.stat().st_size == before.st_size and source.stat().st_mtime_ns == before.st_mtime_ns
    code, said = run(project)
    assert code == 0, said
    assert built_slugs(said) == {SAMPLE, "index"}
    assert library_read == [1]


def test_a_deleted_product_is_built_again(project, library_read):
    (project / "build" / "handouts" / f"{SAMPLE}.pdf").unlink()
    code, said = run(project)
    assert code == 0, said
    written = re.findall(r"^built\s+(\S+)", said, flags=re.MULTILINE)
    assert any(name.endswith(f"handouts/{SAMPLE}.pdf") for name in written), said
    assert not any("guides/" in name or "newsletters/" in name for name in written), said
    assert library_read == [1]


def test_an_added_article_is_built(project, library_read):
    text = (project / "sources" / f"{SAMPLE}.md").read_text(encoding="utf-8")
    (project / "sources" / "copy-0.md").write_text(text.replace("title: How Does", "title: (0) How Does"))
    code, said = run(project)
    assert code == 0, said
    assert "copy-0" in built_slugs(said)


@pytest.mark.parametrize(
    "change",
    [
        {"only": "handout"},
        {"force": True},
        {"SOURCE_DATE_EPOCH": "1700000000"},
    ],
    ids=["other products asked for", "--force", "another SOURCE_DATE_EPOCH"],
)
def test_other_options_or_another_source_date_epoch_go_the_slow_way(project, library_read, monkeypatch, change):
    if "SOURCE_DATE_EPOCH" in change:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", change.pop("SOURCE_DATE_EPOCH"))
    code, said = run(project, **change)
    assert code == 0, said
    assert library_read == [1]


def test_a_changed_layout_or_setting_goes_the_slow_way(project, library_read):
    css = project / "layouts" / "handout" / "handout.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* a harmless comment */\n", encoding="utf-8")
    code, said = run(project)
    assert code == 0, said
    assert SAMPLE in built_slugs(said)  # the handout, and the web page that shows its look
    assert "guides/" not in said
    assert library_read == [1]


@pytest.mark.parametrize(
    "damage",
    ["{not json", json.dumps(["a", "list"]), json.dumps({"key": 1, "inputs": [], "extra": 3, "outputs": None})],
    ids=["not JSON", "not a note", "nonsense in its fields"],
)
def test_a_damaged_note_sends_the_build_the_slow_way_without_a_traceback(project, library_read, damage):
    (project / "build" / NOTE).write_text(damage, encoding="utf-8")
    code, said = run(project)
    assert code == 0 and said.startswith("Nothing to do"), said
    assert library_read == [1]


def test_no_note_is_left_when_a_file_changed_too_recently_to_trust_its_times(project, library_read, monkeypatch):
    """On a file system whose clock is coarse, a file written twice within one tick keeps its times: a
    file changed within RACY_NS of the survey leaves no note, and the next build goes the slow way."""
    monkeypatch.setattr(unchanged, "RACY_NS", 3_600 * 10**9)  # everything here is "just now"
    (project / "build" / NOTE).unlink()
    assert run(project)[1].startswith("Nothing to do")
    assert not (project / "build" / NOTE).exists()
    assert run(project)[1].startswith("Nothing to do")
    assert library_read == [1, 1]


def test_a_build_that_builds_something_removes_the_note(project):
    css = project / "layouts" / "handout" / "handout.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* a harmless comment */\n", encoding="utf-8")
    assert run(project)[0] == 0
    assert not (project / "build" / NOTE).exists()
