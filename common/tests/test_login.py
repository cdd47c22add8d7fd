"""Sign-in works, and password guessing is stopped."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from common.login import LOCKED_MESSAGE, MAX_FAILURES_PER_ACCOUNT


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_standard_login_form_signs_in(client, user):
    response = client.post("/accounts/login/", {"username": "alice", "password": "alice-password"})

    assert response.status_code == 302
    assert response.wsgi_request.user.is_authenticated


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, user):
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        assert client.post("/accounts/login/", {"username": "alice", "password": "wrong"}).status_code == 200

    response = client.post("/accounts/login/", {"username": "alice", "password": "alice-password"})

    assert response.status_code == 429
    assert LOCKED_MESSAGE in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_other_accounts_are_not_locked_by_one_accounts_failures(client, user, other_user):
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})

    response = client.post("/accounts/login/", {"username": "mallory", "password": "mallory-password"})

    assert response.status_code == 302


def test_login_post_without_csrf_token_is_refused(user):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"username": "alice", "password": "alice-password"}
    )

    assert response.status_code == 403


def test_password_change_page_requires_sign_in_and_changes_the_password(client, user):
    assert client.get("/accounts/password_change/").status_code == 302
    client.force_login(user)

    response = client.post(
        "/accounts/password_change/",
        {"old_password": "alice-password", "new_password1": "brand-new-pass-42", "new_password2": "brand-new-pass-42"},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-new-pass-42")
