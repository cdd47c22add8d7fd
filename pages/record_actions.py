"""Changing a submission's records by hand: replace them all, delete some, or drop their validation.

Each action checks under the submission's row lock that its status allows
editing (`EDIT` in `ACTIONS_BY_STATUS`), changes the records, clears the
validation results they made stale, and tells the pages through
`change_status` in the same transaction: the page never shows a status that
the records do not have. They end in Loaded, since what was validated is no
longer what is stored.
"""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from common.constants import ACTIONS_BY_STATUS, COMPLETED, EDIT, LOADED, PHASE_IMPORT, SUBMITTED, WAITING
from jobs.services import start_phase
from submissions.actions import change_status
from uid.models import Animal, Sample, Submission
from uid.upload_checks import listing
from validation.storage import clear_results

ANIMALS, SAMPLES = "animals", "samples"
MODELS: dict[str, type[Animal] | type[Sample]] = {ANIMALS: Animal, SAMPLES: Sample}
RERUN = "Rerun validation please!"
# Ids one request may name; beyond this the list is a whole file, and uploading it again is the tool.
MAX_IDS = 10_000
# Why each status that forbids editing does, and what to do instead.
REFUSALS: dict[int, str] = {
    WAITING: "A job is running on this submission, so its records cannot be changed now. "
    "Wait until it finishes, then try again.",
    SUBMITTED: "This submission is with the archive, so its records cannot be changed until the archive answers.",
    COMPLETED: "This submission is Completed: its records are in the archive and cannot be changed.",
}


class RecordActionRefused(Exception):
    """The action cannot be done; the message says why and changes nothing."""


def _locked(submission: Submission) -> Submission:
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if EDIT not in ACTIONS_BY_STATUS.get(locked.status, frozenset()):
        raise RecordActionRefused(
            REFUSALS.get(locked.status, f"A submission in status {locked.status_name} cannot be changed.")
        )
    return locked


def parse_ids(text: str) -> list[str]:
    """Ids as pasted: one per line, or separated by commas, semicolons, tabs or spaces; repeats once."""
    for separator in ",;\t":
        text = text.replace(separator, "\n")
    ids = dict.fromkeys(part.strip() for line in text.splitlines() for part in line.split(" ") if part.strip())
    return list(ids)


def delete_records(*, submission: Submission, kind: str, names: list[str]) -> str:
    """Delete the submission's `kind` records with these ids; returns the message the pages were sent.

    All or nothing: one unknown id, or one record already in the archive,
    and nothing is deleted. Deleting an animal deletes its samples too (a
    sample must come from an animal of the submission, so they could never
    pass validation alone), and the message says how many.
    """
    model = MODELS[kind]
    singular = kind.removesuffix("s")
    if not names:
        raise RecordActionRefused(f"No ids given. Paste the ids of the {kind} to delete, one per line.")
    if len(names) > MAX_IDS:
        raise RecordActionRefused(
            f"{len(names)} ids is more than the {MAX_IDS} one request takes. "
            "To change this many records, upload a corrected file instead."
        )
    with transaction.atomic():
        locked = _locked(submission)
        records = model.objects.filter(submission=locked, name__in=names)
        found = dict(records.values_list("name", "accession"))
        unknown = [f'"{name}"' for name in names if name not in found]
        if unknown:
            raise RecordActionRefused(
                f"No {singular} with these ids in this submission: {listing(unknown)}. "
                "Nothing was deleted; check the ids and try again."
            )
        archived = [f'"{name}"' for name, accession in found.items() if accession]
        if archived:
            raise RecordActionRefused(
                f"These {kind} are already in the archive and cannot be deleted: {listing(archived)}. "
                "Nothing was deleted."
            )
        samples = 0
        if model is Animal:
            own = Sample.objects.filter(submission=locked, animal_name__in=names)
            if own.exclude(accession="").exists():
                raise RecordActionRefused(
                    "Some samples of these animals are already in the archive, so the animals cannot be deleted. "
                    "Nothing was deleted."
                )
            samples = own.delete()[0]
        clear_results(submission=locked)
        deleted = records.delete()[0]
        what = f"{deleted} {singular if deleted == 1 else kind}"
        if samples:
            what += f" and their {samples} {'sample' if samples == 1 else 'samples'}"
        message = f"You've removed {what}. {RERUN}"
        change_status(submission=locked, status=LOADED, message=message)
    submission.refresh_from_db()
    return message


def reset_to_loaded(*, submission: Submission) -> str:
    """Drop the validation results and put the submission back to Loaded; returns the message sent."""
    with transaction.atomic():
        locked = _locked(submission)
        if not (Animal.objects.filter(submission=locked).exists() or Sample.objects.filter(submission=locked).exists()):
            raise RecordActionRefused("This submission has no records to reset. Upload a data file instead.")
        clear_results(submission=locked)
        message = f"Validation results cleared; the records are as loaded. {RERUN}"
        change_status(submission=locked, status=LOADED, message=message)
    submission.refresh_from_db()
    return message


def reload_data(*, submission: Submission, data_file: UploadedFile) -> None:
    """Replace every record with those of a new file: store it and start its import.

    The old records stay until the new file is imported whole; if it fails,
    the submission ends in Error with the reason and the old records.
    """
    with transaction.atomic():
        locked = _locked(submission)
        locked.uploaded_file = data_file
        locked.save(update_fields=["uploaded_file", "updated"])
        start_phase(submission=locked, phase=PHASE_IMPORT)
    submission.refresh_from_db()
