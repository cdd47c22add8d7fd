"""The submission phase: send the records, then say in words what happened.

Every answer ends in a status a submitter can act on, never in Error with a
traceback: Completed when every record has its accession; Need Revision when
BioSamples refused documents (its messages go into the validation report,
column "archive"); Ready when the archive is unavailable or the credentials
are refused, because the records are fine and Submit works again later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from archive.credentials import archive_for, asks_for_user_credentials
from archive.errors import ArchiveCredentialsRefused, ArchiveProtocolError, ArchiveUnavailable
from archive.report import record_archive_errors
from archive.sending import Tally, send_records
from common.constants import COMPLETED, ERROR, NEED_REVISION, READY
from uid.models import Animal, Sample, Submission

logger = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = "Submission paused: archive unavailable, please try again later."


@dataclass(frozen=True)
class Outcome:
    """The status and message the submission job ends with; `notify` emails the owner."""

    status: int
    message: str
    notify: bool | None = None


def submit_submission(*, submission: Submission, progress: Callable[[int, int], None]) -> Outcome:
    tally = Tally()
    try:
        with archive_for(submission) as archive:
            send_records(submission=submission, archive=archive, progress=progress, tally=tally)
    except ArchiveUnavailable as error:
        logger.warning("archive unavailable while submitting submission %s: %s", submission.pk, error)
        return Outcome(READY, f"{UNAVAILABLE_MESSAGE} {_so_far(submission, tally)}")
    except ArchiveCredentialsRefused as error:
        logger.warning("archive refused the credentials for submission %s: %s", submission.pk, error)
        return Outcome(READY, f"{credentials_message(str(error))} {_so_far(submission, tally)}")
    except ArchiveProtocolError as error:
        logger.error("archive protocol error for submission %s: %s", submission.pk, error)
        so_far = _so_far(submission, tally)
        return Outcome(ERROR, f"The archive answered something unexpected ({error}). {so_far} Please contact support.")
    if tally.refused:
        record_archive_errors(submission=submission, errors=tally.refused)
        kept = f" The {tally.done} records already in the archive keep their accessions." if tally.done else ""
        return Outcome(
            NEED_REVISION,
            f"The archive refused {tally.refused_count} of {tally.total} records. Open the validation report to "
            f'see why (column "archive"), fix them, validate and submit again.{kept}',
            notify=True,
        )
    changes = [f"{tally.created} new", f"{tally.updated} updated"]
    if tally.unchanged:
        changes.append(f"{tally.unchanged} unchanged")
    return Outcome(
        COMPLETED,
        f"Completed: all {tally.total} records are in the archive with their accessions ({', '.join(changes)}).",
    )


def credentials_message(reason: str) -> str:
    if asks_for_user_credentials():
        return (
            f"The archive did not accept your Webin sign-in ({reason}). "
            "Press Submit again and enter your Webin username and password."
        )
    return (
        f"The archive refused the site's Webin credentials ({reason}). "
        "Ask an administrator to check WEBIN_USERNAME and WEBIN_PASSWORD, then submit again."
    )


def _so_far(submission: Submission, tally: Tally) -> str:
    # The records' own accessions, not ArchivedDocument rows: a re-import may leave rows of records that are gone.
    held = sum(model.objects.filter(submission=submission).exclude(accession="").count() for model in (Animal, Sample))
    total = tally.total
    if not total:
        return "Nothing was sent."
    return f"{held} of {total} records are in the archive already; Submit sends the rest and never creates those again."
