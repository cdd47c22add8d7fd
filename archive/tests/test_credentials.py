"""Submitting with the submitter's own Webin account: the password buys a token and is forgotten."""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive.models import WebinToken
from common.constants import COMPLETED, READY
from uid.models import Animal

from .conftest import PASSWORD, USERNAME


@pytest.fixture
def user_mode(double, settings):
    settings.BIOSAMPLES_CREDENTIALS = "user"
    settings.WEBIN_USERNAME = settings.WEBIN_PASSWORD = ""  # no site account: only the user's can work
    return double


@pytest.fixture
def owner_client(client, ready, django_capture_on_commit_callbacks):
    client.force_login(ready.owner)

    def press_submit(**data):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("submissions:submit", args=[ready.pk]), data, follow=True)
        ready.refresh_from_db()
        return response

    return press_submit


def test_the_submit_form_asks_for_webin_credentials_only_in_user_mode(client, ready, user_mode, settings):
    client.force_login(ready.owner)
    page = client.get(reverse("submissions:detail", args=[ready.pk])).content.decode()
    assert 'name="webin_password"' in page

    settings.BIOSAMPLES_CREDENTIALS = "site"
    page = client.get(reverse("submissions:detail", args=[ready.pk])).content.decode()
    assert 'name="webin_password"' not in page


def test_a_wrong_webin_password_is_said_on_the_page_and_nothing_starts(owner_client, ready, user_mode):
    response = owner_client(webin_username=USERNAME, webin_password="wrong")

    assert "Webin refused this username and password. Check them and submit again." in response.content.decode()
    assert ready.status == READY
    assert not WebinToken.objects.exists()
    assert user_mode.posted_names() == []


def test_submit_without_a_password_or_token_asks_for_them(owner_client, ready, user_mode):
    response = owner_client()

    assert "Enter your Webin username and password to submit to the archive." in response.content.decode()
    assert ready.status == READY


def test_the_users_token_submits_and_only_the_token_is_kept(owner_client, ready, user_mode):
    owner_client(webin_username=USERNAME, webin_password=PASSWORD)

    assert ready.status == COMPLETED
    stored = WebinToken.objects.get(user=ready.owner)
    assert stored.username == USERNAME
    assert PASSWORD not in stored.jwt
    assert not any(PASSWORD in str(value) for value in WebinToken.objects.values_list())
    assert user_mode.tokens_issued == 1
    assert not Animal.objects.filter(accession="").exists()


def test_a_fresh_token_lets_the_next_submit_go_without_the_password(owner_client, ready, user_mode):
    owner_client(webin_username=USERNAME, webin_password=PASSWORD)
    Animal.objects.filter(name="cow").update(birth_location="Lodi")
    ready.status = READY
    ready.save()

    owner_client()

    assert ready.status == COMPLETED
    assert user_mode.tokens_issued == 1
    assert [r.method for r in user_mode.requests if r.method == "PUT"] == ["PUT"]


def test_an_expired_user_token_pauses_in_ready_and_asks_to_sign_in_again(owner_client, ready, user_mode):
    owner_client(webin_username=USERNAME, webin_password=PASSWORD)
    WebinToken.objects.update(expires_at=0)
    Animal.objects.filter(name="cow").update(birth_location="Lodi")
    ready.status = READY
    ready.save()

    owner_client()  # no password: the stale token is not fresh, so the page asks first
    assert ready.status == READY

    from archive.submitting import submit_submission

    outcome = submit_submission(submission=ready, progress=lambda done, total: None)
    assert outcome.status == READY
    assert outcome.message.startswith(
        "The archive did not accept your Webin sign-in (your Webin sign-in has expired). "
        "Press Submit again and enter your Webin username and password."
    )


def test_staff_cannot_submit_someone_elses_submission_under_the_owners_webin_token(
    client, owner_client, ready, user_mode, staff_user, django_capture_on_commit_callbacks
):
    owner_client(webin_username=USERNAME, webin_password=PASSWORD)  # the owner has a fresh token
    Animal.objects.filter(name="cow").update(birth_location="Lodi")
    ready.status = READY
    ready.save()
    client.force_login(staff_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("submissions:submit", args=[ready.pk]),
            {"webin_username": USERNAME, "webin_password": PASSWORD},
            headers={"Accept": "application/json"},
        )

    assert response.status_code == 409
    assert response.json()["error"].startswith("Only the owner of this submission can submit it")
    ready.refresh_from_db()
    assert ready.status == READY
    assert [r.method for r in user_mode.requests if r.method == "PUT"] == []
    assert not WebinToken.objects.filter(user=staff_user).exists()


def test_a_malformed_webin_auth_url_is_a_clear_message_not_a_server_error(owner_client, ready, user_mode, settings):
    settings.WEBIN_AUTH_URL = user_mode.webin_url + "\n"  # a stray newline from an environment file

    response = owner_client(webin_username=USERNAME, webin_password=PASSWORD)

    assert response.status_code == 200
    page = response.content.decode()
    assert "The Webin sign-in failed: the Webin authentication service could not be asked" in page
    assert "Please contact support." in page
    assert ready.status == READY
