"""CryoWeb dumps in distributed mode: both pg_dump forms import on real PostgreSQL, and a refused one writes nothing."""

from __future__ import annotations

import pytest

from e2e.postgres import run_script, scratch_database

pytestmark = [pytest.mark.e2e, pytest.mark.services]

SCRIPT = """
import json, django
django.setup()
from django.contrib.auth import get_user_model
from uid.cryoweb_example import example_dump
from uid.importer import ImportFailed, import_records
from uid.models import Animal, Sample, Submission

owner = get_user_model().objects.create_user("pg", password="x")
seen = {}
for form in ("insert", "copy"):
    submission = Submission.objects.create(title=form, owner=owner, gene_bank_country="Germany")
    import_records(submission=submission, file=__import__("io").BytesIO(example_dump(
        animals=300, vessels_per_animal=3, prefix=form.upper() + "-", form=form)))
    child = Animal.objects.get(submission=submission, name="ANIMAL:::ID:::" + form.upper() + "-DE001004")
    seen[form] = {
        "animals": Animal.objects.filter(submission=submission).count(),
        "samples": Sample.objects.filter(submission=submission, animal__isnull=False).count(),
        "parents": [child.father_name, child.mother_name, child.sex, child.species, child.birth_date],
    }
refused = Submission.objects.create(title="refused", owner=owner)
dump = example_dump(prefix="BAD-").replace(
    b"SELECT pg_catalog.setval", b"DROP TABLE apiis_admin.animal;\\nSELECT pg_catalog.setval", 1)
try:
    import_records(submission=refused, file=__import__("io").BytesIO(dump))
except ImportFailed as error:
    seen["refused"] = [error.message[:60], Animal.objects.filter(submission=refused).count()]
print(json.dumps(seen))
"""


@pytest.fixture
def database():
    with scratch_database("sl_cryoweb") as url:
        yield url


def test_insert_and_copy_dumps_import_on_postgresql_and_a_refused_dump_writes_nothing(database):
    seen = run_script(database, SCRIPT)

    for form in ("insert", "copy"):
        parents = [f"ANIMAL:::ID:::{form.upper()}-DE001000", f"ANIMAL:::ID:::{form.upper()}-DE001002"]
        assert seen[form] == {
            "animals": 300,
            "samples": 900,
            "parents": [*parents, "male", "Bos taurus", "2015-07-27"],
        }
    assert seen["refused"] == ['Line 111 holds a DROP statement ("DROP TABLE apiis_admin.ani', 0]
