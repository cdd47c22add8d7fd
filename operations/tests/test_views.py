"""The profile page: create a token (shown once), revoke it; `manage.py create_api_token`."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from apitokens.models import ApiToken
from apitokens.services import user_for_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_created_token_is_shown_once_and_works(alice, user):
    page = alice.post("/accounts/profile/", {"name": "nightly import"}).content.decode()
    raw = re.search(r'id="new-token-value">([^<]+)<', page).group(1)

    assert user_for_token(raw) == user
    again = alice.get("/accounts/profile/").content.decode()
    assert raw not in again
    assert "nightly import" in again


def test_revoking_a_token_refuses_it(alice, user):
    page = alice.post("/accounts/profile/", {"name": "x"}).content.decode()
    raw = re.search(r'id="new-token-value">([^<]+)<', page).group(1)
    token = ApiToken.objects.get(user=user)

    response = alice.post(f"/accounts/profile/tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    assert Client().get("/api/submissions/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_nobody_revokes_someone_elses_token(alice, other_user):
    from apitokens.services import create_token

    token, _raw = create_token(user=other_user, name="theirs")

    assert alice.post(f"/accounts/profile/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_the_profile_needs_a_sign_in():
    assert Client().get("/accounts/profile/").status_code == 302


def test_create_api_token_prints_a_working_token(user):
    out = StringIO()
    call_command("create_api_token", "alice", stdout=out)

    assert user_for_token(out.getvalue().strip()) == user


def test_create_api_token_names_an_unknown_user(db):
    with pytest.raises(CommandError, match="No user 'nobody'"):
        call_command("create_api_token", "nobody")
