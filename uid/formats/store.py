"""Replace a submission's records with parsed ones, all or nothing.

The write replaces the submission's records in one transaction: a scientist
never ends up with half a file imported, or with old and new records mixed.
Stale validation results go with the old records, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction

from common.bulk_insert import insert_rows
from uid.formats import Parsed
from uid.models import Animal, Sample, Submission
from uid.upload_checks import check_ids_are_free
from validation.helpers import refresh_statistics
from validation.models import MessageList, ValidationResult, ValidationSummary


def store_records(*, submission: Submission, parsed: Parsed, stored: Callable[[int], None] | None = None) -> None:
    """Delete the submission's records and insert `parsed`'s, in one transaction.

    Samples are linked to the animal of the same submission named in their
    `animal_name`; ids other submissions hold are refused by
    `check_ids_are_free`, which rolls everything back. `stored` is told how
    many records each batch wrote, for the progress bar.
    """
    report = stored or (lambda count: None)
    animal_fields = ["submission", "row", *parsed.animal_fields]
    sample_fields = ["submission", "row", *parsed.sample_fields, "animal"]
    link = parsed.sample_fields.index("animal_name")
    with transaction.atomic():
        # Imports of one owner take turns, so two of them cannot both claim an
        # id that neither sees in the other's uncommitted records.
        get_user_model().objects.select_for_update().filter(pk=submission.owner_id).first()
        # Samples before animals, so that deleting animals has no sample links left to clear.
        for model in (ValidationResult, MessageList, ValidationSummary, Sample, Animal):
            model.objects.filter(submission=submission).delete()
        animals = ((submission.pk, line, *values) for line, values in parsed.animals)
        insert_rows(Animal, animal_fields, animals, written=report)
        animal_ids = dict(Animal.objects.filter(submission=submission).values_list("name", "pk"))
        samples = ((submission.pk, line, *values, animal_ids.get(values[link])) for line, values in parsed.samples)
        insert_rows(Sample, sample_fields, samples, written=report)
        check_ids_are_free(submission)  # raising here rolls back the delete and the inserts
        if parsed.submission:
            Submission.objects.filter(pk=submission.pk).update(**parsed.submission)
            for name, value in parsed.submission.items():
                setattr(submission, name, value)
    refresh_statistics(Animal, Sample)
