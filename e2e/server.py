"""Run the real site in a child process, the way `make run` does.

End-to-end tests talk to it over real sockets: HTTP with a session cookie
obtained through the real login form, and WebSockets with the same cookie.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_env(workdir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a site process: embedded default unless `extra` says otherwise."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
            "MEDIA_ROOT": str(workdir / "media"),
            "DJANGO_DEBUG": "0",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra or {})
    return env


@dataclass
class SiteProcess:
    """A migrated site with its own database, served by uvicorn."""

    workdir: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    # The address config.serve binds (`make run HOST=...`); the tests still talk to 127.0.0.1.
    host: str = "127.0.0.1"
    log_name: str = "server.log"
    process: subprocess.Popen[bytes] | None = None

    @classmethod
    def create(cls, workdir: Path, extra_env: dict[str, str] | None = None) -> SiteProcess:
        site = cls(workdir=workdir, env=site_env(workdir, extra_env))
        site.manage("ensure_database")
        site.manage("migrate", "--noinput")
        site.manage("seed_demo")
        return site

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def manage(self, *args: str, stdin: str | None = None, timeout: float = 60) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin.encode() if stdin is not None else None,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed:\n{result.stdout.decode()}\n{result.stderr.decode()}"
            )
        return result.stdout.decode()

    def start(self, *, workers: int = 1) -> None:
        """Serve and wait until a page answers; `workers` > 1 as `make run-distributed` runs it."""
        self.port = self.port or free_port()
        log = (self.workdir / self.log_name).open("ab")
        self.process = subprocess.Popen(
            [PYTHON, "-m", "config.serve", "--host", self.host, "--port", str(self.port), "--workers", str(workers)],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/accounts/login/", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start:\n{self.log()}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def log(self) -> str:
        path = self.workdir / self.log_name
        return path.read_text(errors="replace") if path.exists() else ""

    def login(self, username: str = "demo", password: str = "demo-password") -> str:
        """Sign in through the real login form; returns the Cookie header."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(f"{self.base_url}/accounts/login/", timeout=10).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "login page has no CSRF token"
        body = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
        ).encode()
        request = urllib.request.Request(
            f"{self.base_url}/accounts/login/", data=body, headers={"Referer": f"{self.base_url}/accounts/login/"}
        )
        opener.open(request, timeout=10).read()
        cookies = {cookie.name: cookie.value for cookie in jar}
        assert "sessionid" in cookies, "login failed"
        return "; ".join(f"{name}={value}" for name, value in cookies.items())


def post(base_url: str, path: str, cookie: str, data: dict[str, str] | None = None) -> int:
    """POST a form the way a page does: session cookie plus CSRF token."""
    token = dict(part.strip().split("=", 1) for part in cookie.split(";"))["csrftoken"]
    request = urllib.request.Request(
        f"{base_url}{path}",
        data=urllib.parse.urlencode({"csrfmiddlewaretoken": token, **(data or {})}).encode(),
        headers={"Cookie": cookie, "Origin": base_url, "Referer": f"{base_url}{path}"},
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=15) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def scrape_metrics(port: int, source: str = "127.0.0.1", headers: dict[str, str] | None = None) -> tuple[int, str]:
    """GET /metrics on a local port over a real socket, from the given source address (access rules look at it)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5, source_address=(source, 0))
    try:
        connection.request("GET", "/metrics", headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()
