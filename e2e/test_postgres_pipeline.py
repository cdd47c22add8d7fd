"""A 30,000-record import and validation on real PostgreSQL, where the bulk writes use COPY."""

from __future__ import annotations

import pytest

from e2e.postgres import run_script, scratch_database

pytestmark = [pytest.mark.e2e, pytest.mark.services]

SCRIPT = """
import json, django
django.setup()
from django.contrib.auth import get_user_model
from uid.example_data import example_submission_metadata, write_example_csv
from uid.importer import import_records
from uid.models import Animal, Sample, Submission
from validation.models import ValidationResult
from validation.services import validate_submission

owner = get_user_model().objects.create_user("pg", password="x")
submission = Submission.objects.create(title="pg", owner=owner, **example_submission_metadata())
write_example_csv("{csv}", animals=10000, samples_per_animal=2, prefix="PG-")
import_records(submission=submission, file="{csv}")
Sample.objects.filter(submission=submission, name="PG-SAMPLE_00001").update(storage="dragon scale")
counts = validate_submission(submission=submission)
flagged = ValidationResult.objects.get(record_name="PG-SAMPLE_00001")
print(json.dumps({{
    "animals": Animal.objects.count(),
    "samples": Sample.objects.count(),
    "linked": Sample.objects.filter(animal__isnull=False).count(),
    "results": ValidationResult.objects.count(),
    "counts": counts,
    "flagged": [flagged.status, *(m["column"] for m in flagged.issues if m["severity"] == "Error")],
}}))
"""


@pytest.fixture
def database():
    with scratch_database("sl_bulk") as url:
        yield url


def test_records_and_results_written_with_copy_read_back_whole(database, tmp_path):
    script = SCRIPT.format(csv=tmp_path / "herd.csv")
    seen = run_script(database, script, timeout=600)

    assert (seen["animals"], seen["samples"], seen["linked"], seen["results"]) == (10000, 20000, 20000, 30000)
    assert seen["counts"]["animals"] == 10000
    assert seen["counts"]["sample_issues"] == 1
    assert seen["flagged"] == ["Error", "Sample storage"]


FORMATS_SCRIPT = """
import io, json, django
django.setup()
from django.contrib.auth import get_user_model
from uid.example_files import crb_anim_example_file, xlsx_example_file
from uid.importer import import_records
from uid.models import Animal, Submission

owner = get_user_model().objects.create_user("pg", password="x")
crb = Submission.objects.create(title="crb", owner=owner)
text = crb_anim_example_file(animals=2, samples_per_animal=2).decode()
lines = text.splitlines()
lines[2] = "fe" + lines[2]  # the first animal's second row says female: it disagrees on its sex
import_records(submission=crb, file=io.BytesIO(("\\n".join(lines) + "\\n").encode()))
workbook = Submission.objects.create(title="xlsx", owner=owner)
import_records(submission=workbook, file=io.BytesIO(xlsx_example_file(animals=4, samples_per_animal=1, prefix="X")))
workbook.refresh_from_db()
print(json.dumps({
    "conflicts": list(Animal.objects.filter(submission=crb).order_by("row").values_list("import_conflicts", flat=True)),
    "gene_bank": [workbook.gene_bank_name, workbook.gene_bank_country, workbook.contacts[0]["Person last name"]],
    "animals": Animal.objects.filter(submission=workbook).count(),
}))
"""


def test_crb_anim_conflicts_and_the_workbooks_submission_fields_are_written_with_copy(database):
    seen = run_script(database, FORMATS_SCRIPT)

    assert seen["conflicts"] == [["sex is male on row 2 but female on row 3"], []]
    assert seen["gene_bank"] == ["Example gene bank", "Italy", "Rossi"]
    assert seen["animals"] == 4


CANCEL_SCRIPT = """
import json, threading, django
django.setup()
from django.contrib.auth import get_user_model
from django.db import connection
from jobs.progress import JobCancelled, ProgressReporter
from uid.example_data import example_submission_metadata, write_example_csv
from uid.importer import import_records
from uid.models import Animal, Submission

owner = get_user_model().objects.create_user("pg", password="x")
submission = Submission.objects.create(title="pg", owner=owner, **example_submission_metadata())
write_example_csv("{csv}", animals=15000, samples_per_animal=1, prefix="PG-")
# The job's own reporter, reading the cancel flag at every report: the reads
# fall while the records stream into the database with COPY.
stored = []
report = ProgressReporter(submission, "import", cancel_check=0)
def counted(done, total):
    stored.append(done)
    report(done, total)
import_records(submission=submission, file="{csv}", progress=counted)
first = Animal.objects.filter(submission=submission).count()

# Again, with the owner pressing Cancel once a COPY chunk is stored.
def cancel_after_a_chunk(done, total):
    if done > total // 2 + 5000:
        Submission.objects.filter(pk=submission.pk).update(job_cancel_requested=True)
    report(done, total)
try:
    with django.db.transaction.atomic():
        import_records(submission=submission, file="{csv}", progress=cancel_after_a_chunk)
    outcome = "finished"
except JobCancelled:
    outcome = "cancelled"
print(json.dumps({{
    "first": first,
    "reports": len(stored),
    "outcome": outcome,
    "after_cancel": Animal.objects.filter(submission=submission).count(),
}}))
"""


@pytest.mark.timeout(300)
def test_an_import_that_checks_for_cancel_while_copying_finishes_and_can_be_cancelled(database, tmp_path):
    """The cancel check reads the database between COPY chunks, never during one (that waited for ever)."""
    seen = run_script(database, CANCEL_SCRIPT.format(csv=tmp_path / "herd.csv"), timeout=240)

    assert seen["first"] == 15000
    assert seen["reports"] > 3
    assert seen["outcome"] == "cancelled"
    assert seen["after_cancel"] == 15000, "a cancelled re-import must leave the records it would replace"
