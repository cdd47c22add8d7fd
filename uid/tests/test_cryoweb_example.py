"""The example CryoWeb dumps go through the real pipeline, and a large dump reports progress while it is read."""

from __future__ import annotations

import itertools
import json
import time

import pytest
from django.core.files.base import ContentFile

from common.constants import ERROR, LOADED, PHASE_IMPORT, PHASE_VALIDATION
from jobs.services import start_phase
from uid.cryoweb_example import example_dump
from uid.example_files import DOWNLOADS
from uid.models import Animal, Sample
from validation.models import ValidationResult


@pytest.fixture
def published(monkeypatch):
    """Frames as the pages would get them, with the moment each was published."""
    frames: list[tuple[float, dict]] = []
    monkeypatch.setattr(
        "submissions.events.publish",
        lambda pk, message: frames.append((time.monotonic(), json.loads(message["frame"]))),
    )
    return frames


def run(submission, phase, capture, *, initial=False):
    with capture(execute=True):
        start_phase(submission=submission, phase=phase, initial=initial)
    submission.refresh_from_db()
    return submission


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["cryoweb_example.sql", "cryoweb_example_copy.sql"])
def test_each_example_dump_imports_and_validates_without_errors(
    submission, published, django_capture_on_commit_callbacks, name
):
    submission.uploaded_file.save(name, ContentFile(DOWNLOADS[name].build()))

    submission = run(submission, PHASE_IMPORT, django_capture_on_commit_callbacks, initial=True)

    assert (submission.status, submission.message) == (LOADED, "Loaded 6 animals and 12 samples. Validate them next.")
    child = Animal.objects.get(submission=submission, name="ANIMAL:::ID:::DE001004")
    assert (child.father_name, child.mother_name) == ("ANIMAL:::ID:::DE001000", "ANIMAL:::ID:::DE001002")
    assert Sample.objects.filter(submission=submission, animal__isnull=False).count() == 12

    run(submission, PHASE_VALIDATION, django_capture_on_commit_callbacks)

    # A dump has no storage or protocol link (formats.md §3.4): Warnings, but never an Error.
    errors = ValidationResult.objects.filter(submission=submission, status="Error")
    assert list(errors.values_list("record_name", "messages")[:3]) == []
    assert ValidationResult.objects.filter(submission=submission).count() == 18


@pytest.mark.django_db
def test_a_dump_of_100000_vessels_imports_with_a_progress_frame_at_least_every_half_second(
    submission, published, django_capture_on_commit_callbacks
):
    dump = example_dump(animals=10_000, vessels_per_animal=10)
    submission.uploaded_file.save("big.sql", ContentFile(dump))
    started = time.monotonic()

    submission = run(submission, PHASE_IMPORT, django_capture_on_commit_callbacks, initial=True)

    assert submission.message == "Loaded 10000 animals and 100000 samples. Validate them next."
    progress = [(at, frame["progress"]) for at, frame in published if frame["type"] == "progress"]
    moments = [started, *(at for at, _ in progress)]
    gaps = [later - earlier for earlier, later in itertools.pairwise(moments)]
    # The reporter repeats itself every 0.4 s; 0.1 s of slack for a busy shared machine, no more.
    assert max(gaps) <= 0.5 + 0.1, f"longest silence {max(gaps):.2f} s"
    # The dump is read in the first half of the bar, and that half moves while it is read.
    reading = {numbers["done"] for _, numbers in progress if numbers["done"] * 2 < numbers["total"]}
    assert len(reading) >= 5
    assert progress[-1][1] == {"phase": "import", "done": 110_000, "total": 110_000}


@pytest.mark.django_db
def test_a_dump_with_ddl_ends_the_import_in_error_naming_the_line_and_imports_nothing(
    submission, published, django_capture_on_commit_callbacks
):
    dump = example_dump().replace(b"SET row_security = off;\n", b"SET row_security = off;\nDROP SCHEMA apiis_admin;\n")
    submission.uploaded_file.save("dump.sql", ContentFile(dump))

    submission = run(submission, PHASE_IMPORT, django_capture_on_commit_callbacks, initial=True)

    assert submission.status == ERROR
    assert submission.message.startswith(
        'Import failed: Line 17 holds a DROP statement ("DROP SCHEMA apiis_admin;"), which a data-only CryoWeb dump '
        "never contains. The dump is refused and nothing in it was run."
    )
    assert submission.message.endswith("Nothing was imported.")
    assert published[-1][1]["message"] == "Error"
    assert not Animal.objects.exists()
