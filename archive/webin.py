"""JWTs from the ENA Webin authentication service, for BioSamples.

    POST {WEBIN_AUTH_URL}/token  {"authRealms": ["ENA"], "username", "password"}  -> 200, the JWT as text

A token lasts 3 hours unless asked otherwise (`ttl`, in hours). `SiteTokens`
holds the site account's password (a setting) and fetches a new token a
few minutes before the current one expires, so a long submission never
sends an expired one. A user's own token (archive.credentials) is fetched
once with the password they type, which is then forgotten.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass

import httpx

from archive.errors import ArchiveCredentialsRefused, ArchiveProtocolError, ArchiveUnavailable

DEFAULT_LIFETIME = 3 * 3600
# Refresh this long before `exp`: a request started just before expiry must not arrive just after.
REFRESH_MARGIN = 300


@dataclass(frozen=True)
class Token:
    jwt: str
    expires_at: float  # epoch seconds

    def fresh(self, *, margin: float = REFRESH_MARGIN) -> bool:
        return time.time() < self.expires_at - margin


def fetch_token(*, auth_url: str, username: str, password: str, timeout: float, ttl_hours: int | None = None) -> Token:
    """Exchange a Webin username and password for a token; raise an ArchiveError the user can act on."""
    params = {"ttl": str(ttl_hours)} if ttl_hours else None
    body = {"authRealms": ["ENA"], "username": username, "password": password}
    try:
        response = httpx.post(
            auth_url.rstrip("/") + "/token",
            json=body,
            params=params,
            headers={"Accept": "*/*"},
            timeout=timeout,
        )
    except httpx.TimeoutException as error:
        raise ArchiveUnavailable("the Webin authentication service did not answer in time") from error
    except httpx.TransportError as error:
        raise ArchiveUnavailable("the Webin authentication service could not be reached") from error
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        # A malformed WEBIN_AUTH_URL or an unreadable answer: a configuration to fix, not a 500.
        raise ArchiveProtocolError(f"the Webin authentication service could not be asked ({error})") from error
    if response.status_code in (400, 401, 403):
        raise ArchiveCredentialsRefused("Webin refused the username and password")
    if response.status_code == 429 or response.status_code >= 500:
        raise ArchiveUnavailable(f"the Webin authentication service answered {response.status_code}")
    if response.status_code != 200:
        raise ArchiveProtocolError(f"the Webin authentication service answered {response.status_code}")
    jwt = response.text.strip().strip('"')
    if jwt.count(".") != 2:
        raise ArchiveProtocolError("the Webin authentication service did not answer with a token")
    return Token(jwt=jwt, expires_at=expiry(jwt))


def expiry(jwt: str) -> float:
    """The token's `exp` claim, read without verifying the signature: BioSamples verifies it, we only plan.

    A token without a readable `exp` is taken to last the documented 3 hours.
    """
    try:
        payload = jwt.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(claims["exp"])
    except (IndexError, ValueError, KeyError, TypeError):
        return time.time() + DEFAULT_LIFETIME


class SiteTokens:
    """The site account's token, fetched on first use and again before it expires."""

    def __init__(self, *, auth_url: str, username: str, password: str, timeout: float) -> None:
        self._auth_url, self._username, self.password, self._timeout = auth_url, username, password, timeout
        self._token: Token | None = None
        self._lock = threading.Lock()
        self.fetched = 0

    def __call__(self) -> str:
        with self._lock:
            if self._token is None or not self._token.fresh():
                if not self._username or not self.password:
                    raise ArchiveCredentialsRefused("no Webin account is configured (WEBIN_USERNAME, WEBIN_PASSWORD)")
                self._token = fetch_token(
                    auth_url=self._auth_url, username=self._username, password=self.password, timeout=self._timeout
                )
                self.fetched += 1
            return self._token.jwt

    def invalidate(self) -> None:
        """BioSamples refused the token before its time (revoked): fetch a new one next time."""
        with self._lock:
            self._token = None


class FixedToken:
    """A user's token: it cannot be renewed without their password, so a refusal is final."""

    def __init__(self, token: Token) -> None:
        self._token = token

    def __call__(self) -> str:
        if not self._token.fresh(margin=60):
            raise ArchiveCredentialsRefused("your Webin sign-in has expired")
        return self._token.jwt

    def invalidate(self) -> None:
        """Nothing to renew with; the next call refuses if the token is really gone."""
