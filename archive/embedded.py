"""An archive inside the site, for the embedded default.

Real archives (BioSamples) accept records, validate them on their side and
assign accessions later. This one keeps that shape: `send_records` hands the
records over in batches, animals before their samples, and
`assign_accessions` is the archive's own asynchronous work.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from uid.models import Animal, Sample, Submission

BATCH_SIZE = 100
# Distinct digit per record type, so an animal and a sample never share one.
ACCESSION_PREFIX = {Animal: "SAMEA1", Sample: "SAMEA2"}


def send_records(*, submission: Submission, progress: Callable[[int, int], None] | None = None) -> int:
    """Send every record in batches; returns how many were sent."""
    animals = list(Animal.objects.filter(submission=submission).values_list("pk", flat=True))
    samples = list(Sample.objects.filter(submission=submission).values_list("pk", flat=True))
    total = len(animals) + len(samples)
    done = 0
    for ids in (animals, samples):
        for start in range(0, len(ids), BATCH_SIZE):
            done += len(ids[start : start + BATCH_SIZE])
            if progress is not None:
                progress(done, total)
    return total


def assign_accessions(*, submission: Submission, progress: Callable[[int, int], None] | None = None) -> int:
    """Give every record without one an accession; returns how many were assigned."""
    pending = [
        (model, list(model.objects.filter(submission=submission, accession="").values_list("pk", flat=True)))
        for model in (Animal, Sample)
    ]
    total = sum(len(ids) for _, ids in pending)
    done = 0
    with transaction.atomic():
        for model, ids in pending:
            prefix = ACCESSION_PREFIX[model]
            for start in range(0, len(ids), BATCH_SIZE):
                batch = [model(pk=pk, accession=f"{prefix}{pk:09d}") for pk in ids[start : start + BATCH_SIZE]]
                model.objects.bulk_update(batch, ["accession"])
                done += len(batch)
                if progress is not None:
                    progress(done, total)
    return total
