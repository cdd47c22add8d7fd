"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

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
    return Submission.objects.create(title="Cattle 2026", owner=user)
