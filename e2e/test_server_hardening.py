"""`make run`'s server, attacked over real sockets: what a probe of the embedded default must find closed.

One site process serves the module, started the way `make run` starts it
(no DJANGO_DEBUG in its environment), with a 1 s header timeout so the slow
client test stays short.
"""

from __future__ import annotations

import http.client
import re
import socket
import time
import urllib.parse

import psutil
import pytest

from e2e.server import SiteProcess

pytestmark = pytest.mark.e2e

HEADER_TIMEOUT = 1.0


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = SiteProcess.create(tmp_path_factory.mktemp("hardened"), {"HTTP_HEADER_TIMEOUT": str(HEADER_TIMEOUT)})
    site.env.pop("DJANGO_DEBUG")
    site.start()
    yield site
    site.stop()


def request(site: SiteProcess, path: str, *, host: str | None = None, method: str = "GET", **kwargs):
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=10)
    headers = {"Host": host or f"127.0.0.1:{site.port}", **kwargs.pop("headers", {})}
    connection.request(method, path, headers=headers, **kwargs)
    response = connection.getresponse()
    body = response.read().decode(errors="replace")
    connection.close()
    return response, body


def handshake(path: str, *, extra: str = "", port: int) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        f"Origin: http://127.0.0.1:{port}\r\n{extra}\r\n"
    ).encode()


def answer(sock: socket.socket, timeout: float = 5.0) -> bytes:
    """Everything the server sends until it closes, or until `timeout` (then the connection was held)."""
    sock.settimeout(timeout)
    received = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        if not chunk:
            return received
        received += chunk
    raise AssertionError(f"the server kept the connection open after sending {received[:200]!r}")


def log_until_marker(site: SiteProcess) -> list[str]:
    """The server's log up to a request made now: whatever the server logged before it is in."""
    marker = f"/accounts/login/?marker={time.monotonic_ns()}"
    request(site, marker)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = site.log().splitlines()
        for index, line in enumerate(lines):
            if marker in line:
                return lines[:index]
        time.sleep(0.05)
    raise AssertionError("the marker request never reached the log")


def test_debug_is_off_and_a_missing_page_is_the_sites_own_404(site):
    response, body = request(site, "/no-such-page/")

    assert response.status == 404
    assert "Page not found" in body
    assert "Submission Live" in body
    assert "URLconf" not in body
    assert "DEBUG = True" not in body


def test_a_foreign_host_header_gets_a_plain_400_never_a_debug_page(site):
    response, body = request(site, "/accounts/login/", host="evil.example")

    assert response.status == 400
    assert response.getheader("Content-Type").startswith("text/plain")
    assert "Traceback" not in body
    assert "ALLOWED_HOSTS" not in body
    assert "settings" not in body.lower()


@pytest.mark.parametrize("path", ["/ws/nothing/", "/ws/submissions/1"])
def test_an_unmatched_socket_path_is_refused_at_the_handshake_with_at_most_one_log_line(site, path):
    lines_before = len(site.log().splitlines())
    with socket.create_connection(("127.0.0.1", site.port)) as sock:
        sock.sendall(handshake(path, port=site.port))
        reply = answer(sock)

    assert reply.split(b"\r\n", 1)[0] in {b"HTTP/1.1 403 Forbidden", b"HTTP/1.1 404 Not Found"}
    new_lines = log_until_marker(site)[lines_before:]
    assert len(new_lines) <= 1, new_lines
    assert not any("Traceback" in line or "500" in line for line in new_lines)


def test_oversized_handshakes_are_closed_at_once_and_hold_no_file_descriptors(site):
    server = psutil.Process(site.process.pid)
    descriptors_before = server.num_fds()
    oversized = handshake("/ws/notifications/", extra=f"Cookie: junk={'x' * 10_000}\r\n", port=site.port)
    sockets = []
    try:
        for _ in range(100):
            sock = socket.create_connection(("127.0.0.1", site.port))
            sock.sendall(oversized)
            sockets.append(sock)
        replies = [answer(sock) for sock in sockets]
        # Measured while the clients still hold their ends: the server let go of its own.
        descriptors_held = server.num_fds()
    finally:
        for sock in sockets:
            sock.close()

    assert all(reply == b"" or reply.startswith(b"HTTP/1.1 4") for reply in replies)
    assert descriptors_held < descriptors_before + 10


def test_a_half_sent_request_is_dropped_after_the_header_timeout(site):
    with socket.create_connection(("127.0.0.1", site.port)) as sock:
        sock.sendall(f"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1:{site.port}\r\n".encode())
        started = time.monotonic()
        answer(sock, timeout=HEADER_TIMEOUT + 5)

    assert time.monotonic() - started < HEADER_TIMEOUT + 3


def test_a_slow_second_request_on_a_kept_alive_connection_is_dropped_too(site):
    with socket.create_connection(("127.0.0.1", site.port)) as sock:
        sock.sendall(f"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1:{site.port}\r\n\r\n".encode())
        sock.settimeout(5)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET /accounts/login/ HTTP/1.1\r\n")
        started = time.monotonic()
        answer(sock, timeout=HEADER_TIMEOUT + 5)

    assert time.monotonic() - started < HEADER_TIMEOUT + 3


def test_a_local_client_cannot_escape_the_login_limit_by_rotating_x_forwarded_for(site):
    """No proxy is configured, so the address is the socket's peer whatever X-Forwarded-For says."""
    response, page = request(site, "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie")).group(1)
    statuses = []
    for attempt in range(8):
        body = urllib.parse.urlencode({"username": "demo", "password": "wrong", "csrfmiddlewaretoken": token})
        response, page = request(
            site,
            "/accounts/login/",
            method="POST",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={csrf_cookie}",
                "Referer": f"{site.base_url}/accounts/login/",
                "X-Forwarded-For": f"10.20.30.{attempt}",
            },
        )
        statuses.append(response.status)

    assert statuses[-1] == 429
    assert "Too many failed sign-in attempts" in page


def test_make_run_on_every_interface_answers_to_the_machines_own_name_and_nothing_else(tmp_path):
    site = SiteProcess.create(tmp_path)
    site.host = "0.0.0.0"
    site.start()
    try:
        own, _ = request(site, "/accounts/login/", host=f"{socket.gethostname()}:{site.port}")
        foreign, _ = request(site, "/accounts/login/", host="rebound.evil.example")
    finally:
        site.stop()

    assert own.status == 200
    assert foreign.status == 400
