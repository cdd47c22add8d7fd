"""A loopback archive per test, and a submission ready to send to it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from archive.loopback import LoopbackArchive
from common.constants import PHASE_SUBMISSION, READY
from jobs.services import start_phase
from uid.models import Animal, Sample, Submission

TOKEN = "test-archive-token"


@pytest.fixture
def archive_server(settings) -> Iterator[LoopbackArchive]:
    """A real HTTP archive on 127.0.0.1 that the site is configured to use."""
    with LoopbackArchive(token=TOKEN) as server:
        settings.ARCHIVE_URL = server.url
        settings.ARCHIVE_TOKEN = TOKEN
        settings.ARCHIVE_TIMEOUT_SECONDS = 2.0
        settings.ARCHIVE_BATCH_SIZE = 2
        yield server


@pytest.fixture
def published(monkeypatch) -> list[dict]:
    frames: list[dict] = []
    monkeypatch.setattr("submissions.helpers.publish", lambda pk, message: frames.append(json.loads(message["frame"])))
    return frames


@pytest.fixture
def ready(submission) -> Submission:
    """Three animals (a calf with both parents) and two samples, validated and Ready."""
    add_records(submission)
    submission.owner.email = "alice@example.org"
    submission.owner.save()
    submission.status = READY
    submission.save()
    return submission


def add_records(submission: Submission) -> None:
    common = {"submission": submission, "species": "Bos taurus", "breed": "Holstein"}
    Animal.objects.create(name="bull", sex="male", row=1, **common)
    Animal.objects.create(name="cow", sex="female", row=2, **common)
    calf = Animal.objects.create(
        name="calf", sex="female", father_name="bull", mother_name="cow", birth_date="2024-03", row=3, **common
    )
    for row, name in enumerate(("blood", "hair"), start=4):
        Sample.objects.create(
            submission=submission, name=name, animal=calf, animal_name="calf", organism_part=name, row=row
        )


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """Press Submit: start the phase and run its job inline, as the test settings do."""

    def run(submission: Submission) -> Submission:
        with django_capture_on_commit_callbacks(execute=True):
            start_phase(submission=submission, phase=PHASE_SUBMISSION)
        submission.refresh_from_db()
        return submission

    return run


@pytest.fixture
def poll(django_capture_on_commit_callbacks):
    """One polling round, with its after-commit work (emails, publishing) run."""
    from archive.polling import poll_archive

    def run(submission: Submission | None = None) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            concluded = poll_archive()
        if submission is not None:
            submission.refresh_from_db()
        return concluded

    return run
