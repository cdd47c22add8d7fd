"""Declare dead jobs dead, so no submission hangs in Waiting.

A worker killed with SIGKILL, or a server restarted while a thread job ran,
leaves a submission in Waiting with nobody working on it. Running jobs beat
a heartbeat; these functions end the ones that stopped beating.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from common import metrics
from common.constants import ERROR, JOB_QUEUED, PHASE_SUBMISSION, READY, SUBMITTED, WAITING
from jobs.pipeline import finish
from uid.models import Submission


def fail_stale_jobs() -> int:
    """End running jobs whose heartbeat is older than JOB_STALE_SECONDS.

    Queued jobs have no heartbeat: however long the line, waiting is not dying.
    """
    cutoff = timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS)
    stale = (
        Submission.objects.filter(status=WAITING, job_heartbeat__lt=cutoff)
        .exclude(job_phase="")
        .exclude(job_state=JOB_QUEUED)
    )
    failed = _fail(stale, "The {phase} stopped unexpectedly; please retry.", cutoff=cutoff)
    metrics.watchdog_failed("stale", failed)
    return failed


def fail_orphaned_jobs() -> int:
    """End every job of the previous server process (thread backend only)."""
    orphaned = Submission.objects.filter(status__in=[WAITING, SUBMITTED]).exclude(job_phase="")
    failed = _fail(orphaned, "The server restarted while the {phase} was {state}; please retry.")
    metrics.watchdog_failed("orphaned", failed)
    return failed


def _fail(queryset, template: str, cutoff=None) -> int:
    failed = 0
    for pk in list(queryset.values_list("pk", flat=True)):
        with transaction.atomic():
            submission = Submission.objects.select_for_update().get(pk=pk)
            # Re-check under the lock: the job may have finished meanwhile.
            if not submission.job_phase or submission.status not in (WAITING, SUBMITTED):
                continue
            if cutoff is not None and (
                submission.job_state == JOB_QUEUED
                or submission.job_heartbeat is None
                or submission.job_heartbeat >= cutoff
            ):
                continue
            # A submission keeps every accession it got, so Submit resumes it: Ready, not Error.
            status = READY if submission.job_phase == PHASE_SUBMISSION else ERROR
            state = "waiting to start" if submission.job_state == JOB_QUEUED else "running"
            finish(submission, status, template.format(phase=submission.job_phase, state=state))
            failed += 1
    return failed
