"""Replace a submission's records with parsed ones, all or nothing.

The write replaces the submission's records in one transaction: a scientist
never ends up with half a file imported, or with old and new records mixed.
Stale validation results go with the old records, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from uid.formats import Parsed
from uid.models import Animal, Sample, Submission
from uid.upload_checks import check_ids_are_free
from validation.helpers import refresh_statistics
from validation.models import ValidationResult, ValidationSummary

BATCH_SIZE = 1000


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
        for model in (ValidationResult, ValidationSummary, Sample, Animal):
            model.objects.filter(submission=submission).delete()
        _insert(Animal, animal_fields, ((submission.pk, line, *values) for line, values in parsed.animals), report)
        animal_ids = dict(Animal.objects.filter(submission=submission).values_list("name", "pk"))
        samples = ((submission.pk, line, *values, animal_ids.get(values[link])) for line, values in parsed.samples)
        _insert(Sample, sample_fields, samples, report)
        check_ids_are_free(submission)  # raising here rolls back the delete and the inserts
    refresh_statistics(Animal, Sample)


def _insert(
    model: type[Animal] | type[Sample],
    fields: list[str],
    rows: Iterable[tuple[Any, ...]],
    stored: Callable[[int], None],
) -> None:
    """INSERT `rows` (values of `fields`, in order) with executemany, in batches.

    bulk_create spends ~60 µs per record building model instances and SQL,
    which makes 100,000 records take ten seconds; plain executemany takes
    under one. Fields not supplied get their model default, so a field added
    to the model later is filled in rather than breaking the import.
    """
    meta = model._meta
    given = [meta.get_field(name) for name in fields]
    rest = [field for field in meta.concrete_fields if not field.primary_key and field.name not in fields]
    defaults = tuple(field.get_db_prep_save(field.get_default(), connection) for field in rest)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in (*given, *rest))
    placeholders = ", ".join(["%s"] * (len(given) + len(rest)))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"
    rows = iter(rows)
    with connection.cursor() as cursor:
        while batch := [(*row, *defaults) for row in islice(rows, BATCH_SIZE)]:
            cursor.executemany(sql, batch)
            stored(len(batch))
