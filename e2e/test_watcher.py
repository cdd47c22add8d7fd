"""`manage.py watch_submission` against a real server: follows, resumes by seq after a restart, exits by status."""

from __future__ import annotations

import re
import subprocess
import time

import pytest

from e2e.server import PYTHON, ROOT, post

pytestmark = pytest.mark.e2e

ANIMALS = 40_000
RECORDS = 2 * ANIMALS  # one sample each

SET_STATUS = """\
from common.constants import {status}
from submissions.actions import change_status
from uid.models import Submission
submission = Submission.objects.get(pk=1)
submission.job_phase = {phase!r}
submission.save(update_fields=["job_phase"])
change_status(submission=submission, status={status}, message={message!r})
"""


def change_status(site, status: str, message: str, phase: str = "validation") -> None:
    site.manage("shell", stdin=SET_STATUS.format(status=status, message=message, phase=phase))


def start_watcher(site, token: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [PYTHON, "manage.py", "watch_submission", "1", "--url", site.base_url, "--token", token],
        cwd=ROOT,
        env=site.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def read_until(process: subprocess.Popen[str], text: str, timeout: float = 15) -> str:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if text in line:
            return "".join(seen)
    raise AssertionError(f"watcher never printed {text!r}; got:\n{''.join(seen)}")


@pytest.fixture
def token(site) -> str:
    return site.manage("create_api_token", "demo").strip()


def test_it_follows_through_a_server_restart_and_exits_2_on_need_revision(site, token):
    change_status(site, "WAITING", "Validation started.")
    watcher = start_watcher(site, token)
    try:
        first = read_until(watcher, "Validation started.")
        site.stop()  # SIGTERM: the socket is closed with 1012 by the drain
        # No job phase left: a restarted embedded server would fail the thread job it lost.
        change_status(site, "WAITING", "Checked 10 of 20 records while the server was away.", phase="")
        site.start()  # same port: the watcher reconnects with ?since=
        change_status(site, "NEED_REVISION", "Validation found 3 errors.", phase="")
        rest, _ = watcher.communicate(timeout=30)
        output = first + rest
    finally:
        watcher.kill()

    assert watcher.returncode == 2, output
    assert "Connection dropped (1012)" in output
    lines = [line for line in output.splitlines() if line.startswith("#")]
    seqs = [int(line[1:].split()[0]) for line in lines]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), output  # in order, no gap, no duplicate
    assert "Checked 10 of 20 records while the server was away." in output
    assert lines[-1].endswith("Need Revision: Validation found 3 errors.")


@pytest.mark.parametrize(("status", "code"), [("LOADED", 0), ("READY", 0), ("COMPLETED", 0), ("ERROR", 1)])
def test_with_no_job_running_it_exits_at_once_with_the_status_code(site, token, status, code):
    change_status(site, status, f"Now {status}.", phase="")

    result = subprocess.run(
        [PYTHON, "manage.py", "watch_submission", "1", "--url", site.base_url, "--token", token],
        cwd=ROOT,
        env=site.env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == code, result.stdout + result.stderr
    assert f"Now {status}." in result.stdout


def test_a_wrong_token_exits_3_and_says_why(site):
    result = subprocess.run(
        [PYTHON, "manage.py", "watch_submission", "1", "--url", site.base_url, "--token", "sl_wrong"],
        cwd=ROOT,
        env=site.env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 3
    assert "access denied (4403)" in result.stdout


HERD = """
from django.contrib.auth import get_user_model
from common.constants import LOADED
from uid.example_data import write_example_csv
from uid.importer import import_records
from uid.models import Submission
owner = get_user_model().objects.get(username="demo")
submission = Submission.objects.create(title="Watched herd", owner=owner)
write_example_csv({path!r}, animals={animals}, samples_per_animal=1, prefix="W-")
import_records(submission=submission, file={path!r})
Submission.objects.filter(pk=submission.pk).update(status=LOADED)
print("PK=%d" % submission.pk)
"""
PROGRESS_LINE = re.compile(
    r"^validation ([\d,]+) of [\d,]+ records · ([\d,]+)/s · about \d+ (?:s|min) left · \d+:\d\d elapsed$", re.MULTILINE
)


def test_a_running_validation_shows_its_rate_and_time_left_and_ends_2_on_need_revision(site, token, tmp_path):
    """Piped to a file, as a script or CI log would keep it: progress lines with rate and time left."""
    output = site.manage("shell", stdin=HERD.format(path=str(tmp_path / "herd.csv"), animals=ANIMALS), timeout=120)
    pk = int(re.search(r"^PK=(\d+)$", output, re.MULTILINE).group(1))
    assert post(site.base_url, f"/submissions/{pk}/validate/", site.login()) == 302
    started = time.monotonic()
    result = subprocess.run(
        [PYTHON, "manage.py", "watch_submission", str(pk), "--url", site.base_url, "--token", token],
        cwd=ROOT,
        env=site.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    took = time.monotonic() - started

    # The example herd has no gene bank, which the IMAGE ruleset requires.
    assert result.returncode == 2, result.stdout + result.stderr
    lines = PROGRESS_LINE.findall(result.stdout)
    assert lines, (took, result.stdout)
    # A rate measured over real time: at most every record within half a second (no replayed frame
    # counted as instant progress).
    assert all(int(rate.replace(",", "")) <= 2 * RECORDS for _, rate in lines), result.stdout
    last = [line for line in result.stdout.splitlines() if line.startswith("#")][-1]
    assert f"Need Revision: Validation found problems in {RECORDS} records." in last, result.stdout
