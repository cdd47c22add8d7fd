"""Editing one record after import, from the report.

A record changed after validation makes the last verdict wrong for it, so
the edit marks that record's result and the submission Need Revision and
tells every open page, in the same transaction as the change: a page never
shows Ready next to data that was never checked.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from common.constants import ACTIONS_BY_STATUS, EDIT, NEED_REVISION
from submissions.actions import change_status
from uid.models import Animal, Sample, Submission
from validation.fields import ANIMAL, FIELDS, READ_ONLY, SAMPLE, Field
from validation.models import EDITED, ValidationResult, ValidationSummary

MODELS: dict[str, type[Animal] | type[Sample]] = {ANIMAL: Animal, SAMPLE: Sample}
CHANGED_MESSAGE = "Data has changed, validation has to be called"
EDITED_ISSUE = "This record was edited after validation. Validate the submission again to check it."


class EditRefused(Exception):
    """The submission's status does not allow editing now; the message says why, for the person."""


def editable_fields(record_type: str) -> tuple[Field, ...]:
    """The fields the edit page offers: every field of the table but the id."""
    return tuple(field for field in FIELDS[record_type] if field.name not in READ_ONLY)


def can_edit(submission: Submission) -> bool:
    return EDIT in ACTIONS_BY_STATUS.get(submission.status, frozenset())


def update_record(*, submission: Submission, record_type: str, record_id: int, values: Mapping[str, str]) -> list[str]:
    """Save the edited values of one record; returns the columns that changed.

    The status is re-checked under the submission's row lock, so an edit
    cannot slip in after a validation or submission has started. When the
    submission has been validated, the record's result and the submission
    become Need Revision, and the status event is published after commit.
    """
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if not can_edit(locked):
            raise EditRefused(f"Records cannot be edited while the submission is {locked.status_name}.")
        record = MODELS[record_type].objects.get(submission=locked, pk=record_id)
        changed = [field for field in editable_fields(record_type) if getattr(record, field.name) != values[field.name]]
        if not changed:
            return []
        update_fields = [field.name for field in changed]
        for name in update_fields:
            setattr(record, name, values[name])
        if record_type == SAMPLE and "animal_name" in update_fields:
            record.animal = Animal.objects.filter(submission=locked, name=record.animal_name).first()
            update_fields.append("animal")
        record.save(update_fields=update_fields)
        if ValidationSummary.objects.filter(submission=locked).exists():
            ValidationResult.objects.update_or_create(
                submission=locked,
                record_type=record_type,
                record_id=record.pk,
                defaults={
                    "status": EDITED,
                    "record_name": record.name[:255],
                    "messages": [{"message": EDITED_ISSUE, "column": ""}],
                    "shared_messages": None,
                },
            )
            change_status(submission=locked, status=NEED_REVISION, message=CHANGED_MESSAGE)
    submission.refresh_from_db()
    return [field.column for field in changed]
