"""Read-side queries and page state for submissions.

Every view goes through `visible_submissions` / `get_visible_submission`, so
the object permission lives in one place: a submission someone may not see
is reported as missing (404), never as forbidden, which would confirm it
exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from common.constants import (
    ACTIONS_BY_STATUS,
    CANCEL,
    EDIT,
    JOB_QUEUED,
    STATUS_COLOURS,
    STATUS_NAMES,
    SUBMIT,
    VALIDATE,
    WAITING,
)
from submissions.models import SubmissionEvent
from uid.models import Animal, Sample, Submission

TIMELINE_LIMIT = 200
RECORDS_LIMIT = 100
# Validation-message key → (element id on the detail page, label). The ids
# are a contract with detail.js, which updates them from frames.
COUNT_FIELDS = {
    "animals": ("count-animals", "Animals"),
    "samples": ("count-samples", "Samples"),
    "animal_issues": ("count-animal-issues", "Animals with issues"),
    "sample_issues": ("count-sample-issues", "Samples with issues"),
    "animal_unkn": ("count-animal-unkn", "Animals not yet validated"),
    "sample_unkn": ("count-sample-unkn", "Samples not yet validated"),
}
COUNT_KEYS = tuple(COUNT_FIELDS)


def visible_submissions(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Submission]:
    """Submissions `user` may see: their own, or every one for staff."""
    if not user.is_authenticated or not user.is_active:
        return Submission.objects.none()
    submissions = Submission.objects.select_related("owner")
    if user.is_staff:
        return submissions
    return submissions.filter(owner=user)


def get_visible_submission(user: AbstractBaseUser | AnonymousUser, pk: int) -> Submission:
    """The submission, or Http404 when it is missing or not `user`'s to see."""
    return get_object_or_404(visible_submissions(user), pk=pk)


def ws_path(submission_id: int) -> str:
    """Path of the submission's socket; it has no Django URL name to reverse."""
    return f"/ws/submissions/{submission_id}/"


def allowed_actions(status: int) -> frozenset[str]:
    return ACTIONS_BY_STATUS.get(status, frozenset())


@dataclass(frozen=True, slots=True)
class ListRow:
    """One row of the list page; the page's notification socket keeps it live."""

    submission: Submission
    colour: str


def list_rows(submissions: Iterable[Submission]) -> list[ListRow]:
    return [ListRow(s, STATUS_COLOURS[s.status]) for s in submissions]


def page_state(submission: Submission) -> dict[str, Any]:
    """The `submission-state` JSON the detail page hands to the live client.

    `seq` is the `last_seq` read together with status and message, so the
    client's first `?since=` resumes exactly after what the page shows. The
    status tables come once per page from `common.context_processors`.
    """
    return {
        "submission": submission.pk,
        "seq": submission.last_seq,
        "status": submission.status,
        "ws_path": ws_path(submission.pk),
    }


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    seq: int
    status: int
    status_name: str
    colour: str
    message: str
    created: datetime


def timeline(submission: Submission, limit: int = TIMELINE_LIMIT) -> list[TimelineEntry]:
    """Latest events, newest first, up to the seq the page state carries.

    Events committed after the submission row was read are left out: the
    socket replays them, and listing them here too would show them twice.
    """
    rows = (
        SubmissionEvent.objects.filter(submission=submission, seq__lte=submission.last_seq)
        .order_by("-seq")
        .values_list("seq", "status", "message", "created")[:limit]
    )
    return [
        TimelineEntry(seq, status, STATUS_NAMES[status], STATUS_COLOURS[status], message, created)
        for seq, status, message, created in rows
    ]


def validation_counts(submission: Submission, *, animals: int, samples: int) -> dict[str, int | None]:
    """The counts the page opens with: those of the latest validation message.

    They are the numbers the live client would be showing had it been open,
    since it only updates counts from frames that carry them. Before any
    validation, the record totals passed in are shown and issue counts stay
    unknown (None).
    """
    latest = (
        SubmissionEvent.objects.filter(
            submission=submission, seq__lte=submission.last_seq, validation_message__isnull=False
        )
        .order_by("-seq")
        .values_list("validation_message", flat=True)
        .first()
    )
    if isinstance(latest, dict):
        return {key: _as_count(latest.get(key)) for key in COUNT_KEYS}
    counts: dict[str, int | None] = dict.fromkeys(COUNT_KEYS)
    counts["animals"] = animals
    counts["samples"] = samples
    return counts


def _as_count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True, slots=True)
class CountRow:
    element_id: str
    label: str
    value: int | None
    is_issue: bool


def count_rows(counts: dict[str, int | None]) -> list[CountRow]:
    return [
        CountRow(element_id, label, counts.get(key), key.endswith("_issues"))
        for key, (element_id, label) in COUNT_FIELDS.items()
    ]


@dataclass(frozen=True, slots=True)
class ProgressView:
    """What the progress bar shows before the first progress frame arrives."""

    visible: bool
    phase: str
    label: str


def queued_jobs() -> QuerySet[Submission]:
    """Jobs waiting for a worker, first in line first."""
    return Submission.objects.filter(job_state=JOB_QUEUED).exclude(job_phase="").order_by("job_queued_at", "pk")


def jobs_ahead(submission: Submission) -> int:
    """How many queued jobs will start before this submission's."""
    queued_at = submission.job_queued_at
    if queued_at is None:
        return 0
    earlier = Q(job_queued_at__lt=queued_at) | Q(job_queued_at=queued_at, pk__lt=submission.pk)
    return queued_jobs().filter(earlier).count()


def queued_label(ahead: int) -> str:
    """The progress label of a queued job; detail.js words it the same way."""
    return "Queued (next in line)" if ahead == 0 else f"Queued ({ahead} ahead of you)"


def initial_progress(submission: Submission) -> ProgressView:
    """A job runs, or waits in the queue, exactly while the submission is Waiting."""
    phase = submission.job_phase or ""
    if submission.status != WAITING:
        return ProgressView(visible=False, phase=phase, label="")
    if submission.job_state == JOB_QUEUED:
        return ProgressView(visible=True, phase=phase, label=queued_label(jobs_ahead(submission)))
    return ProgressView(visible=True, phase=phase, label=f"{phase or 'job'}: starting…")


def detail_context(submission: Submission) -> dict[str, Any]:
    """Everything `submissions/detail.html` renders, read in one place."""
    actions = allowed_actions(submission.status)
    animal_total = Animal.objects.filter(submission=submission).count()
    sample_total = Sample.objects.filter(submission=submission).count()
    return {
        "submission": submission,
        "state": page_state(submission),
        "status_colour": STATUS_COLOURS[submission.status],
        "can_validate": VALIDATE in actions,
        "can_submit": SUBMIT in actions,
        "can_edit": EDIT in actions,
        "can_cancel": CANCEL in actions,
        "events": timeline(submission),
        "count_rows": count_rows(validation_counts(submission, animals=animal_total, samples=sample_total)),
        "progress": initial_progress(submission),
        "animals": list(Animal.objects.filter(submission=submission)[:RECORDS_LIMIT]),
        "samples": list(Sample.objects.filter(submission=submission)[:RECORDS_LIMIT]),
        "animal_total": animal_total,
        "sample_total": sample_total,
        "records_limit": RECORDS_LIMIT,
    }
