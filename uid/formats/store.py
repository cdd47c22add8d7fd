"""Replace a submission's records with parsed ones, all or nothing.

The write replaces the submission's records in one transaction: a scientist
never ends up with half a file imported, or with old and new records mixed.
Stale validation results go with the old records, in the same transaction:
`records_replaced` is sent inside it, and validation (an app above this
one, which this module must not import) deletes its results there.

Accessions survive the replacement: a record of the new file with the
record type and name of an accessioned old one takes its accession, so the
next Submit updates that BioSamples sample with PUT instead of creating a
duplicate. (The archive keys what it keeps of a sent document by accession,
so nothing else has to follow the record's new primary key.)
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.dispatch import Signal

from common.bulk_insert import insert_rows, refresh_statistics
from uid.formats import Parsed
from uid.models import Animal, Sample, Submission
from uid.upload_checks import check_ids_are_free

# Sent with `submission` inside the replacing transaction, before the old
# records are deleted: what other apps derived from them goes too, and
# comes back if the import rolls back (`validation.apps` connects).
records_replaced = Signal()


def store_records(
    *,
    submission: Submission,
    parsed: Parsed,
    stored: Callable[[int], None] | None = None,
    before_commit: Callable[[int], None] | None = None,
) -> int:
    """Delete the submission's records and insert `parsed`'s, in one transaction.

    Samples are linked to the animal of the same submission named in their
    `animal_name`; ids other submissions hold are refused by
    `check_ids_are_free`, which rolls everything back. `stored` is told how
    many records each batch wrote, for the progress bar. Returns how many
    accessions were carried over from the old records to the new ones.
    `before_commit` is called with that number inside the transaction, so
    what it writes (the job's final status) commits with the records or not
    at all.
    """
    report = stored or (lambda count: None)
    animal_fields = ["submission", "row", *parsed.animal_fields, "accession"]
    sample_fields = ["submission", "row", *parsed.sample_fields, "animal", "accession"]
    link = parsed.sample_fields.index("animal_name")
    animal_name = parsed.animal_fields.index("name")
    sample_name = parsed.sample_fields.index("name")
    with transaction.atomic():
        # Imports of one owner take turns, so two of them cannot both claim an
        # id that neither sees in the other's uncommitted records.
        get_user_model().objects.select_for_update().filter(pk=submission.owner_id).first()
        animal_accessions = _accessions(Animal, submission)
        sample_accessions = _accessions(Sample, submission)
        records_replaced.send(sender=Submission, submission=submission)
        # Samples before animals, so that deleting animals has no sample links left to clear.
        for model in (Sample, Animal):
            model.objects.filter(submission=submission).delete()
        animals = (
            (submission.pk, line, *values, animal_accessions.get(values[animal_name], ""))
            for line, values in parsed.animals
        )
        insert_rows(Animal, animal_fields, animals, written=report)
        animal_ids = dict(Animal.objects.filter(submission=submission).values_list("name", "pk"))
        samples = (
            (submission.pk, line, *values, animal_ids.get(values[link]), sample_accessions.get(values[sample_name], ""))
            for line, values in parsed.samples
        )
        insert_rows(Sample, sample_fields, samples, written=report)
        carried = (
            Animal.objects.filter(submission=submission).exclude(accession="").count()
            + Sample.objects.filter(submission=submission).exclude(accession="").count()
        )
        check_ids_are_free(submission)  # raising here rolls back the delete and the inserts
        if parsed.submission:
            Submission.objects.filter(pk=submission.pk).update(**parsed.submission)
            for name, value in parsed.submission.items():
                setattr(submission, name, value)
        # Before anything counts the new records (the final status carries counts).
        refresh_statistics(Animal, Sample)
        if before_commit is not None:
            before_commit(carried)
    return carried


def _accessions(model: type[Animal] | type[Sample], submission: Submission) -> dict[str, str]:
    """{record name: accession} of the submission's records BioSamples already holds."""
    return dict(model.objects.filter(submission=submission).exclude(accession="").values_list("name", "accession"))
