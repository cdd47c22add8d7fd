"""Personal API tokens: shown once, stored as a hash, refused once revoked."""

from __future__ import annotations

import hashlib

import pytest

from apitokens.models import ApiToken
from apitokens.services import bearer_token, create_token, revoke_token, user_for_token

pytestmark = pytest.mark.django_db


def test_a_token_is_stored_only_as_its_hash(user):
    token, raw = create_token(user=user, name="nightly")

    stored = ApiToken.objects.get(pk=token.pk)
    assert raw.startswith("sl_")
    assert len(raw) > 40
    assert stored.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {stored.key_hash, stored.prefix, stored.name}
    assert raw.startswith(stored.prefix)


def test_a_token_signs_in_its_user_until_revoked(user, other_user):
    token, raw = create_token(user=user, name="nightly")

    assert user_for_token(raw) == user
    assert ApiToken.objects.get(pk=token.pk).last_used is not None
    assert not revoke_token(user=other_user, token_id=token.pk)
    assert user_for_token(raw) == user
    assert revoke_token(user=user, token_id=token.pk)
    assert user_for_token(raw) is None


def test_wrong_and_inactive_tokens_sign_in_nobody(user):
    _token, raw = create_token(user=user, name="x")

    assert user_for_token(raw + "x") is None
    assert user_for_token("not-a-token") is None
    user.is_active = False
    user.save()
    assert user_for_token(raw) is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [("Bearer sl_abc", "sl_abc"), (b"bearer  sl_abc ", "sl_abc"), ("Basic xyz", None), ("Bearer ", None), (None, None)],
)
def test_bearer_header_parsing(header, expected):
    assert bearer_token(header) == expected
