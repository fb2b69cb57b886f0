"""The preview answers every request with a status and a sentence, never a traceback, and only requests
addressed to itself: a page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) gets nothing."""

from __future__ import annotations

import http.client
import http.server
import threading

import pytest

from conftest import SAMPLE


@pytest.fixture(scope="module")
def preview_server(tmp_path_factory):
    """The preview's request handler, serving a project copy whose build/ holds a damaged handout."""
    from publishing.preview import Preview, make_handler

    from conftest import copy_project

    project = copy_project(tmp_path_factory.mktemp("preview-requests"))
    handouts = project / "build/handouts"
    handouts.mkdir(parents=True)
    (handouts / "damaged.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF")
    (handouts / "half.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Cat")
    (project / "build/guides").mkdir()
    (project / "build/guides" / f"{SAMPLE}.epub").write_bytes(b"PK a guide")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(Preview(project)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port
    server.shutdown()
    server.server_close()


def _get(port: int, path: str, host: str | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("GET", path, skip_host=True)
    connection.putheader("Host", host if host is not None else f"127.0.0.1:{port}")
    connection.endheaders()
    response = connection.getresponse()
    try:
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize(
    "path, status, says",
    [
        ("/build/handouts/x%00.pdf", 400, b"not a page of the preview"),
        ("/thumbnail/handouts/x%00.pdf.png", 400, b"not a page of the preview"),
        ("/build/%ff%fe.pdf", 400, b"the address is not valid UTF-8"),
        ("/build/.gate-cache.json", 400, b"not a page of the preview"),
        ("/build/.build-tmp/1-x/a.pdf", 400, b"not a page of the preview"),
        ("/thumbnail/handouts/damaged.pdf.png", 500, b"the handout cannot be drawn"),
        ("/thumbnail/handouts/half.pdf.png", 500, b"the handout cannot be drawn"),
    ],
)
def test_a_request_that_cannot_be_served_gets_a_clear_answer_and_no_traceback(
    preview_server, capfd, path, status, says
):
    answer = _get(preview_server, path)
    assert answer[0] == status and says in answer[1], answer
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:1", "127.0.0.1", "127.0.0.1:1", "localhost.evil.example", ""]
)
def test_a_request_for_another_host_is_refused(preview_server, host):
    """DNS rebinding: the browser asks 127.0.0.1 but names the attacker's site in Host: 421, nothing read."""
    status, body = _get(preview_server, f"/build/guides/{SAMPLE}.epub", host=host)
    assert status == 421 and b"PK" not in body
    status, body = _get(preview_server, "/", host=host)
    assert status == 421


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "[::1]", "LOCALHOST"])
def test_the_preview_answers_to_its_own_names(preview_server, name):
    status, body = _get(preview_server, f"/build/guides/{SAMPLE}.epub", host=f"{name}:{preview_server}")
    assert status == 200 and body == b"PK a guide"
