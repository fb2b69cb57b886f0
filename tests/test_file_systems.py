"""build/ and sources/ where the machine puts them: build/ (or one of its folders) a mount of its own, a disk
that fills up, a read-only build/ or sources/. Each is a real file system (tmpfs, a read-only bind mount) in
a private mount namespace; every one ends in a clear `path: error: ...` line or a good build, never a
traceback, and never half a file where staff would open it."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from conftest import SAMPLE, invoke
from mounts import invoke_mounted, needs_mounts, read_only, small_disk

pytestmark = needs_mounts


def _complete(path: Path) -> bool:
    """A product file that opens as what it is."""
    if path.suffix == ".pdf":
        from pypdf import PdfReader

        return len(PdfReader(path).pages) >= 1
    if path.suffix == ".epub":
        with zipfile.ZipFile(path) as book:
            return book.testzip() is None
    if path.suffix == ".html":
        return path.read_text().rstrip().endswith("</html>")
    return path.stat().st_size > 0


def _products(build: Path) -> list[Path]:
    return [p for p in build.rglob("*") if p.is_file() and p.suffix in (".pdf", ".epub", ".html", ".txt", ".eml")]


@pytest.mark.parametrize("mounted", ["build", "build/handouts"])
def test_build_on_a_file_system_of_its_own_builds_every_product(project_copy, tmp_path, mounted):
    """build/ mounted on its own, or build/handouts/ alone (then the move crosses file systems: a copy in
    the target's folder, flushed, then renamed there)."""
    (project_copy / mounted).mkdir(parents=True)
    kept = tmp_path / "kept"
    kept.mkdir()
    result = invoke_mounted([small_disk(project_copy / mounted, "64m")], "build", cwd=project_copy, keep=kept)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    products = _products(kept)
    assert {p.name for p in products} >= {f"{SAMPLE}.pdf", f"{SAMPLE}.epub", f"{SAMPLE}.html", f"{SAMPLE}.eml"}
    assert all(_complete(p) for p in products)
    assert not [p for p in kept.rglob("*") if p.name.endswith(".tmp") or ".build-tmp" in p.parts]


def test_a_full_disk_is_a_clear_error_and_leaves_no_half_file(project_copy, tmp_path):
    (project_copy / "build").mkdir()
    kept = tmp_path / "kept"
    kept.mkdir()
    result = invoke_mounted([small_disk(project_copy / "build", "120k")], "build", cwd=project_copy, keep=kept)
    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
    assert "No space left on device; free some disk space and make build/ writable" in result.stderr
    assert all(_complete(p) for p in _products(kept)), [p.name for p in _products(kept)]
    assert not [p for p in kept.rglob("*") if p.name.endswith(".tmp")]


def _tree(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path).encode() + (path.read_bytes() if path.is_file() else b""))
    return digest.hexdigest()


def test_a_read_only_build_folder_is_a_clear_error_and_is_left_as_it_was(project_copy):
    assert invoke("build", "--only", "guide", cwd=project_copy).returncode == 0
    before = _tree(project_copy / "build")
    result = invoke_mounted([read_only(project_copy / "build")], "build", "--force", cwd=project_copy)
    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
    assert "error: cannot write build/" in result.stderr and "Read-only file system" in result.stderr
    assert _tree(project_copy / "build") == before


@pytest.mark.parametrize(
    "command, created",
    [(("new", "Sleep and Mood"), "sleep-and-mood.md"), (("translate", SAMPLE, "--lang", "es"), f"{SAMPLE}.es.md")],
)
def test_a_read_only_sources_folder_is_a_clear_error_for_new_and_translate(project_copy, command, created):
    before = _tree(project_copy / "sources")
    result = invoke_mounted([read_only(project_copy / "sources")], *command, cwd=project_copy)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith(f"sources/{created}: error: cannot write sources/{created}: Read-only file system")
    assert _tree(project_copy / "sources") == before


def test_translate_current_on_a_read_only_sources_folder_leaves_the_translation_whole(project_copy):
    from conftest import add_spanish_translation

    translation = add_spanish_translation(project_copy)
    source = project_copy / "sources" / f"{SAMPLE}.md"
    source.write_text(source.read_text() + "\nA new paragraph.\n")  # the translation is now stale
    before = translation.read_bytes()
    result = invoke_mounted(
        [read_only(project_copy / "sources")], "translate", SAMPLE, "--lang", "es", "--current", cwd=project_copy
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert f"cannot write sources/{SAMPLE}.es.md: Read-only file system" in result.stderr
    assert translation.read_bytes() == before


def test_the_move_across_file_systems_on_its_own(tmp_path):
    """/dev/shm is another file system here: the same fallback without a mount namespace."""
    import os

    from publishing.files import move_into_place

    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("no second file system to move across")
    target_folder = Path(os.path.realpath(shm)) / f"move-test-{os.getpid()}"
    target_folder.mkdir()
    try:
        staged = tmp_path / "handout.pdf"
        staged.write_bytes(b"%PDF-1.7 whole")
        (target_folder / "handout.pdf").write_bytes(b"the previous one")
        move_into_place(staged, target_folder / "handout.pdf")
        assert (target_folder / "handout.pdf").read_bytes() == b"%PDF-1.7 whole" and not staged.exists()
        assert sorted(p.name for p in target_folder.iterdir()) == ["handout.pdf"]
    finally:
        for path in target_folder.iterdir():
            path.unlink()
        target_folder.rmdir()
