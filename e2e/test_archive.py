"""Submitting to BioSamples through the real site process, killed mid-phase and resumed.

The site runs its jobs on its own thread pool (the embedded default) and
talks to the BioSamples double over real HTTP. The server process is
SIGKILLed while it waits for BioSamples' answer about one record; the
restarted server ends the orphaned phase in Ready, and Submit resumes with
the records that have no accession, creating none twice.
"""

from __future__ import annotations

import json
import signal
import time

import pytest

from archive.loopback import BioSamplesDouble
from common.constants import COMPLETED, READY
from e2e.server import SiteProcess, post

pytestmark = pytest.mark.e2e

USERNAME, PASSWORD = "Webin-e2e", "e2e-password"
HELD_AFTER = 40
MAKE_READY = f"""\
from uid.models import Submission
Submission.objects.filter(pk=1).update(status={READY})
"""
STATE = """\
import json
from uid.models import Animal, Sample, Submission
s = Submission.objects.get(pk=1)
records = list(Animal.objects.filter(submission=s)) + list(Sample.objects.filter(submission=s))
print(json.dumps({"status": s.status, "message": s.message, "accessions": {r.name: r.accession for r in records}}))
"""


@pytest.fixture
def double():
    with BioSamplesDouble(username=USERNAME, password=PASSWORD) as server:
        yield server


@pytest.fixture
def site(tmp_path, double):
    site = SiteProcess.create(
        tmp_path,
        {
            "BIOSAMPLES_URL": double.biosamples_url,
            "WEBIN_AUTH_URL": double.webin_url,
            "WEBIN_USERNAME": USERNAME,
            "WEBIN_PASSWORD": PASSWORD,
            "BIOSAMPLES_BACKOFF_SECONDS": "0.05",
            "JOBS_BACKEND": "thread",
        },
    )
    site.manage("shell", stdin=MAKE_READY)
    yield site
    site.stop()


def state(site: SiteProcess) -> dict:
    return json.loads(site.manage("shell", stdin=STATE).strip().splitlines()[-1])


def wait_for_status(site: SiteProcess, wanted: int, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        current = state(site)
        if current["status"] == wanted or time.monotonic() > deadline:
            return current


def test_a_server_killed_mid_submission_resumes_without_creating_any_sample_twice(site, double):
    double.hold_after(HELD_AFTER)
    site.start()
    assert post(site.base_url, "/submissions/1/submit/", site.login()) == 302
    assert double.holding.wait(30), "the submission never reached the held record"

    site.stop(signal.SIGKILL)  # the job dies waiting for BioSamples' answer
    double.release()  # that answer never comes: the held sample is not stored

    interrupted = state(site)
    assert len([a for a in interrupted["accessions"].values() if a]) == HELD_AFTER
    held_name = double.posted_names()[-1]

    site.start()  # the new process ends the orphaned phase: Ready, so Submit can resume
    restarted = state(site)
    assert restarted["status"] == READY
    assert restarted["message"] == "The server restarted while the submission was running; please retry."

    assert post(site.base_url, "/submissions/1/submit/", site.login()) == 302
    done = wait_for_status(site, COMPLETED)

    assert done["status"] == COMPLETED, done["message"]
    total = len(done["accessions"])
    assert done["message"] == (
        f"Completed: all {total} records are in the archive with their accessions "
        f"({total - HELD_AFTER} new, 0 updated, {HELD_AFTER} unchanged)."
    )
    posted = double.posted_names()
    assert len(double.samples) == total == len(set(posted))
    assert [name for name in set(posted) if posted.count(name) > 1] == [held_name]
    assert {s["name"]: s["accession"] for s in double.samples.values()} == done["accessions"]
    for sample in double.samples.values():  # every relationship points at a sample the archive holds
        assert all(r["target"] in double.samples for r in sample["relationships"])
