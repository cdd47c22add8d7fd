"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from uid.example_data import example_submission_metadata
from uid.models import Submission


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user(username="alice", password="alice-password")


@pytest.fixture
def other_user(db):
    return get_user_model().objects.create_user(username="mallory", password="mallory-password")


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_user(username="sam", password="sam-password", is_staff=True)


@pytest.fixture
def submission(user):
    # With the gene bank and a contact, as the ruleset needs for every record (the CSV format has no place for them).
    return Submission.objects.create(title="Cattle 2026", owner=user, **example_submission_metadata())


@pytest.fixture(autouse=True)
def _forget_latest_progress():
    """Each test starts with no remembered progress: SQLite reuses a rolled-back test's ids."""
    from django.core.cache import cache

    from submissions import latest_progress

    latest_progress._written.clear()
    cache.clear()
