"""`invoke fetch-images` takes a picture from the public web and nothing else: a pasted page cannot turn
it towards this machine or the clinic's network (by redirect or by any spelling of an address), a slow
server cannot hold it, and what is saved is a picture because its bytes decode as one.

Traffic goes only to servers on 127.0.0.1 that the tests start. The fetcher refuses loopback like any
private address; the tests give it an allowance for the origin of their own server alone (a parameter
the command never sets), so a redirect to any other loopback port shows the refusal. Private,
link-local and metadata addresses are refused by the address check itself, before any connection,
and are tested there."""

from __future__ import annotations

import http.server
import re
import struct
import sys
import threading
import time
import zlib

import pytest

from conftest import FIXTURES, SAMPLE, invoke
from mounts import needs_mounts, read_only, run_mounted

PNG = (FIXTURES / "rich/images/connections.png").read_bytes()
PAGE = b"<!doctype html><html><body>a page, not a picture</body></html>"


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` (and a scrap of data): a decompression bomb's
    first bytes. Written by hand so the test does not depend on the decoder it tests."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 4000))


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Another service on this machine: it must never be reached."""

    requests: list[str] = []

    def do_GET(self):  # noqa: N802
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, *args):
        pass


class _Site(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []
    internal = 0  # the port of the service that must not be reached

    def handle(self):
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the download cut a trickling answer off at its time limit, as it must

    def do_GET(self):  # noqa: N802
        _Site.requests.append(self.path)
        redirects = {
            "/to-file": "file:///etc/passwd",
            "/to-internal": f"http://127.0.0.1:{self.internal}/secret",
            "/to-internal-decimal": f"http://2130706433:{self.internal}/secret",
            "/to-internal-hex": f"http://0x7f.0.0.1:{self.internal}/secret",
            "/to-internal-ipv6": f"http://[::1]:{self.internal}/secret",
            "/to-internal-mapped": f"http://[::ffff:127.0.0.1]:{self.internal}/secret",
            "/to-localhost": f"http://localhost:{self.internal}/secret",
            "/to-metadata": "http://169.254.169.254/latest/meta-data/",
            "/to-relative": "/pictures/brain.png",
        }
        if self.path in redirects:
            self.send_response(302)
            self.send_header("Location", redirects[self.path])
            self.end_headers()
            return
        if self.path == "/slow-body":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            for byte in PNG:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.3)
            return
        if self.path == "/slow-headers":
            for byte in b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n":
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.3)
            return
        body, kind = {
            "/pictures/brain.png": (PNG, "image/png"),
            "/a-page": (PAGE, "text/html"),
            "/page-as.png": (PAGE, "image/png"),
            "/gzip.png": (b"\x1f\x8b\x08\x00" + zlib.compress(PAGE), "image/png"),
            "/truncated.png": (PNG[: len(PNG) // 2], "image/png"),
            "/bomb.png": (png_header_only(30000, 30000), "image/png"),
            "/shown-as-text": (PNG, "text/plain"),
        }.get(self.path, (b"not found", "text/plain"))
        self.send_response(200 if body != b"not found" else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _serve(handler) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def servers():
    internal, site = _serve(_Recorder), _serve(_Site)
    _Site.internal = internal.server_port
    yield site.server_port
    site.shutdown()
    internal.shutdown()


@pytest.fixture
def article(project_copy, servers, monkeypatch):
    """The sample article in a project copy, with a function that links one picture on the test server
    and fetches it as the command does, but with the test server's origin allowed."""
    from publishing.fetch_images import fetch_images
    from publishing.site import load_site

    _Site.requests, _Recorder.requests = [], []
    monkeypatch.chdir(project_copy)  # messages name files as the user sees them, from the project
    source = project_copy / "sources" / f"{SAMPLE}.md"

    def fetch(path: str, *, total_seconds: float = 30.0):
        source.write_text(source.read_text() + f"\n![A picture](http://127.0.0.1:{servers}{path})\n")
        site = load_site(project_copy)
        return fetch_images(site, SAMPLE, total_seconds=total_seconds, allowed_origin=("127.0.0.1", servers))

    fetch.source = source  # type: ignore[attr-defined]
    fetch.port = servers  # type: ignore[attr-defined]
    return fetch


def _refused(fetch, path: str, **options) -> str:
    from publishing.errors import PublishingError

    before = fetch.source.read_text()
    with pytest.raises(PublishingError) as refused:
        fetch(path, **options)
    message = str(refused.value)
    assert message.startswith(f"sources/{SAMPLE}.md: error: "), message
    assert fetch.source.read_text().startswith(before)  # not relinked
    images = fetch.source.parent / "images"
    assert not images.exists() or not list(images.iterdir()), "something was saved"
    return message


def test_a_picture_is_saved_and_relinked(article):
    [fetched], source = article("/pictures/brain.png")
    assert fetched.path.read_bytes() == PNG and fetched.media_type == "image/png"
    assert f"![A picture](images/{fetched.path.name})" in source.read_text()


def test_a_redirect_within_the_site_is_followed(article):
    [fetched], _ = article("/to-relative")
    assert fetched.path.read_bytes() == PNG
    assert _Site.requests == ["/to-relative", "/pictures/brain.png"]


def test_a_picture_served_as_text_is_kept_for_what_its_bytes_are(article):
    [fetched], _ = article("/shown-as-text")
    assert fetched.path.suffix == ".png" and fetched.media_type == "image/png"


@pytest.mark.parametrize(
    "path, address, why",
    [
        ("/to-internal", "127.0.0.1", "a loopback address (this machine)"),
        ("/to-internal-decimal", "127.0.0.1", "a loopback address (this machine)"),
        ("/to-internal-hex", "127.0.0.1", "a loopback address (this machine)"),
        ("/to-internal-ipv6", "::1", "a loopback address (this machine)"),
        ("/to-internal-mapped", "::ffff:127.0.0.1", "a loopback address (this machine)"),
        ("/to-localhost", "127.0.0.1", "a loopback address (this machine)"),
        ("/to-metadata", "169.254.169.254", "a link-local address (cloud metadata lives at 169.254.169.254)"),
    ],
)
def test_a_redirect_into_this_machine_or_the_cloud_metadata_is_refused_before_connecting(article, path, address, why):
    message = _refused(article, path)
    assert f"({address}), {why}: images are fetched only from public web servers" in message
    assert _Recorder.requests == []  # the internal service was never reached


def test_a_redirect_to_a_file_is_refused(article):
    assert "refused to fetch 'file:///etc/passwd': not an http(s) address" in _refused(article, "/to-file")


@pytest.mark.parametrize(
    "path, problem",
    [
        ("/a-page", "is not a picture (not a PNG, JPEG, GIF, WebP or SVG file) (the server said text/html)"),
        ("/page-as.png", "is not a picture (not a PNG, JPEG, GIF, WebP or SVG file) (the server said image/png)"),
        ("/gzip.png", "is not a picture (not a PNG, JPEG, GIF, WebP or SVG file) (the server said image/png)"),
        ("/truncated.png", "is damaged and cannot be decoded"),
        ("/bomb.png", "is 900 megapixels (at most 40), too large to decode safely"),
    ],
)
def test_what_is_not_a_whole_picture_is_not_saved_whatever_the_server_says(article, path, problem):
    message = _refused(article, path)
    assert f"'http://127.0.0.1:{article.port}{path}' {problem}" in message


@pytest.mark.parametrize("path", ["/slow-body", "/slow-headers"])
def test_a_server_that_sends_a_byte_at_a_time_is_cut_off_at_the_total_limit(article, path):
    started = time.monotonic()
    message = _refused(article, path, total_seconds=1.5)
    assert time.monotonic() - started < 5
    assert f"gave up on 'http://127.0.0.1:{article.port}{path}' after 1.5 s: the server is too slow" in message


@pytest.mark.parametrize(
    "host, address, why",
    [
        ("127.0.0.1", "127.0.0.1", "a loopback address (this machine)"),
        ("2130706433", "127.0.0.1", "a loopback address (this machine)"),
        ("0177.0.0.1", "127.0.0.1", "a loopback address (this machine)"),
        ("0x7f.1", "127.0.0.1", "a loopback address (this machine)"),
        ("localhost", "127.0.0.1", "a loopback address (this machine)"),
        ("::1", "::1", "a loopback address (this machine)"),
        ("::ffff:127.0.0.1", "::ffff:127.0.0.1", "a loopback address (this machine)"),
        ("2002:7f00:1::", "2002:7f00:1::", "a loopback address (this machine)"),  # 6to4 around 127.0.0.1
        ("0.0.0.0", "0.0.0.0", "the unspecified address (this machine)"),
        ("0", "0.0.0.0", "the unspecified address (this machine)"),
        ("::", "::", "the unspecified address (this machine)"),
        ("169.254.169.254", "169.254.169.254", "a link-local address (cloud metadata lives at 169.254.169.254)"),
        ("0xa9fea9fe", "169.254.169.254", "a link-local address (cloud metadata lives at 169.254.169.254)"),
        ("::ffff:169.254.169.254", "::ffff:169.254.169.254", "a link-local address"),
        ("64:ff9b::a9fe:a9fe", "64:ff9b::a9fe:a9fe", "a link-local address"),  # NAT64 around the metadata
        ("fe80::1", "fe80::1", "a link-local address"),
        ("10.1.2.3", "10.1.2.3", "a private network address"),
        ("172.16.0.1", "172.16.0.1", "a private network address"),
        ("192.168.0.10", "192.168.0.10", "a private network address"),
        ("fd12:3456::1", "fd12:3456::1", "a private network address"),
        ("100.64.0.1", "100.64.0.1", "not a public internet address"),
        ("224.0.0.251", "224.0.0.251", "a multicast address"),
        ("ff02::1", "ff02::1", "a multicast address"),
        ("240.0.0.1", "240.0.0.1", "a private network address"),
    ],
)
def test_every_spelling_of_an_inward_address_is_refused_when_resolved(host, address, why):
    from publishing.errors import PublishingError
    from publishing.netaddress import resolve

    with pytest.raises(PublishingError) as refused:
        resolve(host, 80)  # resolving only: nothing is connected to
    assert f"refused to connect to '{host}' ({address}), {why}" in str(refused.value)


def test_public_addresses_pass_the_check():
    from publishing.netaddress import refusal

    assert refusal("93.184.215.14") is None and refusal("2606:4700::6810:84e5") is None


def test_the_command_itself_never_fetches_from_this_machine(project_copy, servers):
    source = project_copy / "sources" / f"{SAMPLE}.md"
    before = source.read_text() + f"\n![A picture](http://127.0.0.1:{servers}/pictures/brain.png)\n"
    source.write_text(before)
    _Site.requests = []
    result = invoke("fetch-images", SAMPLE, cwd=project_copy)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert (
        f"sources/{SAMPLE}.md: error: refused to connect to '127.0.0.1' (127.0.0.1), a loopback address (this "
        "machine): images are fetched only from public web servers"
    ) in result.stderr
    assert _Site.requests == [] and source.read_text() == before


@needs_mounts
def test_a_read_only_sources_folder_is_a_clear_error_and_nothing_half_written(project_copy, servers):
    """sources/ on a read-only share: the picture is fetched, cannot be saved, and that is said at the file;
    the article is as it was."""
    source = project_copy / "sources" / f"{SAMPLE}.md"
    before = source.read_text() + f"\n![A picture](http://127.0.0.1:{servers}/pictures/brain.png)\n"
    source.write_text(before)
    script = (
        "import sys; from publishing.fetch_images import fetch_images; from publishing.errors import PublishingError; "
        "from publishing.site import load_site; from pathlib import Path\n"
        f"try: fetch_images(load_site(Path.cwd()), {SAMPLE!r}, allowed_origin=('127.0.0.1', {servers}))\n"
        "except PublishingError as error: sys.exit(str(error))"
    )
    result = run_mounted([read_only(project_copy / "sources")], [sys.executable, "-c", script], project_copy)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert re.search(
        rf"^sources/{SAMPLE}\.md: error: cannot write sources/images/brain-[0-9a-f]{{8}}\.png: Read-only file "
        "system; free some disk space and make the sources folder writable",
        result.stderr,
    ), result.stderr
    assert source.read_text() == before and not (project_copy / "sources/images").exists()
