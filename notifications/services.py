"""Email the owner when a submission reaches a status they wait for.

Pages show every change live, but a scientist does not keep the page open
for the minutes (or, with a real archive, days) a phase can take. Mail goes
out after the status commits, never for a rolled-back one, and a mail server
that is down is logged rather than turning a finished job into an Error.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from common.constants import STATUS_NAMES
from notifications.text import truncate
from uid.models import Submission

logger = logging.getLogger(__name__)

# A status message can quote thousands of archive errors; mail carries the
# start of it and points at the report for the rest.
MAX_BODY_MESSAGE_CHARS = 2000


def email_owner_on_commit(*, submission_id: int, status: int, message: str) -> None:
    """Queue `email_owner` for when the caller's transaction commits."""
    transaction.on_commit(lambda: email_owner(submission_id=submission_id, status=status, message=message))


def email_owner(*, submission_id: int, status: int, message: str) -> bool:
    """Send the owner one email about `status`; returns whether it was sent."""
    submission = Submission.objects.select_related("owner").filter(pk=submission_id).first()
    if submission is None or not submission.owner.email:
        return False
    subject = f"[Submission Live] {submission.title}: {STATUS_NAMES[status]}"
    body = "\n\n".join(
        [
            f'Your submission "{submission.title}" is now {STATUS_NAMES[status]}.',
            truncate(message, MAX_BODY_MESSAGE_CHARS),
            f"Open it: {settings.SITE_URL.rstrip('/')}{submission.get_absolute_url()}",
        ]
    )
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [submission.owner.email])
    # SMTP errors come in many types; the job's outcome must not depend on mail.
    except Exception:
        logger.exception("Could not email the owner of submission %s", submission_id)
        return False
    return True
