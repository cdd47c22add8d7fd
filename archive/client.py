"""A client for a BioSamples-style archive API.

The API has the shape of the BioSamples/WEBIN submission services: JSON
samples (name, release, characteristics, relationships), a bearer token, and
asynchronous validation on the archive's side. Records are posted in batches
and their outcome (an accession per record, or per-record errors) is read
later from the batch's status:

    POST {ARCHIVE_URL}/batches         {"samples": [...]}  -> 202 {"id", "status"}
    GET  {ARCHIVE_URL}/batches/{id}                        -> 200 {"id", "status", "samples": [...]}

The client turns every network trouble into one of two exceptions, so
callers decide per kind (retry later, or ask an administrator) and never
show a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings

PENDING = "pending"
PROCESSING = "processing"
FINISHED = "done"


class ArchiveError(Exception):
    """The archive could not be used; the message is safe to show."""


class ArchiveUnavailable(ArchiveError):
    """Transient: connection refused, timeout, 5xx. Trying again later may work."""


class ArchiveCredentialsRefused(ArchiveError):
    """401/403: the token expired or is wrong. Only an administrator can fix it."""


class ArchiveProtocolError(ArchiveError):
    """The archive answered something this client does not understand."""


@dataclass(frozen=True)
class RecordOutcome:
    name: str
    accession: str = ""
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class BatchState:
    remote_id: str
    status: str
    records: list[RecordOutcome] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.status == FINISHED


class ArchiveClient:
    """One HTTP connection pool to the archive; use as a context manager."""

    def __init__(self, *, base_url: str, token: str, timeout: float) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            # One number for connect, read, write and pool: a stuck archive
            # must never hold a job (and its heartbeat) for long.
            timeout=httpx.Timeout(timeout),
        )

    def __enter__(self) -> ArchiveClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def submit_batch(self, *, key: str, samples: list[dict[str, Any]]) -> BatchState:
        """Hand over one batch; `key` makes a resend of the same batch harmless."""
        body = self._request("POST", "batches", json={"samples": samples}, headers={"Idempotency-Key": key})
        return _batch_state(body)

    def batch_state(self, *, remote_id: str) -> BatchState:
        return _batch_state(self._request("GET", f"batches/{remote_id}"))

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as error:
            raise ArchiveUnavailable("the archive did not answer in time") from error
        except httpx.TransportError as error:
            raise ArchiveUnavailable("the archive could not be reached") from error
        except httpx.RequestError as error:
            # It answered, but unreadably (a body that does not decode): support's case, not a retry's.
            raise ArchiveProtocolError(f"the archive's answer could not be read ({type(error).__name__})") from error
        if response.status_code in (401, 403):
            raise ArchiveCredentialsRefused(_reason(response) or "credentials refused")
        if response.status_code >= 500 or response.status_code == 429:
            raise ArchiveUnavailable(f"the archive answered {response.status_code}")
        if response.status_code >= 400:
            raise ArchiveProtocolError(f"the archive answered {response.status_code}: {_reason(response)}")
        try:
            body = response.json()
        except ValueError as error:
            raise ArchiveProtocolError("the archive answered with something that is not JSON") from error
        if not isinstance(body, dict):
            raise ArchiveProtocolError("the archive answered with an unexpected document")
        return body


def client_from_settings() -> ArchiveClient:
    return ArchiveClient(
        base_url=settings.ARCHIVE_URL, token=settings.ARCHIVE_TOKEN, timeout=settings.ARCHIVE_TIMEOUT_SECONDS
    )


def _batch_state(body: dict[str, Any]) -> BatchState:
    try:
        records = [
            RecordOutcome(
                name=str(item["name"]),
                accession=str(item.get("accession") or ""),
                errors=tuple(_error_text(error) for error in item.get("errors") or []),
            )
            for item in body.get("samples") or []
        ]
        return BatchState(remote_id=str(body["id"]), status=str(body["status"]), records=records)
    except (KeyError, TypeError, AttributeError) as error:
        raise ArchiveProtocolError("the archive's batch document is missing fields") from error


def _error_text(error: Any) -> str:
    return str(error.get("message", error)) if isinstance(error, dict) else str(error)


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        return str(body.get("error") or body.get("message") or "")[:200]
    return ""
