"""A shared metrics directory forgets the live gauges of a process that was killed, not its totals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest, multiprocess

from common.metrics_process import reap_dead_processes

# A process of the host that counts one socket open and one frame sent, then dies by SIGKILL:
# its exit hooks never run, as after the OOM killer or `kill -9`.
KILLED = """
import os, signal
from prometheus_client import Counter, Gauge
Gauge("t_sockets_open", "open", multiprocess_mode="livesum").inc()
Counter("t_frames_sent", "sent").inc()
os.kill(os.getpid(), signal.SIGKILL)
"""


def scrape(path: Path) -> str:
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(path))
    return generate_latest(registry).decode()


def run_killed_process(path: Path) -> int:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(path)}
    process = subprocess.run([sys.executable, "-c", KILLED], env=env, check=False, timeout=60)
    assert process.returncode == -9
    return process.returncode


def test_a_killed_process_leaves_the_live_gauges_but_keeps_its_counted_totals(tmp_path):
    run_killed_process(tmp_path)
    assert "t_sockets_open 1.0" in scrape(tmp_path)  # what a scrape showed before the reaping

    dead = reap_dead_processes(str(tmp_path))

    text = scrape(tmp_path)
    assert len(dead) == 1
    assert "t_sockets_open 1.0" not in text
    assert "t_frames_sent_total 1.0" in text


def test_a_living_process_keeps_its_gauges(tmp_path):
    (tmp_path / f"gauge_livesum_{os.getpid()}.db").write_bytes(b"")
    assert reap_dead_processes(str(tmp_path)) == []
    assert (tmp_path / f"gauge_livesum_{os.getpid()}.db").exists()
