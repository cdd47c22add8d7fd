"""The JSON API: `/api/submissions/…`, read-only, for scripts and the terminal watcher.

It answers with what a page shows, read through the same selectors, so the
owner/staff rule and the 404 for other people's submissions are the pages'.
A request is signed in by its session (a browser) or by a personal token
(`Authorization: Bearer sl_…`, created on the profile page or with
`manage.py create_api_token`). The OpenAPI schema is at `/api/openapi.json`
and browsable at `/api/docs`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Query, Schema
from ninja.security import HttpBearer, django_auth

from apitokens.services import user_for_token
from common.constants import STATUS_NAMES, WAITING
from submissions import latest_progress
from submissions.models import SubmissionEvent
from submissions.selectors import get_visible_submission, validation_counts, visible_submissions
from uid.models import Animal, Sample

MAX_EVENTS = 1000


class PersonalToken(HttpBearer):
    """A personal API token; its user becomes `request.user` (the selectors' owner/staff rule)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Submission Live API",
    version="1",
    description="Read submissions, their live state and their status event log.",
    auth=[django_auth, PersonalToken()],
    urls_namespace="api",
)


class SubmissionSummary(Schema):
    id: int
    title: str
    status: int
    status_name: str
    notification: str
    last_seq: int
    url: str
    created: str
    updated: str


class ProgressOut(Schema):
    phase: str
    done: int
    total: int


class SubmissionDetail(SubmissionSummary):
    counts: dict[str, int | None]
    job_running: bool
    job_phase: str
    progress: ProgressOut | None


class EventOut(Schema):
    seq: int
    status: int
    status_name: str
    notification: str
    validation_message: dict[str, int] | None
    created: str


class EventsQuery(Schema):
    since: int = 0
    limit: int = MAX_EVENTS


def _summary(submission: Any) -> dict[str, Any]:
    return {
        "id": submission.pk,
        "title": submission.title,
        "status": submission.status,
        "status_name": submission.status_name,
        "notification": submission.message,
        "last_seq": submission.last_seq,
        "url": submission.get_absolute_url(),
        "created": submission.created.isoformat(),
        "updated": submission.updated.isoformat(),
    }


@api.get("/submissions/", response=list[SubmissionSummary], summary="Your submissions (every one for staff)")
def list_submissions(request: HttpRequest) -> list[dict[str, Any]]:
    return [_summary(s) for s in visible_submissions(request.user)]


@api.get("/submissions/{pk}/", response=SubmissionDetail, summary="One submission's live state")
def submission_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    submission = get_visible_submission(request.user, pk)
    animals = Animal.objects.filter(submission=submission).count()
    samples = Sample.objects.filter(submission=submission).count()
    running = submission.status == WAITING and bool(submission.job_phase)
    progress = latest_progress.latest(submission.pk) if running else None
    if progress is not None and progress.get("phase") != submission.job_phase:
        progress = None
    return {
        **_summary(submission),
        "counts": validation_counts(submission, animals=animals, samples=samples),
        "job_running": running,
        "job_phase": submission.job_phase if running else "",
        "progress": progress,
    }


@api.get("/submissions/{pk}/events", response=list[EventOut], summary="Status events after `since`, in seq order")
def submission_events(request: HttpRequest, pk: int, query: Query[EventsQuery]) -> list[dict[str, Any]]:
    submission = get_visible_submission(request.user, pk)
    limit = max(1, min(query.limit, MAX_EVENTS))
    rows = (
        SubmissionEvent.objects.filter(submission=submission, seq__gt=max(0, query.since))
        .order_by("seq")
        .values_list("seq", "status", "message", "validation_message", "created")[:limit]
    )
    return [
        {
            "seq": seq,
            "status": status,
            "status_name": STATUS_NAMES[status],
            "notification": message,
            "validation_message": counts if isinstance(counts, dict) else None,
            "created": created.isoformat(),
        }
        for seq, status, message, counts, created in rows
    ]
