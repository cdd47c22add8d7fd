"""The validation counts every status message carries.

It runs on every status change and every page (re)connect, so it is a few
aggregate queries however many records there are. It counts the records as
they are now, so a record added after the last validation, or edited since
(its result says Need Revision), shows as unknown instead of being silently
counted as fine.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q

from uid.models import Animal, Record, Sample, Submission
from validation.models import ANIMAL, EDITED, SAMPLE, ValidationResult, ValidationSummary


def construct_validation_message(submission: Submission) -> dict[str, int] | None:
    """Record counts, not-yet-validated counts and error counts; None while there is nothing to count.

    Right after an import, before any validation, every record counts as
    not yet validated and none as having an error: the page shows the
    imported numbers instead of "–".
    """
    animals = _counts(Animal, ANIMAL, submission)
    samples = _counts(Sample, SAMPLE, submission)
    nothing = not animals["total"] and not samples["total"]
    if nothing and not ValidationSummary.objects.filter(submission=submission).exists():
        return None
    return {
        "animals": animals["total"],
        "samples": samples["total"],
        "animal_unkn": animals["unknown"],
        "sample_unkn": samples["unknown"],
        "animal_issues": animals["issues"],
        "sample_issues": samples["issues"],
    }


def _counts(model: type[Animal] | type[Sample], record_type: str, submission: Submission) -> dict[str, int]:
    results = ValidationResult.objects.filter(submission=submission, record_type=record_type, record_id=OuterRef("pk"))
    return model.objects.filter(submission=submission).aggregate(
        total=Count("pk"),
        unknown=Count("pk", filter=~Q(Exists(results.exclude(status=EDITED)))),
        issues=Count("pk", filter=Q(Exists(results.filter(status=Record.ERROR)))),
    )
