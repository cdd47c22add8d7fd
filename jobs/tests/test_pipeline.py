"""The three phases end to end, as a submitter sees them in the event log."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from common.constants import (
    COMPLETED,
    ERROR,
    LOADED,
    NEED_REVISION,
    PHASE_IMPORT,
    PHASE_SUBMISSION,
    PHASE_VALIDATION,
    READY,
    SUBMITTED,
    WAITING,
)
from jobs.services import PhaseNotAllowed, start_phase
from jobs.watchdog import fail_orphaned_jobs, fail_stale_jobs
from submissions.models import SubmissionEvent
from uid.models import Animal, Sample, Submission

EXAMPLE = Path(settings.BASE_DIR) / "static" / "templates" / "submission_example.csv"


@pytest.fixture
def published(monkeypatch):
    frames: list[dict] = []
    monkeypatch.setattr("submissions.events.publish", lambda pk, message: frames.append(json.loads(message["frame"])))
    return frames


def upload(submission: Submission, content: bytes, name: str = "data.csv") -> Submission:
    submission.uploaded_file.save(name, ContentFile(content))
    return submission


def statuses(submission: Submission) -> list[int]:
    return list(SubmissionEvent.objects.filter(submission=submission).values_list("status", flat=True))


def test_import_goes_waiting_then_loaded_with_counts_and_progress(submission, published, run_phase):
    upload(submission, EXAMPLE.read_bytes())

    submission = run_phase(submission, PHASE_IMPORT, initial=True)

    assert submission.status == LOADED
    assert statuses(submission) == [WAITING, LOADED]
    animals, samples = Animal.objects.filter(submission=submission).count(), Sample.objects.count()
    assert f"Loaded {animals} animals and {samples} samples" in submission.message
    assert animals > 50
    progress = [f for f in published if f["type"] == "progress"]
    assert progress[-1]["progress"] == {"phase": "import", "done": animals + samples, "total": animals + samples}
    assert submission.job_phase == ""


def test_records_and_their_loaded_status_commit_together(submission, published, run_phase, monkeypatch):
    """A job dying between storing the records and saying so leaves none behind (a kill, as e2e/test_faults.py)."""
    import jobs.pipeline

    finish = jobs.pipeline.finish

    def dies_before_loaded(target, status, message, **kwargs):
        if status == LOADED:
            raise RuntimeError("the worker died here")
        finish(target, status, message, **kwargs)

    monkeypatch.setattr(jobs.pipeline, "finish", dies_before_loaded)
    upload(submission, EXAMPLE.read_bytes())

    submission = run_phase(submission, PHASE_IMPORT, initial=True)

    assert submission.status == ERROR
    assert Animal.objects.filter(submission=submission).count() == 0
    assert Sample.objects.filter(submission=submission).count() == 0


def test_a_bad_file_ends_in_error_with_the_reason_and_imports_nothing(submission, published, run_phase):
    upload(submission, b"record_type,id\nanimal,a1\n")

    submission = run_phase(submission, PHASE_IMPORT, initial=True)

    assert submission.status == ERROR
    assert submission.message.startswith("Import failed:")
    assert submission.message.endswith("Nothing was imported.")  # nothing was loaded before, so nothing is "kept"
    assert Animal.objects.count() == 0
    assert published[-1]["status"] == ERROR


def test_validation_of_the_example_is_ready_with_counts_on_the_message(submission, published, run_phase):
    upload(submission, EXAMPLE.read_bytes())
    run_phase(submission, PHASE_IMPORT, initial=True)

    submission = run_phase(submission, PHASE_VALIDATION)

    assert submission.status == READY
    final = published[-1]
    assert final["validation_message"]["animal_issues"] == 0
    assert final["validation_message"]["animals"] == Animal.objects.count()
    assert any(f["type"] == "progress" and f["progress"]["phase"] == "validation" for f in published)


def test_ready_says_how_many_records_carry_warnings(submission, published, run_phase):
    upload(submission, EXAMPLE.read_bytes())
    run_phase(submission, PHASE_IMPORT, initial=True)
    Sample.objects.filter(submission=submission, pk=Sample.objects.filter(submission=submission).first().pk).update(
        storage=""
    )  # a recommended field left empty: a warning, not an error

    submission = run_phase(submission, PHASE_VALIDATION)

    assert submission.status == READY
    # The submission CSV has no column for some recommended IMAGE attributes (birth location, stages),
    # so all 360 records of the example carry a warning; none has an error.
    assert submission.message == (
        "All records passed validation, 360 with warnings (see the report). You can submit them to the archive."
    )


def test_validation_with_errors_needs_revision(submission, published, run_phase):
    upload(submission, EXAMPLE.read_bytes())
    run_phase(submission, PHASE_IMPORT, initial=True)
    Animal.objects.filter(submission=submission).update(sex="dragon")

    submission = run_phase(submission, PHASE_VALIDATION)

    assert submission.status == NEED_REVISION
    count = Animal.objects.count()
    assert submission.message == (
        f"Validation found problems in {count} records. Open the report and edit them there, "
        "or fix the file and upload it again; then validate again."
    )
    assert published[-1]["validation_message"]["animal_issues"] == Animal.objects.count()


def test_submission_goes_from_waiting_to_completed_with_accessions(submission, published, run_phase):
    """BioSamples answers each sample with its accession: nothing is left to wait for after the phase."""
    upload(submission, EXAMPLE.read_bytes())
    run_phase(submission, PHASE_IMPORT, initial=True)
    run_phase(submission, PHASE_VALIDATION)

    submission = run_phase(submission, PHASE_SUBMISSION)

    assert statuses(submission)[-3:] == [READY, WAITING, COMPLETED]
    assert submission.message.startswith("Completed: all ")
    assert submission.status == COMPLETED
    assert not Animal.objects.filter(accession="").exists()
    assert not Sample.objects.filter(accession="").exists()
    assert Animal.objects.values("accession").distinct().count() == Animal.objects.count()


def test_a_crashing_job_ends_in_error_instead_of_hanging_in_waiting(submission, published, run_phase, monkeypatch):
    upload(submission, EXAMPLE.read_bytes())

    def explode(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("jobs.pipeline.import_records", explode)
    submission = run_phase(submission, PHASE_IMPORT, initial=True)

    assert submission.status == ERROR
    assert "internal error (RuntimeError)" in submission.message
    assert "try again" in submission.message


def test_a_phase_the_status_does_not_allow_is_refused(submission):
    submission.status = SUBMITTED
    submission.save()

    with pytest.raises(PhaseNotAllowed):
        start_phase(submission=submission, phase=PHASE_VALIDATION)
    assert SubmissionEvent.objects.count() == 0


def test_watchdog_fails_jobs_whose_heartbeat_stopped(submission, published, django_capture_on_commit_callbacks):
    Submission.objects.filter(pk=submission.pk).update(
        status=WAITING, job_phase=PHASE_IMPORT, job_heartbeat=timezone.now() - timedelta(hours=1)
    )
    alive = Submission.objects.create(
        title="alive", owner=submission.owner, job_phase=PHASE_IMPORT, job_heartbeat=timezone.now()
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert fail_stale_jobs() == 1

    submission.refresh_from_db()
    alive.refresh_from_db()
    assert submission.status == ERROR
    assert submission.message == "The import stopped unexpectedly; please retry."
    assert alive.status == WAITING
    assert published[-1]["notification_message"] == submission.message


def test_orphaned_thread_jobs_fail_when_the_server_restarts(submission, published):
    Submission.objects.filter(pk=submission.pk).update(status=WAITING, job_phase=PHASE_VALIDATION)
    idle = Submission.objects.create(title="idle", owner=submission.owner, status=WAITING)

    assert fail_orphaned_jobs() == 1

    submission.refresh_from_db()
    idle.refresh_from_db()
    assert submission.status == ERROR
    assert "server restarted while the validation was running" in submission.message
    assert idle.status == WAITING


def test_an_interrupted_submission_phase_ends_ready_so_submit_can_resume_it(submission, published):
    """The records sent so far keep their accessions; Error would forbid the Submit that resumes."""
    Submission.objects.filter(pk=submission.pk).update(status=WAITING, job_phase=PHASE_SUBMISSION)

    assert fail_orphaned_jobs() == 1

    submission.refresh_from_db()
    assert submission.status == READY
    assert submission.message == "The server restarted while the submission was running; please retry."


def test_an_unreadable_ruleset_ends_validation_in_error_saying_why(
    submission, published, run_phase, settings, tmp_path
):
    """A broken ruleset file is the deployment's problem: the page says so, not "internal error"."""
    broken = tmp_path / "ruleset.json"
    broken.write_text('{"rule_groups": [{"name": "standard", "rules": [{"Name": "Sex"}]}]}', encoding="utf-8")
    upload(submission, EXAMPLE.read_bytes())
    run_phase(submission, PHASE_IMPORT, initial=True)
    settings.VALIDATION_RULESET_PATH = str(broken)

    submission = run_phase(submission, PHASE_VALIDATION)

    assert submission.status == ERROR
    assert submission.message.startswith("Validation could not run: Rule Sex in group standard of the validation")


def test_right_after_an_import_the_frame_counts_the_records_as_not_yet_validated(submission, published, run_phase):
    """The page shows the imported numbers before any validation, instead of "–"."""
    upload(submission, EXAMPLE.read_bytes())

    run_phase(submission, PHASE_IMPORT, initial=True)

    assert published[-1]["status"] == LOADED
    assert published[-1]["validation_message"] == {
        "animals": 120,
        "samples": 240,
        "animal_unkn": 120,
        "sample_unkn": 240,
        "animal_issues": 0,
        "sample_issues": 0,
    }
