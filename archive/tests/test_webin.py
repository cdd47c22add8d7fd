"""Webin tokens: fetched with the documented body, refreshed before they expire, refused clearly."""

from __future__ import annotations

import time

import pytest

from archive import webin
from archive.errors import ArchiveCredentialsRefused, ArchiveUnavailable
from archive.loopback import BioSamplesDouble
from archive.webin import FixedToken, SiteTokens, Token, expiry, fetch_token

from .conftest import PASSWORD, USERNAME


def test_a_token_is_fetched_with_realm_ena_and_its_expiry_read_from_the_jwt():
    with BioSamplesDouble(username=USERNAME, password=PASSWORD, token_seconds=600) as double:
        token = fetch_token(auth_url=double.webin_url, username=USERNAME, password=PASSWORD, timeout=2)

    assert token.jwt.count(".") == 2
    assert 590 < token.expires_at - time.time() <= 600
    assert expiry(token.jwt) == token.expires_at


def test_a_wrong_password_is_a_credentials_refusal():
    with (
        BioSamplesDouble(username=USERNAME, password=PASSWORD) as double,
        pytest.raises(ArchiveCredentialsRefused, match="Webin refused the username and password"),
    ):
        fetch_token(auth_url=double.webin_url, username=USERNAME, password="nope", timeout=2)


def test_an_auth_service_in_trouble_is_unavailable_not_refused():
    with BioSamplesDouble() as double:
        double.script("TOKEN", 503)
        with pytest.raises(ArchiveUnavailable):
            fetch_token(auth_url=double.webin_url, username="u", password="p", timeout=2)


def test_the_site_token_is_reused_while_fresh_and_renewed_before_it_expires(monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(webin.time, "time", lambda: clock[0])
    issued = []

    def fake_fetch(**kwargs):
        issued.append(kwargs["username"])
        return Token(jwt=f"a.b.{len(issued)}", expires_at=clock[0] + 3 * 3600)

    monkeypatch.setattr(webin, "fetch_token", fake_fetch)
    tokens = SiteTokens(auth_url="http://auth", username=USERNAME, password=PASSWORD, timeout=1)

    assert tokens() == "a.b.1"
    clock[0] += 3 * 3600 - webin.REFRESH_MARGIN - 1  # still fresh, just
    assert tokens() == "a.b.1"
    clock[0] += 2  # within the margin: renewed before it expires
    assert tokens() == "a.b.2"
    tokens.invalidate()
    assert tokens() == "a.b.3"


def test_a_site_without_a_webin_account_says_which_settings_to_set():
    tokens = SiteTokens(auth_url="http://auth", username="", password="", timeout=1)

    with pytest.raises(ArchiveCredentialsRefused, match="WEBIN_USERNAME, WEBIN_PASSWORD"):
        tokens()


def test_a_users_expired_token_is_refused_as_expired():
    with pytest.raises(ArchiveCredentialsRefused, match="expired"):
        FixedToken(Token("a.b.c", expires_at=0))()
