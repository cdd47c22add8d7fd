"""Owner emails: once, after commit, on the statuses a person waits for; never at the job's expense."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from common.constants import COMPLETED, ERROR, LOADED, NEED_REVISION, PHASE_IMPORT, READY
from jobs.pipeline import fail, finish
from jobs.services import start_phase
from notifications.services import MAX_BODY_MESSAGE_CHARS, email_owner
from notifications.text import SHORTENED_NOTE
from submissions.models import SubmissionEvent
from uid.models import Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(db) -> Submission:
    owner = get_user_model().objects.create_user(username="bea", password="bea-password", email="bea@example.org")
    return Submission.objects.create(title="Sheep 2026", owner=owner)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the block as a transaction that commits, so on-commit mail goes out."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_an_error_emails_the_owner_once_with_the_reason_and_a_link(owned, mailoutbox, committed):
    with committed():
        finish(owned, ERROR, "Import failed: the file is not UTF-8. Nothing was imported.")

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["bea@example.org"]
    assert mail.subject == "[Submission Live] Sheep 2026: Error"
    assert 'Your submission "Sheep 2026" is now Error.' in mail.body
    assert "Import failed: the file is not UTF-8. Nothing was imported." in mail.body
    assert f"/submissions/{owned.pk}/" in mail.body


def test_a_failed_import_job_emails_the_owner(owned, mailoutbox, committed):
    """Through the real job: a submission without a file ends in Error and the owner hears of it."""
    with committed():
        start_phase(submission=owned, phase=PHASE_IMPORT, initial=True)

    owned.refresh_from_db()
    assert owned.status == ERROR
    assert [mail.subject for mail in mailoutbox] == ["[Submission Live] Sheep 2026: Error"]
    assert "There is no data file to import" in mailoutbox[0].body


def test_completed_emails_the_owner(owned, mailoutbox, committed):
    with committed():
        finish(owned, COMPLETED, "Completed: the archive assigned accessions to 12 records.")

    assert [mail.subject for mail in mailoutbox] == ["[Submission Live] Sheep 2026: Completed"]
    assert "accessions to 12 records" in mailoutbox[0].body


def test_need_revision_emails_only_when_the_archive_asks_for_it(owned, mailoutbox, committed):
    """Validation's own Need Revision happens while the person watches; the archive's comes days later."""
    with committed():
        finish(owned, NEED_REVISION, "Validation found problems in 3 records.")
    assert mailoutbox == []

    with committed():
        finish(owned, NEED_REVISION, "The archive rejected 2 records: see the report.", notify=True)

    assert [mail.subject for mail in mailoutbox] == ["[Submission Live] Sheep 2026: Need Revision"]
    assert "The archive rejected 2 records" in mailoutbox[0].body


@pytest.mark.parametrize("status", [LOADED, READY])
def test_intermediate_statuses_send_no_mail(owned, mailoutbox, committed, status):
    with committed():
        finish(owned, status, "Next step, please.")

    assert mailoutbox == []


def test_a_rolled_back_error_sends_no_mail(owned, mailoutbox, committed):
    def crash_after_the_status() -> None:
        with transaction.atomic():
            finish(owned, ERROR, "This never happened.")
            raise RuntimeError("rolled back after the status was set")

    with committed(), pytest.raises(RuntimeError):
        crash_after_the_status()

    assert mailoutbox == []
    assert not SubmissionEvent.objects.filter(submission=owned).exists()


def test_a_long_message_is_cut_at_a_word_boundary_with_a_note(owned, mailoutbox, committed):
    words = [f"record-{index}: the breed does not match the species." for index in range(200)]
    message = " ".join(words)
    assert len(message) > MAX_BODY_MESSAGE_CHARS

    with committed():
        finish(owned, ERROR, message)

    body = mailoutbox[0].body
    quoted = body.split("\n\n")[1]
    assert quoted.endswith(SHORTENED_NOTE)
    kept = quoted.removesuffix(SHORTENED_NOTE)
    assert len(kept) <= MAX_BODY_MESSAGE_CHARS
    assert message.startswith(kept)
    assert message[len(kept)] == " ", "a word was split"
    assert "record-199" not in body


def test_an_owner_without_an_email_address_gets_nothing(submission, mailoutbox, committed):
    """The shared `submission` fixture's owner has no address."""
    with committed():
        finish(submission, ERROR, "Import failed.")

    assert mailoutbox == []
    assert email_owner(submission_id=submission.pk, status=ERROR, message="Import failed.") is False


def test_a_mail_server_that_is_down_is_logged_and_the_job_still_ends_in_error(
    owned, mailoutbox, committed, settings, caplog
):
    settings.EMAIL_BACKEND = "notifications.tests.failing_backend.RefusingEmailBackend"

    with caplog.at_level(logging.ERROR, logger="notifications.services"), committed():
        fail(owned.pk, "Import failed: the file is not UTF-8.")

    owned.refresh_from_db()
    assert owned.status == ERROR
    assert owned.message == "Import failed: the file is not UTF-8."
    assert list(SubmissionEvent.objects.filter(submission=owned).values_list("status", flat=True)) == [ERROR]
    assert f"Could not email the owner of submission {owned.pk}" in caplog.text
    assert "SMTPConnectError" in caplog.text


def test_a_mail_server_that_is_down_does_not_stop_completed(owned, committed, settings):
    settings.EMAIL_BACKEND = "notifications.tests.failing_backend.RefusingEmailBackend"

    with committed():
        finish(owned, COMPLETED, "Completed: the archive assigned accessions to 3 records.")

    owned.refresh_from_db()
    assert owned.status == COMPLETED
