"""Fixtures for the jobs' tests: data files of their own, and the frames pages get."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from django.core.files.base import ContentFile

from jobs.services import start_phase
from uid.example_data import write_example_csv
from uid.models import Submission


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads go to a temporary folder, never into the repository."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def frames(monkeypatch) -> list[dict]:
    """Every frame published, decoded."""
    published: list[dict] = []

    def record(pk: int, message: dict) -> None:
        published.append(json.loads(message["frame"]))

    monkeypatch.setattr("submissions.events.publish", record)
    return published


def with_data(submission: Submission, tmp_path, prefix: str, animals: int = 100) -> Submission:
    """Give the submission a data file of its own ids (ids are unique per owner)."""
    path = tmp_path / f"{prefix}.csv"
    write_example_csv(path, animals=animals, samples_per_animal=1, prefix=prefix)
    submission.uploaded_file.save(path.name, ContentFile(path.read_bytes()))
    return submission


def wait_until(condition: Callable[[], bool], timeout: float = 30) -> None:
    """Poll for a state the test waits for."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def run_phase(django_capture_on_commit_callbacks):
    """Start a phase and run its job to the end, as the inline backend does after commit."""

    def run(submission: Submission, phase: str, *, initial: bool = False) -> Submission:
        with django_capture_on_commit_callbacks(execute=True):
            start_phase(submission=submission, phase=phase, initial=initial)
        submission.refresh_from_db()
        return submission

    return run
