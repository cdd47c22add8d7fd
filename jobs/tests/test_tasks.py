"""Celery's entry points: the phase task and beat's archive poll."""

from __future__ import annotations

from django.conf import settings as django_settings

from archive.loopback import LoopbackArchive
from archive.models import ArchiveBatch
from common.constants import COMPLETED, SUBMITTED
from jobs.tasks import poll_archive
from uid.models import Animal


def test_beat_schedules_the_archive_poll_on_the_configured_interval():
    from config.celery_app import app

    entry = app.conf.beat_schedule["poll-archive"]
    assert entry["task"] == poll_archive.name == "archive.poll"
    assert entry["schedule"] == django_settings.ARCHIVE_POLL_SECONDS


def test_the_poll_task_concludes_a_submission_the_archive_has_validated(submission, settings):
    animal = Animal.objects.create(submission=submission, name="cow", species="Bos taurus")
    with LoopbackArchive(token="t") as archive:
        settings.ARCHIVE_URL, settings.ARCHIVE_TOKEN = archive.url, "t"
        from archive.client import client_from_settings

        with client_from_settings() as client:
            state = client.submit_batch(key="k", samples=[{"name": "cow", "relationships": []}])
        ArchiveBatch.objects.create(
            submission=submission,
            position=1,
            record_type=ArchiveBatch.ANIMAL,
            record_ids=[animal.pk],
            status=ArchiveBatch.SENT,
            remote_id=state.remote_id,
        )
        submission.status = SUBMITTED
        submission.save()
        archive.wait_idle()

        poll_archive.run()

    submission.refresh_from_db()
    animal.refresh_from_db()
    assert submission.status == COMPLETED
    assert animal.accession.startswith("SAMEA9")
