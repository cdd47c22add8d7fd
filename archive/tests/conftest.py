"""A BioSamples double per test, and a submission with parents and samples ready to send to it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from archive import credentials
from archive.loopback import BioSamplesDouble
from common.constants import PHASE_SUBMISSION, READY
from jobs.services import start_phase
from uid.models import Animal, Sample, Submission

USERNAME = "Webin-12345"
PASSWORD = "webin-test-password"


@pytest.fixture
def double(settings) -> Iterator[BioSamplesDouble]:
    """A real HTTP BioSamples and Webin on 127.0.0.1 that the site is configured to use."""
    with BioSamplesDouble(username=USERNAME, password=PASSWORD) as server:
        settings.BIOSAMPLES_URL = server.biosamples_url
        settings.WEBIN_AUTH_URL = server.webin_url
        settings.WEBIN_USERNAME = USERNAME
        settings.WEBIN_PASSWORD = PASSWORD
        settings.BIOSAMPLES_CREDENTIALS = "site"
        settings.BIOSAMPLES_TIMEOUT_SECONDS = 1.0
        settings.BIOSAMPLES_ATTEMPTS = 3
        settings.BIOSAMPLES_BACKOFF_SECONDS = 0.01
        credentials._site_tokens.clear()  # a token of another test's double means nothing here
        yield server
    credentials._site_tokens.clear()


@pytest.fixture
def published(monkeypatch) -> list[dict]:
    frames: list[dict] = []
    monkeypatch.setattr("submissions.events.publish", lambda pk, message: frames.append(json.loads(message["frame"])))
    return frames


@pytest.fixture
def ready(submission) -> Submission:
    """A calf listed before its parents, and two samples of the calf, validated and Ready."""
    add_records(submission)
    submission.owner.email = "alice@example.org"
    submission.owner.save()
    submission.status = READY
    submission.project = "IMAGE"
    submission.gene_bank_name = "CryoBank"
    submission.gene_bank_country = "Italy"
    submission.contacts = [
        {
            "Person last name": "Rossi",
            "Person first name": "Anna",
            "Person email": "anna@example.org",
            "Person affiliation": "University of Milan",
            "Person role": "submitter",
            "Organisation name": "University of Milan",
            "Organisation country": "Italy",
            "Organisation role": "submitter",
        }
    ]
    submission.save()
    return submission


def add_records(submission: Submission) -> None:
    common = {"submission": submission, "species": "Bos taurus", "breed": "Holstein", "accuracy": "missing"}
    # The calf comes first in the file: the graph, not the file, decides the order.
    calf = Animal.objects.create(
        name="calf", sex="female", father_name="bull", mother_name="cow", birth_date="2024-03", row=1, **common
    )
    Animal.objects.create(name="bull", sex="male", row=2, alternative_id="B-1", **common)
    Animal.objects.create(name="cow", sex="female", row=3, birth_date="2019-05-02", **common)
    for row, part in enumerate(("blood", "hair"), start=4):
        Sample.objects.create(
            submission=submission,
            name=part,
            animal=calf,
            animal_name="calf",
            organism_part=part,
            accuracy="missing",
            developmental_stage="adult",
            animal_age_at_collection="1",
            animal_age_at_collection_units="year",
            row=row,
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
