"""Database reads behind the per-user notification socket.

Kept apart from `selectors` (the per-submission socket's reads); the hub
calls these through `database_sync_to_async` once per sweep for all users.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Sum

from submissions.events import user_event_message
from submissions.models import SubmissionEvent
from submissions_ws.auth import resolve_user
from uid.models import Submission


def signed_in_user(scope: dict[str, Any]) -> Any | None:
    """The socket's user if they may listen at all (signed in and active), loaded in the caller's hop."""
    user = resolve_user(scope)
    return user if user.is_authenticated and user.is_active else None


def owned_last_seqs(user_ids: list[int]) -> dict[int, tuple[int, int]]:
    """`{submission id: (owner id, last seq)}` for every submission these users own."""
    rows = Submission.objects.filter(owner_id__in=user_ids).values_list("pk", "owner_id", "last_seq")
    return {pk: (owner_id, last_seq) for pk, owner_id, last_seq in rows}


def owned_totals(user_ids: list[int]) -> dict[int, tuple[int, int]]:
    """`{user id: (submissions, sum of their last seqs)}`: one row per user.

    `last_seq` only grows, so an unchanged pair means no new event; the sweep
    reads a user's submissions one by one only when it changed.
    """
    rows = (
        Submission.objects.filter(owner_id__in=user_ids)
        .values("owner_id")
        .annotate(count=Count("pk"), total=Sum("last_seq"))
        .values_list("owner_id", "count", "total")
    )
    return {owner_id: (count, total or 0) for owner_id, count, total in rows}


def all_totals() -> tuple[int, int]:
    """`(submissions, sum of their last seqs)` over every submission: the staff routes' first look."""
    row = Submission.objects.aggregate(count=Count("pk"), total=Sum("last_seq"))
    return row["count"], row["total"] or 0


def all_last_seqs() -> dict[int, int]:
    """`{submission id: last seq}` for every submission (staff follow them all)."""
    return dict(Submission.objects.values_list("pk", "last_seq"))


def latest_user_events(submission_ids: list[int]) -> list[dict[str, Any]]:
    """Each submission's latest status event, as the layer message the hub routes.

    Only the latest: a notification says where a submission is now, so a
    page that missed three changes hears of the last one, not a burst.
    """
    events = (
        SubmissionEvent.objects.filter(submission_id__in=submission_ids, seq=F("submission__last_seq"))
        .order_by("submission_id")
        .values_list(
            "submission_id", "submission__owner_id", "submission__title", "seq", "status", "message", "created"
        )
    )
    return [
        user_event_message(
            user_id=owner_id,
            submission_id=submission_id,
            seq=seq,
            title=title,
            status=status,
            notification=message,
            timestamp=created,
        )
        for submission_id, owner_id, title, seq, status, message, created in events
    ]
