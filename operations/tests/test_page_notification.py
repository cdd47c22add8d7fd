"""A submission's page shows one current notification: a refusal, or else the newest status event."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from common.constants import ERROR, LOADED, WAITING
from uid.models import Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def banners(page: str) -> list[str]:
    """Visible alerts (the hidden "records changed" note is not one)."""
    return [tag for tag in re.findall(r'<div[^>]*class="alert[^"]*"[^>]*>', squeeze(page)) if "d-none" not in tag]


def squeeze(page: str) -> str:
    return " ".join(page.split())


def test_a_started_phase_shows_its_status_event_once(alice, user):
    submission = Submission.objects.create(title="t", owner=user, status=LOADED, message="Loaded 2 animals.")

    page = alice.post(reverse("submissions:validate", args=[submission.pk]), follow=True).content.decode()

    assert len(banners(page)) == 1
    assert 'role="status" aria-live="polite">Validating your records…</div>' in squeeze(page)
    assert "Validation started." not in squeeze(page)


def test_a_refusal_is_the_one_notification_and_an_alert(alice, user):
    submission = Submission.objects.create(title="t", owner=user, status=WAITING, message="Validating your records…")

    page = alice.post(reverse("submissions:validate", args=[submission.pk]), follow=True).content.decode()

    assert len(banners(page)) == 1
    assert re.search(r'role="alert" aria-live="assertive">A submission in status Waiting cannot start', squeeze(page))


def test_an_error_status_is_an_alert(alice, user):
    submission = Submission.objects.create(title="t", owner=user, status=ERROR, message="The import failed.")

    page = alice.get(reverse("submissions:detail", args=[submission.pk])).content.decode()

    assert 'class="alert alert-danger" role="alert" aria-live="assertive">The import failed.</div>' in squeeze(page)
    assert '<div role="log" aria-labelledby="timeline-heading"' in squeeze(page)
