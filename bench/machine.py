"""The machine and software a run measured, for the head of RESULTS.md.

Load averages at the start and end are recorded because this machine is
shared: other test runs compete for the same two cores.
"""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from typing import Any

from bench.procs import PYTHON, ROOT

PACKAGES = ("Django", "channels", "channels_redis", "redis", "uvicorn", "daphne", "websockets", "Twisted", "psycopg",
            "uvloop", "py-spy")  # fmt: skip


def describe(*, start: bool) -> dict[str, Any]:
    if not start:
        return {"loadavg_end": _loadavg()}
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gb": round(_mem_kb() / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": _venv(["-c", "import platform; print(platform.python_version())"]),
        "packages": {name: _version(name) for name in PACKAGES},
        "redis_server": _command(["redis-cli", "info", "server"], "redis_version:"),
        "postgres": _command(["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "show server_version"], ""),
        "loadavg_start": _loadavg(),
        "commit": _git(["rev-parse", "--short", "HEAD"]),
        # Other engineers edit the app while benchmarks run: say what was measured.
        "dirty": _git(
            ["status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)bench", ":(exclude)Makefile"]
        ),
    }


def _git(args: list[str]) -> str:
    result = subprocess.run(["git", *args], capture_output=True, text=True, timeout=30, check=False, cwd=ROOT)
    return result.stdout.strip()


def _cpu_model() -> str:
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _mem_kb() -> int:
    with open("/proc/meminfo") as handle:
        for line in handle:
            if line.startswith("MemTotal:"):
                return int(line.split()[1])
    return 0


def _loadavg() -> str:
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


def _venv(args: list[str]) -> str:
    result = subprocess.run([PYTHON, *args], capture_output=True, text=True, timeout=30, check=False)
    return result.stdout.strip() or "?"


def _version(name: str) -> str:
    return _venv(["-c", f"from importlib.metadata import version; print(version({name!r}))"])


def _command(command: list[str], prefix: str) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False).stdout
    except OSError:
        return "?"
    for line in out.splitlines():
        if line.startswith(prefix):
            return line.removeprefix(prefix).strip()
    return "?"
