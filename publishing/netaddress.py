"""One download from the public internet, that a hostile page cannot turn towards this machine.

A link in a pasted page may name (or redirect to) 127.0.0.1, a printer on the clinic's network,
or 169.254.169.254, where a cloud machine hands out its credentials. So every hop's host is
resolved first and each address it resolves to must be public (``refusal``), however it is
spelled (2130706433, 0x7f.1, 0177.0.0.1, [::ffff:127.0.0.1] all resolve to loopback); the
connection then goes to that checked address, with the name kept for Host and TLS (SNI and
certificate), so a second DNS answer cannot differ from the one checked. A watchdog closes the
connection when the total time is up: a per-read timeout alone lets a server that sends a byte
every few seconds keep it open for ever.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from .errors import PublishingError

MAX_REDIRECTS = 5
READ_SECONDS = 20.0
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_HINT = "check the address, or save the image yourself under sources/images/"


@dataclass(frozen=True)
class Download:
    url: str  # as the article links it
    data: bytes
    media_type: str  # what the server claimed (reported, never trusted)


def refusal(address: str) -> str | None:
    """Why ``address`` (an IP address) must not be connected to, or None for a public address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv4 address carried inside IPv6 is judged as that IPv4 address.
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return refusal(str(embedded))
    for kind, flag in (
        ("a loopback address (this machine)", ip.is_loopback),
        ("the unspecified address (this machine)", ip.is_unspecified),
        ("a link-local address (cloud metadata lives at 169.254.169.254)", ip.is_link_local),
        ("a private network address", ip.is_private),
        ("a multicast address", ip.is_multicast),
        ("a reserved address", ip.is_reserved),
    ):
        if flag:
            return kind
    return None if ip.is_global else "not a public internet address"


def resolve(host: str, port: int, allowed_origin: tuple[str, int] | None = None) -> str:
    """The checked address to connect to for ``host``: every address it resolves to must be public."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise PublishingError(None, f"could not find the server '{host}': {error}", hint=_HINT) from None
    addresses = list(dict.fromkeys(str(answer[4][0]) for answer in answers))
    for address in addresses:
        why = refusal(address)
        if why and (address, port) != allowed_origin:
            raise PublishingError(
                None,
                f"refused to connect to '{host}' ({address}), {why}: images are fetched only from public web servers",
                hint="link an image on a public web site, or save the image yourself under sources/images/",
            )
    if not addresses:
        raise PublishingError(None, f"could not find the server '{host}'", hint=_HINT)
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the checked address; Host names the server."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """Connects to the checked address; SNI and the certificate check name the server."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def download(url: str, max_bytes: int, total_seconds: float, allowed_origin: tuple[str, int] | None = None) -> Download:
    """GET ``url`` (following redirects by hand), within ``total_seconds`` and ``max_bytes``."""
    deadline = time.monotonic() + total_seconds
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        status, location, media_type, data = _one_hop(current, max_bytes, deadline, total_seconds, allowed_origin)
        if status in (301, 302, 303, 307, 308) and location:
            current = urljoin(current, location)
            continue
        if status != 200:
            raise PublishingError(None, f"could not fetch '{url}': the server answered {status}", hint=_HINT)
        return Download(url, data, media_type)
    raise PublishingError(None, f"could not fetch '{url}': more than {MAX_REDIRECTS} redirects", hint=_HINT)


def _one_hop(url: str, max_bytes: int, deadline: float, total: float, allowed_origin) -> tuple[int, str, str, bytes]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PublishingError(None, f"refused to fetch '{url}': not an http(s) address", hint=_HINT)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise PublishingError(None, f"refused to fetch '{url}': its port is not a number", hint=_HINT) from None
    address = resolve(parts.hostname, port, allowed_origin)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _too_slow(url, total)
    kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    connection = kind(parts.hostname, port, address, min(READ_SECONDS, remaining))
    expired = threading.Event()

    def cut_off() -> None:
        expired.set()
        if connection.sock is not None:
            try:
                connection.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    watchdog = threading.Timer(remaining, cut_off)
    watchdog.daemon = True
    watchdog.start()
    try:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", target, headers={"User-Agent": "clinic-publishing fetch-images", "Accept": "image/*"})
        response = connection.getresponse()
        chunks, size = [], 0
        while size <= max_bytes and not expired.is_set():
            chunk = response.read1(65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if expired.is_set():
            raise _too_slow(url, total)
        if size > max_bytes:
            raise PublishingError(
                None,
                f"'{url}' is over {max_bytes // 1_000_000} MB",
                hint="save a smaller copy under sources/images/ and link that",
            )
        return (
            response.status,
            response.getheader("Location") or "",
            response.getheader("Content-Type") or "",
            (b"".join(chunks)),
        )
    except (OSError, http.client.HTTPException, ValueError) as error:
        if expired.is_set():
            raise _too_slow(url, total) from None
        raise PublishingError(None, f"could not fetch '{url}': {error}", hint=_HINT) from None
    finally:
        watchdog.cancel()
        connection.close()


def _too_slow(url: str, total: float) -> PublishingError:
    return PublishingError(
        None,
        f"gave up on '{url}' after {total:g} s: the server is too slow",
        hint="try again later, or save the image yourself under sources/images/",
    )
