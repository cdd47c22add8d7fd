"""Signing in works, password guessing is stopped, and the owner is not locked out by somebody else's guesses."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.utils import timezone

from common.login import LOCKED_MESSAGE

ATTACKER = "203.0.113.7"
OWNER = "198.51.100.20"
WRONG_CREDENTIALS = "Please enter a correct username and password"


def sign_in(client: Client, username: str, password: str, address: str = ATTACKER, **headers: str):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def signed_in_as(client: Client) -> str | None:
    """Who the list page says is signed in (None: it sends the visitor to the login page)."""
    response = client.get("/submissions/")
    if response.status_code != 200:
        return None
    return response.context["user"].get_username()


def fail(client: Client, times: int, username: str = "alice", address: str = ATTACKER) -> None:
    """Sign in wrongly `times` times; the failure that reaches the limit already gets the lockout page."""
    for attempt in range(1, times + 1):
        page = sign_in(client, username, "wrong", address).content.decode()
        assert (LOCKED_MESSAGE if attempt >= settings.AXES_FAILURE_LIMIT else WRONG_CREDENTIALS) in page


def test_the_login_form_signs_the_person_in(client, user):
    response = sign_in(client, "alice", "alice-password")

    assert response.status_code == 302
    assert signed_in_as(client) == "alice"


def test_a_wrong_password_says_so_and_signs_nobody_in(client, user):
    response = sign_in(client, "alice", "wrong")

    assert WRONG_CREDENTIALS in response.content.decode()
    assert signed_in_as(client) is None


def test_repeated_failures_lock_the_account_from_that_address_even_for_the_right_password(client, user):
    fail(client, settings.AXES_FAILURE_LIMIT)

    response = sign_in(client, "alice", "alice-password")

    assert response.status_code == 429
    assert LOCKED_MESSAGE in response.content.decode()
    assert signed_in_as(client) is None


def test_the_owner_still_signs_in_from_another_address_while_an_attacker_is_locked_out(client, user):
    fail(client, settings.AXES_FAILURE_LIMIT + 3)

    owner = Client()
    response = sign_in(owner, "alice", "alice-password", address=OWNER)

    assert response.status_code == 302
    assert signed_in_as(owner) == "alice"


def test_other_accounts_from_the_same_address_are_not_locked(client, user, other_user):
    fail(client, settings.AXES_FAILURE_LIMIT)

    sign_in(client, "mallory", "mallory-password")

    assert signed_in_as(client) == "mallory"


def test_a_forwarded_for_header_from_the_client_does_not_reset_the_count(client, user):
    """The address is the peer's, as the server resolved it, never a header the client chose."""
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "alice", "wrong", HTTP_X_FORWARDED_FOR=f"10.9.8.{attempt}")

    response = sign_in(client, "alice", "alice-password", HTTP_X_FORWARDED_FOR="10.9.8.200")

    assert LOCKED_MESSAGE in response.content.decode()
    assert signed_in_as(client) is None


def test_the_lock_lifts_after_the_cool_off(client, user):
    fail(client, settings.AXES_FAILURE_LIMIT)
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))

    sign_in(client, "alice", "alice-password")

    assert signed_in_as(client) == "alice"


def test_a_successful_sign_in_clears_the_earlier_failures(client, user):
    fail(client, settings.AXES_FAILURE_LIMIT - 1)
    sign_in(client, "alice", "alice-password")
    client.post("/accounts/logout/")

    fail(client, settings.AXES_FAILURE_LIMIT - 1)
    sign_in(client, "alice", "alice-password")

    assert signed_in_as(client) == "alice"


def test_login_post_without_csrf_token_is_refused(user):
    client = Client(enforce_csrf_checks=True)

    response = sign_in(client, "alice", "alice-password")

    assert response.status_code == 403
    assert signed_in_as(client) is None


def test_password_change_page_requires_sign_in_and_changes_the_password(client, user):
    assert client.get("/accounts/password_change/").status_code == 302
    client.force_login(user)

    response = client.post(
        "/accounts/password_change/",
        {"old_password": "alice-password", "new_password1": "brand-new-pass-42", "new_password2": "brand-new-pass-42"},
    )

    assert response.status_code == 302
    assert signed_in_as(client) == "alice"
    user.refresh_from_db()
    assert user.check_password("brand-new-pass-42")
