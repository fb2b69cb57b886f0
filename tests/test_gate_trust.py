"""`invoke check` believes only what it can verify: a cache entry it did not write (or that is damaged) is
checked again, never a crash and never a pass; the EPUBCheck helper it runs is its own, by digest, never a
program found in build/; and a product is its own article's, not another's copied under its name."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import SAMPLE, add_copies, copy_project, invoke

CACHE = ".gate-cache.json"


def _check(project: Path, private: Path, *args: str):
    result = invoke("check", *args, cwd=project, env={"XDG_CACHE_HOME": str(private)})
    assert "Traceback" not in result.stderr, result.stderr
    return result, json.loads((project / "build/check.json").read_text())["rows"]


def _failures(rows) -> list[tuple[str, str, str]]:
    return [(row["article"], row["product"], row["check"]) for row in rows if row["status"] == "fail"]


@pytest.fixture(scope="module")
def checked_project(tmp_path_factory):
    """The sample and one copy, built and checked once, with this test's own private cache folder."""
    project = copy_project(tmp_path_factory.mktemp("trust"))
    add_copies(project, 1)
    private = tmp_path_factory.mktemp("user-cache")
    assert invoke("build", cwd=project).returncode == 0
    result, rows = _check(project, private)
    assert result.returncode == 0 and not _failures(rows), result.stdout
    return project, private


@pytest.fixture
def project(checked_project, tmp_path):
    """A copy of the checked project (its build/ and cache included) for one test to tamper with."""
    source, private = checked_project
    target = tmp_path / "project"
    shutil.copytree(source, target, symlinks=True)
    return target, private


def test_an_unchanged_library_is_still_answered_from_the_cache(project):
    folder, private = project
    result, rows = _check(folder, private)
    assert "checks reused from the last run" in result.stdout and not _failures(rows)


def test_malformed_rows_under_a_matching_key_are_checked_again_not_a_crash(project):
    folder, private = project
    cache = json.loads((folder / "build" / CACHE).read_text())
    for number, entry in enumerate(cache["entries"].values()):
        damage = [{"bogus": 1}, "rows", [None], [{"article": 1}], {"x": 2}][number % 5]
        entry["rows" if "rows" in entry else "row"] = damage
        entry.pop("proven", None) if number % 2 else entry.update(loaded="yes")
    (folder / "build" / CACHE).write_text(json.dumps(cache))
    result, rows = _check(folder, private)
    assert result.returncode == 0 and not _failures(rows), result.stdout
    assert "checks reused from the last run" not in result.stdout  # every damaged entry was checked again


def test_a_forged_pass_for_a_truncated_handout_is_not_believed(project):
    """The attack: truncate the PDF, check it once (it fails), then write "pass" rows under the same key."""
    folder, private = project
    pdf = folder / "build/handouts" / f"{SAMPLE}.pdf"
    pdf.write_bytes(pdf.read_bytes()[: pdf.stat().st_size // 2])
    result, rows = _check(folder, private)
    assert result.returncode != 0 and (SAMPLE, "handout", "required blocks") in _failures(rows)

    cache = json.loads((folder / "build" / CACHE).read_text())
    entry = cache["entries"][f"product:handouts/{SAMPLE}.pdf"]
    entry["rows"] = [
        {
            "article": SAMPLE,
            "product": "handout",
            "check": "required blocks",
            "status": "pass",
            "detail": "",
            "facts": {},
        }
    ]
    entry["proven"] = True
    (folder / "build" / CACHE).write_text(json.dumps(cache))
    result, rows = _check(folder, private)
    assert result.returncode != 0 and (SAMPLE, "handout", "required blocks") in _failures(rows)


def test_a_cache_written_by_someone_else_is_not_reused(project, tmp_path):
    """build/ restored from elsewhere (a CI cache, a shared folder): its verdicts were signed by another key."""
    folder, _ = project
    result, rows = _check(folder, tmp_path / "another-users-cache")
    assert "reused" not in result.stdout and not _failures(rows), result.stdout


FAKE_HELPER = """
import java.io.*;
public class EpubCheckBatch {
  public static void main(String[] args) throws Exception {
    new FileWriter(System.getProperty("java.io.tmpdir") + "/MARKER").close();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    System.out.println("{\\"version\\": \\"fake\\"}");
    for (String line; (line = in.readLine()) != null; ) {
      System.out.println("{\\"path\\": \\"" + line + "\\", \\"fatal\\": 0, \\"error\\": 0, \\"warning\\": 0, "
        + "\\"usage\\": 0, \\"messages\\": [], \\"failure\\": null}");
      System.out.flush();
    }
  }
}
""".replace("MARKER", "fake-epubcheck-ran")


def _fake_helper(folder: Path) -> Path:
    source = folder / "EpubCheckBatch.java"
    source.write_text(FAKE_HELPER)
    subprocess.run(["javac", "-d", str(folder), str(source)], check=True, capture_output=True)
    jar = folder / "fake.jar"
    with zipfile.ZipFile(jar, "w") as archive:
        archive.write(folder / "EpubCheckBatch.class", "EpubCheckBatch.class")
    return jar


def _break_for_epubcheck(epub: Path) -> None:
    """Add a file the package does not declare: EPUBCheck's OPF-003, and nothing the proof reads changes."""
    with zipfile.ZipFile(epub, "a") as book:
        book.writestr("EPUB/stray.css", "p {}")


@pytest.mark.skipif(not shutil.which("javac"), reason="the batch helper needs a Java compiler")
def test_a_replaced_epubcheck_helper_is_never_run(project, tmp_path):
    """A program put where the helper is kept (build/.gate/, as before, or the user's cache folder) does not
    run: the guide EPUBCheck fails still fails."""
    import tempfile

    folder, private = project
    fake = _fake_helper(tmp_path)
    marker = Path(tempfile.gettempdir()) / "fake-epubcheck-ran"
    marker.unlink(missing_ok=True)
    planted = [*(private / "clinic-publishing").glob("epubcheck-batch-*.jar")]
    assert planted, "the helper is compiled into the user's cache folder"
    for helper in planted:
        shutil.copy(fake, helper)
    (folder / "build/.gate").mkdir(exist_ok=True)
    for name in (f"epubcheck-batch-{'0' * 16}.jar", *(p.name for p in planted)):
        shutil.copy(fake, folder / "build/.gate" / name)
    _break_for_epubcheck(folder / "build/guides" / f"{SAMPLE}.epub")

    result, rows = _check(folder, private)
    assert (SAMPLE, "guide", "EPUBCheck") in _failures(rows), result.stdout
    assert [r["detail"] for r in rows if r["check"] == "EPUBCheck" and r["article"] == SAMPLE][0].find("OPF-003") >= 0
    assert not marker.exists(), "the planted program ran"


@pytest.mark.parametrize(
    "product, folder_name, suffixes",
    [("handout", "handouts", [".pdf"]), ("guide", "guides", [".epub"]), ("newsletter", "newsletters", [".html"])],
)
def test_another_articles_product_copied_under_this_name_fails(project, product, folder_name, suffixes):
    folder, private = project
    for suffix in suffixes:
        shutil.copy(
            folder / "build" / folder_name / f"copy-0{suffix}", folder / "build" / folder_name / f"{SAMPLE}{suffix}"
        )
    result, rows = _check(folder, private)
    assert result.returncode != 0
    [row] = [r for r in rows if (r["article"], r["product"], r["check"]) == (SAMPLE, product, "is this article's")]
    assert row["status"] == "fail" and f"it is not the product of {SAMPLE}.md as it is now" in row["detail"]
    assert not [r for r in rows if r["article"] == "copy-0" and r["status"] == "fail"]
