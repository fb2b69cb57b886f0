"""Sources are written by many hands and pasted from the web. Nothing in one may run code in a
reader's inbox, read a file outside the project, reach the network, or hang a build."""

from __future__ import annotations

import hashlib
import http.server
import os
import re
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, add_copies, invoke
from extract import epub_documents, pdftotext

HEAD = "---\ntitle: {title}\ndescription: A test article.\nauthor: Care Team\n---\n\n"
SECRET = b"root:x:0:0"  # the first bytes of /etc/passwd


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (the standard library's name)
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def local_server():
    """An HTTP server on 127.0.0.1 that records every request a build might make."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _article(title: str, body: str) -> str:
    return HEAD.format(title=title) + body + "\n"


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory, local_server):
    """One build of a folder of hostile sources; returns the folder and the finished process."""
    folder = tmp_path_factory.mktemp("hostile")
    sources = folder / "sources"
    (sources / "images").mkdir(parents=True)
    (sources / "images" / "ok.png").write_bytes((ROOT / "tests/fixtures/rich/images/connections.png").read_bytes())
    pasted = f"""
Pasted from the web:

<script>alert('inbox')</script>
<p onclick="alert(1)" onmouseover="alert(2)">Handlers stripped.</p>
<a href="javascript:alert(3)">A javascript link</a> and <a href="data:text/html,<b>x</b>">a data link</a>.
<iframe src="{local_server}/frame"></iframe>
<object data="{local_server}/object"></object>
<form action="{local_server}/form"><input name="q"></form>
<table><tr><td style="background: url({local_server}/css)">Styled cell</td></tr></table>
<a rel="attachment" href="/etc/passwd">attachment link</a>
<link rel="attachment" href="/etc/passwd">
<svg onload="alert(4)"><circle r="4"/></svg>
<style>body {{ background: url({local_server}/style) }}</style>

![A real picture](images/ok.png)
"""
    cases = {
        "pasted-html": pasted,
        "absolute-path": "![Secret](/etc/passwd)",
        "parent-path": "![Secret](../../../../etc/passwd)",
        "file-url": "![Secret](file:///etc/passwd)",
        "remote-image": f"![Remote]({local_server}/remote.png)",
        "data-image": '<img src="data:image/png;base64,iVBORw0KGgo=" alt="inline">',
        "huge-list": "".join("    " * i + f"- level {i}\n" for i in range(500)),
        "huge-line": "word " * 200_000,
        "huge-article": ("## Section\n\n" + "A sentence about sleep and mood. " * 300 + "\n\n") * 600,
    }
    for name, body in cases.items():
        (sources / f"{name}.md").write_text(_article(name.replace("-", " ").title(), body))
    (sources / "nul-byte.md").write_bytes(_article("Nul", "Text\x00more").encode())
    (sources / "bom-crlf.md").write_bytes(
        b"\xef\xbb\xbf" + _article("Bom and CRLF", "Works\n\n- on\n- Windows").replace("\n", "\r\n").encode()
    )
    before = _tree_hash(sources)
    started = time.perf_counter()
    result = invoke("-r", str(ROOT), "build", "--sources", str(sources), "--out", str(folder / "build"), cwd=folder)
    elapsed = time.perf_counter() - started
    return folder, result, elapsed, before


def _tree_hash(folder) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _error(result, name: str) -> str:
    lines = [line for line in result.stderr.splitlines() if f"sources/{name}.md" in line]
    assert lines, result.stderr
    return lines[0]


def test_pasted_html_reaches_no_product(hostile_build):
    folder, result, _, _ = hostile_build
    build = folder / "build"
    html = (build / "newsletters/pasted-html.html").read_text().lower()
    text = (build / "newsletters/pasted-html.txt").read_text().lower()
    guide = " ".join(epub_documents(build / "guides/pasted-html.epub").values()).lower()
    pdf = pdftotext(build / "handouts/pasted-html.pdf").lower()
    for product in (html, guide):
        for forbidden in (
            "<script",
            "onclick",
            "onmouseover",
            "onload",
            "javascript:",
            "data:",
            "<iframe",
            "<object",
            "<form",
            "<input",
            "<svg",
            'attachment"',
            "url(",
        ):
            assert forbidden not in product, forbidden
    for product in (html, text, guide, pdf):
        assert "alert(" not in product
        assert "handlers stripped." in product and "styled cell" in product


def test_no_outside_file_gets_into_a_product(hostile_build):
    folder, _, _, _ = hostile_build
    for path in (folder / "build").rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_bytes(), path
            if path.suffix == ".epub":
                with zipfile.ZipFile(path) as archive:
                    assert all(SECRET not in archive.read(name) for name in archive.namelist())
    pdf = (folder / "build/handouts/pasted-html.pdf").read_bytes()
    assert b"/EmbeddedFile" not in pdf


@pytest.mark.parametrize(
    "name, message",
    [
        ("absolute-path", "image '/etc/passwd' is not a path inside sources/; link images by a relative path"),
        ("parent-path", "image '../../../../etc/passwd' is outside sources/; copy it into sources/images/"),
        ("file-url", "image 'file:///etc/passwd' is not a path inside sources/"),
        ("remote-image", "is not fetched at build time; run 'invoke fetch-images remote-image' once to save it"),
        ("data-image", "image 'data:image/png;base64,iVBORw0KGgo=' is not a path inside sources/"),
        ("huge-list", "lists or quotes are nested 13 levels deep (at most 12); flatten the list or quote"),
        ("huge-line", "the line is 1,000,000 characters long (at most 10,000); break it into paragraphs"),
        ("huge-article", "KB; at most 400 KB is supported; split it into several articles"),
        ("nul-byte", "the file contains a NUL character"),
    ],
)
def test_each_hostile_source_gets_a_clear_error(hostile_build, name, message):
    _, result, _, _ = hostile_build
    line = _error(result, name)
    assert re.match(rf"^sources/{name}\.md:\d+: error: ", line), line
    assert message in line
    assert "Traceback" not in result.stderr


def test_the_network_is_never_used(hostile_build):
    assert _Recorder.requests == []


def test_odd_but_honest_input_builds(hostile_build):
    folder, _, _, _ = hostile_build
    for path in ("handouts/bom-crlf.pdf", "guides/bom-crlf.epub", "newsletters/bom-crlf.html"):
        assert (folder / "build" / path).is_file()
    assert "Windows" in (folder / "build/newsletters/bom-crlf.txt").read_text()


def test_hostile_input_fails_and_the_build_never_touches_sources(hostile_build):
    folder, result, _, before = hostile_build
    assert _tree_hash(folder / "sources") == before
    assert result.returncode != 0


def test_a_build_killed_halfway_leaves_the_previous_products_intact(project_copy):
    """SIGKILL in the middle of a rebuild: every product in build/ is a complete one, no temporary files."""
    add_copies(project_copy, 8)
    assert invoke("build", cwd=project_copy).returncode == 0
    before = {p: p.read_bytes() for p in (project_copy / "build").rglob("*") if p.is_file()}

    css = project_copy / "layouts/handout/handout.css"
    css.write_text(css.read_text() + "\n/* a change that rebuilds every handout */\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "invoke", "build", "--jobs", "2"],
        cwd=project_copy,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    # Wait until the build is producing (the first handout is done), then kill the whole group while
    # it is still at work: eight more handouts are to come.
    assert process.stdout is not None and process.stdout.readline().startswith(b"built")
    assert process.poll() is None, "the build ended before it could be killed halfway"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL

    # What the killed build was writing stays in its staging folder (build/.build-tmp/, a dot folder no
    # one prints from, removed by the next build), never among the products.
    after = [p for p in (project_copy / "build").rglob("*") if p.is_file() and ".build-tmp" not in p.parts]
    assert sorted(after) == sorted(before), "a file appeared or vanished in build/"
    from pypdf import PdfReader

    for path in after:
        if path.suffix == ".pdf":
            assert len(PdfReader(path).pages) >= 1  # complete: old or new, never half-written
        elif path.name != ".publishing-state.json":
            assert path.read_bytes() == before[path]  # guides and newsletters were not being rebuilt
    # The next build cleans up and finishes the job.
    assert invoke("build", cwd=project_copy).returncode == 0
    assert not (project_copy / "build/.build-tmp").exists() or not any((project_copy / "build/.build-tmp").iterdir())


def _as_a_terminal_starts_it() -> None:
    """Ctrl+C as a shell leaves it for the program it starts: default and unblocked, whatever this test
    process inherited (an ignored or blocked SIGINT survives exec and would make the build deaf to it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _start_build(project: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "invoke", "build", *args],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=_as_a_terminal_starts_it,
    )


def test_ctrl_c_stops_a_parallel_build_quietly_and_cleanly(project_copy):
    project = project_copy
    add_copies(project, 6)
    process = _start_build(project, "--jobs", "2")
    assert process.stdout.readline().startswith(b"built")
    os.killpg(process.pid, signal.SIGINT)  # what the terminal sends every process on Ctrl+C
    _, errors = process.communicate(timeout=60)

    assert process.returncode != 0
    assert b"Traceback" not in errors, errors.decode()
    assert not (project / "build/.build-tmp").exists(), "a staging folder was left behind"
    # What was finished is known: the next build does only the rest.
    result = invoke("build", cwd=project)
    assert result.returncode == 0 and re.search(r"[1-9]\d* up to date", result.stdout), result.stdout


SWALLOWED_CTRL_C = """
import signal, sys
from publishing import cli

def command():
    try:
        signal.raise_signal(signal.SIGINT)  # Ctrl+C, landing where Python only says "Exception ignored"
    except KeyboardInterrupt:
        pass
    return 0

sys.exit(cli.run(command))
"""


def test_a_ctrl_c_that_python_swallowed_still_ends_the_command_as_stopped():
    """A Ctrl+C's KeyboardInterrupt can land in a finaliser, where Python drops it; the command still
    ends as stopped (status 130), never as if it had finished."""
    result = subprocess.run(
        [sys.executable, "-c", SWALLOWED_CTRL_C],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_as_a_terminal_starts_it,
    )
    assert result.returncode == 130, result.stderr
    assert "Traceback" not in result.stderr


def test_what_a_stopped_build_left_in_staging_goes_with_the_next_build_but_a_running_build_keeps_its_own(
    project_copy,
):
    """A Ctrl+C can land while a staging folder is being removed; whatever a stopped process left is
    cleared by the next build, even one with nothing to do, and a build still at work keeps its folder."""
    assert invoke("build", cwd=project_copy).returncode == 0
    gone = subprocess.Popen(["true"])
    gone.wait()
    beside = subprocess.Popen(["sleep", "60"])  # another build, still at work
    try:
        staging = project_copy / "build/.build-tmp"
        for pid in (gone.pid, beside.pid):
            (staging / f"{pid}-x").mkdir(parents=True)
            (staging / f"{pid}-x/half.pdf").write_bytes(b"%PDF-1.7 half")
        result = invoke("build", cwd=project_copy)
        assert result.returncode == 0 and "Nothing to do" in result.stdout + result.stderr, result.stdout
        assert [p.name for p in staging.iterdir()] == [f"{beside.pid}-x"]
    finally:
        beside.kill()
        beside.wait()


def test_a_reader_that_stops_reading_stops_the_build_without_a_traceback(project_copy):
    """`invoke build | head -1`: the build stops at its next line, like any Unix tool."""
    project = project_copy
    add_copies(project, 6)
    process = _start_build(project, "--jobs", "2")
    assert process.stdout.readline().startswith(b"built")
    process.stdout.close()
    errors = process.stderr.read()
    process.wait(timeout=60)

    assert process.returncode == 1
    assert b"Traceback" not in errors and b"Exception ignored" not in errors, errors.decode()
    assert not (project / "build/.build-tmp").exists(), "a staging folder was left behind"
