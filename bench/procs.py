"""Process plumbing: servers as child processes, and what /proc says about them.

Server CPU is read from /proc/<pid>/stat (utime + stime) before and after a
scenario, because wall time alone hides whether a server idled or burned a
core; memory is VmRSS from /proc/<pid>/status.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def raise_file_limit(wanted: int = 65536) -> int:
    """Raise the soft RLIMIT_NOFILE as far as the hard limit allows; children inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process, in seconds."""
    with open(f"/proc/{pid}/stat") as handle:
        # The command name may contain spaces; fields after ")" are fixed.
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants (uvicorn's supervisor and its `--workers`)."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo += [int(child) for child in handle.read().split()]
        except OSError:
            continue
    return out


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its descendants still alive."""
    total = 0.0
    for member in tree(pid):
        try:
            total += cpu_seconds(member)
        except OSError:
            continue
    return total


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


@dataclass
class Server:
    """One ASGI server process; `pid` is the process that serves sockets."""

    command: list[str]
    env: dict[str, str]
    log_path: Path
    port: int
    ready_path: str = "/"
    process: subprocess.Popen[bytes] | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_base(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early, see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.origin}{self.ready_path}", timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # any HTTP answer means it is serving
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start in {timeout} s, see {self.log_path}")

    def cpu(self) -> float:
        """The server's CPU seconds, its worker processes included (`config.serve --workers N`)."""
        return tree_cpu_seconds(self.pid)

    def rss_kb(self) -> int:
        return rss_kb(self.pid)

    def gc_pauses(self, since: float, until: float) -> list[float]:
        """Full-collection pauses (ms) that ended between two wall-clock times (see bench/gcwatch)."""
        pauses = []
        with self.log_path.open(errors="replace") as handle:
            for line in handle:
                if line.startswith("GC2 "):
                    _, at, pause = line.split()
                    if since <= float(at) <= until:
                        pauses.append(float(pause))
        return pauses

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def run_json(command: list[str], env: dict[str, str], timeout: float) -> dict:
    """Run a helper process that prints one `RESULT=<json>` line; return that JSON."""
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=timeout, check=False)
    out = result.stdout.decode(errors="replace")
    for line in reversed(out.splitlines()):
        if line.startswith("RESULT="):
            return json.loads(line.removeprefix("RESULT="))
    raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{out}\n{result.stderr.decode()[-4000:]}")


def run_checked(command: list[str], env: dict[str, str], timeout: float = 300) -> None:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=timeout, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout.decode()}\n{result.stderr.decode()}")
