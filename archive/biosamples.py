"""A client for BioSamples' JSON submission API, as documented.

    POST {BIOSAMPLES_URL}/samples              a new sample     -> 201, the sample with its `accession`
    PUT  {BIOSAMPLES_URL}/samples/{accession}  the whole sample -> 200
    GET  {BIOSAMPLES_URL}/samples/{accession}                   -> 200

with `Authorization: Bearer <Webin JWT>`. BIOSAMPLES_URL is the API root,
e.g. https://wwwdev.ebi.ac.uk/biosamples for the development environment.
Each answer is sorted into what the caller can act on: 400 refuses the
document (DocumentRefused, with BioSamples' messages), 401 once renews the
token and 401/403 after that refuse the credentials, 429 waits for
Retry-After, and 5xx, timeouts and refused connections are retried with
exponential backoff before giving up with ArchiveUnavailable.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import httpx

from archive.errors import (
    ArchiveCredentialsRefused,
    ArchiveProtocolError,
    ArchiveUnavailable,
    DocumentRefused,
)

logger = logging.getLogger(__name__)


class TokenSource(Protocol):
    def __call__(self) -> str: ...

    def invalidate(self) -> None: ...


class Archive(Protocol):
    """What the sending code needs from an archive: BioSamples over HTTP, or the embedded one."""

    def create(self, document: dict[str, Any]) -> str: ...

    def update(self, accession: str, document: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


class BioSamplesClient:
    """One connection pool to BioSamples; use as a context manager."""

    def __init__(
        self,
        *,
        base_url: str,
        tokens: TokenSource,
        timeout: float,
        attempts: int = 4,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            headers={"Accept": "application/hal+json"},
            # One number for connect, read, write and pool: a stuck archive must not hold a job for long.
            timeout=httpx.Timeout(timeout),
        )
        self._tokens = tokens
        self._attempts = max(1, attempts)
        self._backoff = backoff
        self._max_wait = max_wait
        self._sleep = sleep

    def __enter__(self) -> BioSamplesClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def create(self, document: dict[str, Any]) -> str:
        body = self._request("POST", "samples", json=document, expect=(200, 201))
        accession = body.get("accession")
        if not isinstance(accession, str) or not accession:
            raise ArchiveProtocolError("BioSamples created the sample but returned no accession")
        return accession

    def update(self, accession: str, document: dict[str, Any]) -> None:
        self._request("PUT", f"samples/{accession}", json=document, expect=(200,))

    def get(self, accession: str) -> dict[str, Any]:
        return self._request("GET", f"samples/{accession}", expect=(200,))

    def _request(self, method: str, path: str, *, expect: tuple[int, ...], **kwargs: Any) -> dict[str, Any]:
        renewed = False
        failure = "the archive did not answer"
        attempt = 0
        while attempt < self._attempts:
            attempt += 1
            headers = {"Authorization": f"Bearer {self._tokens()}"}
            try:
                response = self._http.request(method, path, headers=headers, **kwargs)
            except httpx.TimeoutException:
                failure = "the archive did not answer in time"
                self._back_off(attempt, method, path, failure)
                continue
            except httpx.TransportError:
                failure = "the archive could not be reached"
                self._back_off(attempt, method, path, failure)
                continue
            status = response.status_code
            if status == 401 and not renewed:
                # A token can be revoked before its `exp`: one fresh token, then the refusal is real.
                renewed = True
                attempt -= 1
                self._tokens.invalidate()
                continue
            if status in (401, 403):
                raise ArchiveCredentialsRefused(f"BioSamples answered {status}: {_reason(response)}")
            if status == 429:
                wait = retry_after(response.headers.get("Retry-After"), default=self._delay(attempt))
                if wait > self._max_wait:
                    raise ArchiveUnavailable(f"the archive asked us to wait {wait:.0f} s before trying again")
                failure = "the archive kept asking us to slow down"
                logger.info("BioSamples asked to wait %.1f s (%s %s)", wait, method, path)
                self._sleep(wait)
                continue
            if status >= 500:
                failure = f"the archive answered {status}"
                self._back_off(attempt, method, path, failure)
                continue
            if status == 400:
                raise DocumentRefused(refusal_messages(response))
            if status not in expect:
                raise ArchiveProtocolError(f"BioSamples answered {status} to {method} {path}: {_reason(response)}")
            try:
                body = response.json()
            except ValueError as error:
                raise ArchiveProtocolError("BioSamples answered with something that is not JSON") from error
            if not isinstance(body, dict):
                raise ArchiveProtocolError("BioSamples answered with an unexpected document")
            return body
        raise ArchiveUnavailable(f"{failure} ({self._attempts} attempts)")

    def _delay(self, attempt: int) -> float:
        # Exponential with full jitter, so that many workers do not retry in step.
        return random.uniform(0, self._backoff * 2 ** (attempt - 1))

    def _back_off(self, attempt: int, method: str, path: str, failure: str) -> None:
        if attempt >= self._attempts:
            return
        delay = self._delay(attempt)
        logger.info("%s for %s %s; retrying in %.1f s", failure, method, path, delay)
        self._sleep(delay)


def retry_after(header: str | None, *, default: float) -> float:
    """Retry-After in seconds: either a number of seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not header:
        return default
    header = header.strip()
    if header.isdigit():
        return float(header)
    try:
        return max(0.0, parsedate_to_datetime(header).timestamp() - time.time())
    except (TypeError, ValueError):
        return default


def refusal_messages(response: httpx.Response) -> list[str]:
    """BioSamples' reasons for a 400, one message each, whatever form the body takes.

    Schema validation answers a list of {"dataPath", "errors": [...]}, either as
    the body or JSON-encoded in the `message` of Spring's error document; other
    refusals carry a plain `message` or `error`.
    """
    try:
        body: Any = response.json()
    except ValueError:
        text = response.text.strip()[:500]
        return [text or "BioSamples refused the sample (400) without saying why"]
    messages = _messages(body)
    return messages or ["BioSamples refused the sample (400) without saying why"]


def _messages(body: Any) -> list[str]:
    if isinstance(body, list):
        return [message for item in body for message in _messages(item)]
    if isinstance(body, str):
        try:
            decoded = json.loads(body)
        except ValueError:
            return [body] if body.strip() else []
        return _messages(decoded) if isinstance(decoded, list | dict) else [body]
    if not isinstance(body, dict):
        return []
    if "errors" in body and isinstance(body["errors"], list):
        path = str(body.get("dataPath") or "").strip()
        texts = [str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in body["errors"]]
        return [f"{path}: {text}" if path else text for text in texts]
    for key in ("message", "error"):
        if body.get(key):
            return _messages(body[key])
    return []


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        return str(body.get("message") or body.get("error") or "")[:200]
    return ""
