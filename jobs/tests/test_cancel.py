"""Cancel: asked for on the page, honoured at the job's next progress report, nothing half-done."""

from __future__ import annotations

import pytest
from django.core import mail

from common.constants import ERROR, LOADED, PHASE_IMPORT, PHASE_SUBMISSION, PHASE_VALIDATION, READY, WAITING
from jobs.cancel import CancelNotAllowed, request_cancel
from jobs.services import start_phase
from jobs.tests.conftest import with_data
from submissions.models import SubmissionEvent
from uid.formats import store
from uid.models import Animal, Submission
from validation.models import ValidationResult


@pytest.fixture(autouse=True)
def check_every_report(monkeypatch):
    """The job reads its cancel flag at every progress report, not every 0.25 s."""
    monkeypatch.setattr("jobs.progress.CANCEL_CHECK_SECONDS", 0)


def cancel_from_the_page(submission: Submission) -> None:
    """What the Cancel button's POST records, written while the job runs."""
    Submission.objects.filter(pk=submission.pk).update(job_cancel_requested=True)


def test_an_import_cancelled_while_storing_rolls_back_every_record_and_sends_no_email(
    submission, tmp_path, monkeypatch, run_phase, frames
):
    with_data(submission, tmp_path, "C-", animals=300)
    inserted: list[int] = []
    real_insert = store.insert_rows

    def insert_then_cancel(model, fields, rows, *, written):
        def counted(count: int) -> None:
            inserted.append(count)
            cancel_from_the_page(submission)  # after the first batch is in the database
            written(count)

        return real_insert(model, fields, rows, written=counted)

    monkeypatch.setattr("uid.formats.store.insert_rows", insert_then_cancel)

    submission = run_phase(submission, PHASE_IMPORT, initial=True)

    assert inserted  # records were written before the cancel took effect
    assert Animal.objects.filter(submission=submission).count() == 0
    # A first import has no earlier status to go back to; like a missing file, it needs a new one.
    assert submission.status == ERROR
    assert submission.message == (
        "Import cancelled; nothing was imported. Edit the submission to upload a data file again."
    )
    assert (submission.job_phase, submission.job_state, submission.job_cancel_requested) == ("", "", False)
    assert frames[-1]["type"] == "status"
    assert frames[-1]["notification_message"] == submission.message
    assert mail.outbox == []  # the owner pressed Cancel: no "your import failed" email


def test_a_cancelled_reimport_keeps_the_records_and_the_status_from_before(
    submission, tmp_path, monkeypatch, run_phase
):
    with_data(submission, tmp_path, "OLD-", animals=20)
    run_phase(submission, PHASE_IMPORT, initial=True)
    old = sorted(Animal.objects.filter(submission=submission).values_list("name", flat=True))
    with_data(submission, tmp_path, "NEW-", animals=300)
    real_parse = store.store_records

    def cancel_while_parsed(**kwargs):
        cancel_from_the_page(submission)
        return real_parse(**kwargs)

    monkeypatch.setattr("uid.importer.store_records", cancel_while_parsed)

    submission = run_phase(submission, PHASE_IMPORT)

    assert submission.status == LOADED
    assert submission.message == "Import cancelled; nothing was imported. The records loaded before are unchanged."
    assert sorted(Animal.objects.filter(submission=submission).values_list("name", flat=True)) == old


def test_a_cancelled_validation_leaves_the_results_and_status_it_had(submission, tmp_path, monkeypatch, run_phase):
    with_data(submission, tmp_path, "V-", animals=200)
    run_phase(submission, PHASE_IMPORT, initial=True)
    assert run_phase(submission, PHASE_VALIDATION).status == READY
    results = sorted(ValidationResult.objects.filter(submission=submission).values_list("pk", "status"))
    from jobs import pipeline

    real_validate = pipeline.validate_submission

    def cancelled_meanwhile(**kwargs):
        cancel_from_the_page(submission)
        return real_validate(**kwargs)

    monkeypatch.setattr("jobs.pipeline.validate_submission", cancelled_meanwhile)

    submission = run_phase(submission, PHASE_VALIDATION)

    assert submission.status == READY
    assert submission.message == "Validation cancelled; the validation results are as they were before it started."
    assert sorted(ValidationResult.objects.filter(submission=submission).values_list("pk", "status")) == results
    assert list(SubmissionEvent.objects.filter(submission=submission).values_list("status", flat=True))[-2:] == [
        WAITING,
        READY,
    ]


def test_a_cancelled_submission_to_the_embedded_archive_is_ready_again(submission, tmp_path, monkeypatch, run_phase):
    with_data(submission, tmp_path, "S-", animals=300)
    run_phase(submission, PHASE_IMPORT, initial=True)
    Submission.objects.filter(pk=submission.pk).update(status=READY)
    from archive.embedded import EmbeddedArchive

    real_create = EmbeddedArchive.create
    created: list[str] = []

    def create_then_cancel(self, document):
        created.append(real_create(self, document))
        if len(created) == 5:
            cancel_from_the_page(submission)  # the job stops at its report of the fifth record
        return created[-1]

    monkeypatch.setattr(EmbeddedArchive, "create", create_then_cancel)

    submission = run_phase(submission, PHASE_SUBMISSION)

    assert submission.status == READY
    assert submission.message == (
        "Submission to the archive cancelled. Records the archive already accepted keep their accessions; "
        "Submit sends the rest."
    )
    kept = sorted(
        Animal.objects.filter(submission=submission).exclude(accession="").values_list("accession", flat=True)
    )
    assert kept == sorted(created)
    assert len(created) == 5


def test_a_queued_job_cancelled_never_starts(submission, tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    with_data(submission, tmp_path, "Q-", animals=10)
    handed: list[tuple[str, int]] = []
    monkeypatch.setattr("jobs.runner.dispatch", lambda phase, pk: handed.append((phase, pk)))
    with django_capture_on_commit_callbacks(execute=True):
        start_phase(submission=submission, phase=PHASE_IMPORT, initial=True)

    assert request_cancel(submission=submission) == "Cancelled before it started."
    from jobs.execution import run_job

    run_job(*handed[0])  # the worker gets to it later

    submission.refresh_from_db()
    assert submission.status == ERROR
    assert submission.message.startswith("Import cancelled; nothing was imported.")
    assert Animal.objects.count() == 0
    assert not SubmissionEvent.objects.filter(submission=submission, status=LOADED).exists()


def test_cancelling_a_running_job_says_so_and_asking_twice_is_harmless(submission):
    Submission.objects.filter(pk=submission.pk).update(
        status=WAITING, job_phase=PHASE_IMPORT, job_state="running", job_previous_status=LOADED
    )

    assert request_cancel(submission=submission) == "Cancelling the import…"
    assert request_cancel(submission=submission) == "Cancelling the import…"

    submission.refresh_from_db()
    assert submission.job_cancel_requested is True
    assert submission.message == "Cancelling the import…"
    assert SubmissionEvent.objects.filter(submission=submission, message="Cancelling the import…").count() == 1


def test_there_is_nothing_to_cancel_once_the_phase_ended(submission):
    Submission.objects.filter(pk=submission.pk).update(status=LOADED)

    with pytest.raises(CancelNotAllowed, match="Nothing is running"):
        request_cancel(submission=submission)
