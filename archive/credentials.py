"""Which archive a submission goes to, and with whose Webin account.

Without BIOSAMPLES_URL the embedded archive answers. With it, the records go
to BioSamples with a Webin token: the site's account (WEBIN_USERNAME and
WEBIN_PASSWORD, refreshed before it expires), or, with
BIOSAMPLES_CREDENTIALS=user, the submitter's own account. A submitter types
their Webin password when they press Submit; it is exchanged for a token at
once and never stored (archive.models.WebinToken says why).
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from archive.biosamples import Archive, BioSamplesClient, TokenSource
from archive.embedded import EmbeddedArchive
from archive.errors import ArchiveCredentialsRefused
from archive.models import WebinToken
from archive.webin import FixedToken, SiteTokens, Token, fetch_token
from uid.models import Submission

USER = "user"
# One token per site account and process, reused by every job until it nears expiry.
_site_tokens: dict[tuple[str, str], SiteTokens] = {}
_site_tokens_lock = threading.Lock()


def remote_configured() -> bool:
    return bool(settings.BIOSAMPLES_URL)


def asks_for_user_credentials() -> bool:
    """Whether Submit needs the submitter's Webin username and password."""
    return remote_configured() and settings.BIOSAMPLES_CREDENTIALS == USER


def sign_in(*, user: AbstractBaseUser, username: str, password: str) -> WebinToken:
    """Exchange the submitter's Webin password for a token and keep only the token."""
    token = fetch_token(
        auth_url=settings.WEBIN_AUTH_URL,
        username=username,
        password=password,
        timeout=settings.BIOSAMPLES_TIMEOUT_SECONDS,
        ttl_hours=settings.WEBIN_USER_TOKEN_HOURS,
    )
    stored, _ = WebinToken.objects.update_or_create(
        user=user, defaults={"username": username, "jwt": token.jwt, "expires_at": token.expires_at}
    )
    return stored


def has_fresh_user_token(user: AbstractBaseUser) -> bool:
    stored = WebinToken.objects.filter(user=user).first()
    return stored is not None and Token(stored.jwt, stored.expires_at).fresh()


def archive_for(submission: Submission) -> Archive:
    if not remote_configured():
        return EmbeddedArchive()
    return BioSamplesClient(
        base_url=settings.BIOSAMPLES_URL,
        tokens=_tokens_for(submission),
        timeout=settings.BIOSAMPLES_TIMEOUT_SECONDS,
        attempts=settings.BIOSAMPLES_ATTEMPTS,
        backoff=settings.BIOSAMPLES_BACKOFF_SECONDS,
        max_wait=settings.BIOSAMPLES_MAX_WAIT_SECONDS,
    )


def _tokens_for(submission: Submission) -> TokenSource:
    if settings.BIOSAMPLES_CREDENTIALS == USER:
        stored = WebinToken.objects.filter(user_id=submission.owner_id).first()
        if stored is None:
            raise ArchiveCredentialsRefused("you have not signed in to Webin for this submission")
        return FixedToken(Token(stored.jwt, stored.expires_at))
    key = (settings.WEBIN_AUTH_URL, settings.WEBIN_USERNAME)
    with _site_tokens_lock:
        tokens = _site_tokens.get(key)
        if tokens is None or tokens.password != settings.WEBIN_PASSWORD:
            tokens = SiteTokens(
                auth_url=settings.WEBIN_AUTH_URL,
                username=settings.WEBIN_USERNAME,
                password=settings.WEBIN_PASSWORD,
                timeout=settings.BIOSAMPLES_TIMEOUT_SECONDS,
            )
            _site_tokens[key] = tokens
        return tokens
