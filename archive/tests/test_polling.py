"""Polling the archive: Completed with accessions, or Need Revision with the archive's errors in the report."""

from __future__ import annotations

from datetime import timedelta
from unittest.mock import patch

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from archive.client import ArchiveClient, client_from_settings
from archive.loopback import SERVER_ERROR
from archive.models import ArchiveBatch
from archive.polling import CREDENTIALS_WHILE_WAITING, poll_archive, poll_submission, waiting_long_message
from common.constants import COMPLETED, NEED_REVISION, READY, SUBMITTED, WAITING
from jobs.watchdog import fail_orphaned_jobs
from submissions.models import SubmissionEvent
from uid.models import Animal, Record, Sample
from validation.models import ValidationResult, ValidationSummary


def statuses(submission) -> list[int]:
    return list(SubmissionEvent.objects.filter(submission=submission).values_list("status", flat=True))


@pytest.fixture
def held(archive_server):
    """The archive takes its time: batches stay pending until released."""
    archive_server.hold()
    return archive_server


def test_the_archive_assigns_an_accession_per_record_and_the_submission_completes(
    archive_server, ready, submit, poll, published
):
    submission = submit(ready)
    archive_server.wait_idle()

    assert poll(submission) == 1

    assert submission.status == COMPLETED
    assert submission.message == "Completed: the archive assigned accessions to 5 records."
    assert statuses(submission) == [WAITING, SUBMITTED, COMPLETED]
    accessions = list(Animal.objects.values_list("accession", flat=True)) + list(
        Sample.objects.values_list("accession", flat=True)
    )
    assert len(set(accessions)) == 5
    assert all(accession.startswith("SAMEA9") for accession in accessions)
    assert set(ArchiveBatch.objects.values_list("status", flat=True)) == {ArchiveBatch.DONE}
    assert published[-1]["status"] == COMPLETED
    assert [m.subject for m in mail.outbox] == ["[Submission Live] Cattle 2026: Completed"]


def test_per_record_errors_need_revision_and_show_in_the_report(archive_server, ready, submit, poll, published):
    archive_server.reject["hair"] = "organism part 'hair' is not an UBERON term"
    submission = submit(ready)
    archive_server.wait_idle()

    poll(submission)

    assert submission.status == NEED_REVISION
    assert submission.message == (
        "The archive rejected 1 of 5 records. Open the validation report to see why, fix them and submit again."
    )
    hair = Sample.objects.get(name="hair")
    assert hair.accession == ""
    assert Sample.objects.get(name="blood").accession.startswith("SAMEA9")
    result = ValidationResult.objects.get(submission=submission, record_type="sample", record_id=hair.pk)
    assert result.status == Record.ERROR
    assert result.messages == [{"message": "organism part 'hair' is not an UBERON term", "column": "archive"}]
    summary = ValidationSummary.objects.get(submission=submission, record_type="sample")
    assert (summary.total, summary.errors) == (2, 1)
    final = SubmissionEvent.objects.filter(submission=submission).last()
    assert final.status == NEED_REVISION
    assert final.validation_message["sample_issues"] == 1
    assert final.validation_message["animal_issues"] == 0
    assert published[-1]["validation_message"]["sample_issues"] == 1
    # Need Revision after the archive's review is worth an email, unlike our own validation's.
    assert [m.subject for m in mail.outbox] == ["[Submission Live] Cattle 2026: Need Revision"]


def test_the_report_page_shows_the_archive_errors(archive_server, ready, submit, poll, client):
    archive_server.reject["hair"] = "organism part 'hair' is not an UBERON term"
    submission = submit(ready)
    archive_server.wait_idle()
    poll(submission)
    client.force_login(submission.owner)

    page = client.get(reverse("validation:report", args=[submission.pk])).content.decode()

    assert "hair" in page
    assert "organism part &#x27;hair&#x27; is not an UBERON term" in page


def test_archive_errors_replace_earlier_archive_errors_but_keep_our_own(archive_server, ready, submit, poll):
    hair = Sample.objects.get(name="hair")
    own = {"message": "storage is not a controlled term", "column": "storage"}
    ValidationResult.objects.create(
        submission=ready, record_type="sample", record_id=hair.pk, record_name="hair", status="Warning", messages=[own]
    )
    archive_server.reject["hair"] = "rejected"
    submission = submit(ready)
    archive_server.wait_idle()

    poll(submission)

    result = ValidationResult.objects.get(record_id=hair.pk, record_type="sample")
    assert result.messages == [own, {"message": "rejected", "column": "archive"}]
    assert result.status == Record.ERROR


def test_a_resubmission_after_revision_sends_only_what_was_rejected(archive_server, ready, submit, poll):
    archive_server.reject["hair"] = "rejected"
    submission = submit(ready)
    archive_server.wait_idle()
    poll(submission)
    archive_server.reject.clear()
    submission.status = READY  # as a fresh validation would leave it
    submission.save()

    submission = submit(submission)
    archive_server.wait_idle()
    poll(submission)

    assert submission.status == COMPLETED
    assert submission.message == "Completed: the archive assigned accessions to 1 records."
    assert archive_server.posted_samples() == ["bull", "cow", "calf", "blood", "hair", "hair"]


def test_polling_waits_while_the_archive_is_still_validating_and_survives_a_restart(held, ready, submit, poll):
    submission = submit(ready)

    assert poll(submission) == 0
    assert submission.status == SUBMITTED
    assert set(ArchiveBatch.objects.values_list("remote_status", flat=True)) == {"pending"}
    # A server restart (thread backend) fails orphaned jobs: the wait for the archive is not one.
    assert fail_orphaned_jobs() == 0

    held.release()
    held.wait_idle()
    poll(submission)

    assert submission.status == COMPLETED
    assert statuses(submission) == [WAITING, SUBMITTED, COMPLETED]


def test_an_unavailable_archive_while_polling_changes_nothing_until_it_is_back(archive_server, ready, submit, poll):
    submission = submit(ready)
    archive_server.wait_idle()
    archive_server.fail(SERVER_ERROR, method="GET")

    poll(submission)

    assert submission.status == SUBMITTED
    assert statuses(submission) == [WAITING, SUBMITTED]

    archive_server.heal()
    poll(submission)
    assert submission.status == COMPLETED


def test_an_expired_token_while_polling_is_said_once_and_polling_resumes(archive_server, ready, submit, poll):
    submission = submit(ready)
    archive_server.wait_idle()
    archive_server.token = "renewed"

    poll(submission)
    poll(submission)

    assert submission.status == SUBMITTED
    assert submission.message == CREDENTIALS_WHILE_WAITING
    assert statuses(submission) == [WAITING, SUBMITTED, SUBMITTED]

    archive_server.token = "test-archive-token"
    poll(submission)
    assert submission.status == COMPLETED


def test_without_an_archive_url_nothing_is_polled(settings, archive_server, ready, submit, poll):
    submission = submit(ready)
    settings.ARCHIVE_URL = ""

    assert poll(submission) == 0
    assert submission.status == SUBMITTED
    assert ("GET", f"/batches/{ArchiveBatch.objects.first().remote_id}") not in archive_server.requests


def test_a_round_that_stopped_before_concluding_is_concluded_by_the_next(archive_server, ready, submit, poll):
    submission = submit(ready)
    archive_server.wait_idle()
    with patch("archive.polling.conclude", side_effect=RuntimeError("process killed")):
        assert poll(submission) == 0
    assert not ArchiveBatch.objects.filter(status=ArchiveBatch.SENT).exists()
    assert submission.status == SUBMITTED

    poll(submission)

    assert submission.status == COMPLETED


def test_an_archive_that_never_finishes_is_said_once_after_the_configured_wait(held, ready, submit, poll, settings):
    settings.ARCHIVE_WAIT_WARN_HOURS = 24
    submission = submit(ready)
    poll(submission)
    assert submission.message == "Sent 5 records. Waiting for archive validation."

    ArchiveBatch.objects.update(sent_at=timezone.now() - timedelta(hours=25))
    poll(submission)
    poll(submission)

    assert submission.status == SUBMITTED
    assert submission.message == waiting_long_message(24)
    assert "for more than 24 hours" in submission.message
    assert "contact support" in submission.message
    assert statuses(submission) == [WAITING, SUBMITTED, SUBMITTED]

    held.release()
    held.wait_idle()
    poll(submission)
    assert submission.status == COMPLETED


def test_a_round_asked_to_stop_makes_no_further_request(archive_server, ready, submit, poll):
    """A server shutting down waits for one request at most, and the next round carries on."""
    submission = submit(ready)
    archive_server.wait_idle()

    def gets() -> int:
        return sum(method == "GET" for method, _ in archive_server.requests)

    assert poll_archive(should_stop=lambda: gets() >= 1) == 0
    assert gets() == 1
    submission.refresh_from_db()
    assert submission.status == SUBMITTED

    poll(submission)
    assert submission.status == COMPLETED


def test_overlapping_rounds_conclude_once(archive_server, ready, submit, poll):
    """Two server processes poll the same batches at once: one Completed event, one email, one accession each."""
    submission = submit(ready)
    archive_server.wait_idle()
    mail.outbox.clear()
    ask = ArchiveClient.batch_state
    overtaken: list[bool] = []

    def overtaking(self, *, remote_id):
        if not overtaken:
            overtaken.append(True)
            # Another process's round runs to its end while this one waits for its first answer.
            with client_from_settings() as other:
                assert poll_submission(submission_id=submission.pk, client=other)
        return ask(self, remote_id=remote_id)

    with patch.object(ArchiveClient, "batch_state", overtaking):
        assert poll(submission) == 0

    assert overtaken
    assert submission.status == COMPLETED
    assert statuses(submission) == [WAITING, SUBMITTED, COMPLETED]
    assert [m.subject for m in mail.outbox] == ["[Submission Live] Cattle 2026: Completed"]
    accessions = list(Animal.objects.values_list("accession", flat=True)) + list(
        Sample.objects.values_list("accession", flat=True)
    )
    assert len(set(accessions)) == 5
    assert all(accessions)
