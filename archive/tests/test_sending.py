"""Pressing Submit with a remote archive configured: what is sent, and what the submitter is told."""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive.loopback import SERVER_ERROR, TIMEOUT
from archive.models import ArchiveBatch
from common.constants import COMPLETED, ERROR, READY, SUBMITTED, WAITING
from submissions.models import SubmissionEvent
from uid.models import Animal, Sample

from .conftest import TOKEN

UNAVAILABLE = "archive unavailable, please try again later"


def events(submission) -> list[tuple[int, str]]:
    return list(SubmissionEvent.objects.filter(submission=submission).values_list("status", "message"))


def test_records_go_in_batches_animals_first_and_the_submission_waits(archive_server, ready, submit, published):
    submission = submit(ready)

    assert submission.status == SUBMITTED
    assert events(submission) == [
        (WAITING, "Submitting your records to the archive…"),
        (SUBMITTED, "Sent 5 records. Waiting for archive validation."),
    ]
    assert submission.job_phase == ""  # the poller, not a job, waits for the archive
    assert archive_server.posted_samples() == ["bull", "cow", "calf", "blood", "hair"]
    batches = list(ArchiveBatch.objects.filter(submission=submission))
    assert [(b.record_type, len(b.record_ids), b.status) for b in batches] == [
        ("animal", 2, "sent"),
        ("animal", 1, "sent"),
        ("sample", 2, "sent"),
    ]
    assert all(b.remote_id for b in batches)
    progress = [f["progress"] for f in published if f["type"] == "progress"]
    assert progress[-1] == {"phase": "submission", "done": 5, "total": 5}


def test_documents_carry_characteristics_and_relationships(archive_server, ready, submit):
    submit(ready)

    documents = {doc["name"]: doc for batch in archive_server.batches.values() for doc in batch.samples}
    calf, blood = documents["calf"], documents["blood"]
    assert calf["characteristics"]["organism"] == [
        {"text": "Bos taurus", "ontologyTerms": ["http://purl.obolibrary.org/obo/NCBITaxon_9913"]}
    ]
    assert calf["characteristics"]["material"][0]["text"] == "organism"
    assert {(r["type"], r["target"]) for r in calf["relationships"]} == {("child of", "bull"), ("child of", "cow")}
    assert blood["relationships"] == [{"source": "blood", "type": "derived from", "target": "calf"}]
    assert blood["characteristics"]["material"][0]["text"] == "specimen from organism"
    assert blood["release"].endswith("Z")


@pytest.mark.parametrize("fault", [SERVER_ERROR, TIMEOUT])
def test_a_transient_failure_leaves_the_submission_ready_with_a_message(archive_server, ready, submit, settings, fault):
    settings.ARCHIVE_TIMEOUT_SECONDS = 0.3
    archive_server.fail(fault)

    submission = submit(ready)

    assert submission.status == READY
    assert UNAVAILABLE in submission.message
    assert "Nothing was sent." in submission.message
    assert "Traceback" not in submission.message
    assert [status for status, _ in events(submission)] == [WAITING, READY]


def test_a_refused_connection_leaves_the_submission_ready(archive_server, ready, submit):
    archive_server.stop()

    submission = submit(ready)

    assert submission.status == READY
    assert submission.message == f"Submission paused: {UNAVAILABLE}. Nothing was sent."


def test_the_submission_page_tells_the_owner_the_archive_is_unavailable(archive_server, ready, submit, client):
    """What a person sees after pressing Submit while the archive is down: the issue's words, Ready, no traceback."""
    archive_server.stop()
    submission = submit(ready)
    client.force_login(submission.owner)

    page = client.get(reverse("submissions:detail", args=[submission.pk])).content.decode()

    assert "Submission paused: archive unavailable, please try again later. Nothing was sent." in page
    assert "Traceback" not in page


def test_an_expired_token_says_who_can_fix_it(archive_server, ready, submit):
    archive_server.token = "renewed-token"

    submission = submit(ready)

    assert submission.status == READY
    assert submission.message.startswith("The archive refused our credentials (token expired or invalid).")
    assert "renew ARCHIVE_TOKEN" in submission.message
    assert ArchiveBatch.objects.filter(status=ArchiveBatch.SENT).count() == 0


def test_an_answer_the_client_does_not_understand_is_an_error_for_support(archive_server, ready, submit, settings):
    settings.ARCHIVE_URL = f"{archive_server.url}/wrong-root"

    submission = submit(ready)

    assert submission.status == ERROR
    assert submission.message == (
        "The archive did not accept the records (the archive answered 404: not found). Please contact support."
    )


def test_a_resumed_submission_never_sends_a_batch_twice(archive_server, ready, submit, poll):
    archive_server.fail(SERVER_ERROR, method="POST", after=1)

    submission = submit(ready)

    assert submission.status == READY
    assert "1 of 3 batches were sent already; they will not be sent again." in submission.message

    archive_server.heal()
    submission = submit(submission)

    assert submission.status == SUBMITTED
    assert archive_server.posted_samples() == ["bull", "cow", "calf", "blood", "hair"]
    archive_server.wait_idle()
    poll(submission)
    assert submission.status == COMPLETED


def test_without_an_archive_url_the_embedded_archive_is_used(settings, ready, submit):
    settings.ARCHIVE_URL = ""

    submission = submit(ready)

    assert submission.status == COMPLETED
    assert [status for status, _ in events(submission)] == [WAITING, SUBMITTED, COMPLETED]
    assert not ArchiveBatch.objects.exists()
    assert not Animal.objects.filter(accession="").exists()
    assert not Sample.objects.filter(accession="").exists()


def test_records_added_after_a_paused_send_are_sent_with_the_rest(archive_server, ready, submit, poll):
    archive_server.fail(SERVER_ERROR, method="POST", after=1)
    submission = submit(ready)
    Animal.objects.create(submission=submission, name="late", species="Bos taurus", row=9)
    archive_server.heal()

    submission = submit(submission)
    archive_server.wait_idle()
    poll(submission)

    assert archive_server.posted_samples() == ["bull", "cow", "calf", "blood", "hair", "late"]
    assert submission.message == "Completed: the archive assigned accessions to 6 records."
    assert not Animal.objects.filter(accession="").exists()


def test_the_token_never_reaches_a_message_or_the_log(archive_server, ready, submit, poll, caplog):
    """Every failure path a person or an operator reads, with every logger at DEBUG (httpx and httpcore too)."""
    caplog.set_level("DEBUG")
    archive_server.token = "renewed-token"
    submit(ready)
    archive_server.token = TOKEN
    archive_server.fail(SERVER_ERROR)
    submit(ready)
    archive_server.heal()
    submission = submit(ready)
    archive_server.wait_idle()
    archive_server.token = "renewed-again"
    poll(submission)

    assert submission.status == SUBMITTED
    assert caplog.records
    assert TOKEN not in caplog.text
    assert not SubmissionEvent.objects.filter(message__contains=TOKEN).exists()
