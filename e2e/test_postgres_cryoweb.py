"""CryoWeb dumps in distributed mode: both pg_dump forms import on real PostgreSQL, and a refused one writes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import psycopg
import pytest

from e2e.server import ROOT
from e2e.services import POSTGRES, require

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
    require("PostgreSQL", POSTGRES)
    base = f"postgres://postgres@{POSTGRES[0]}:{POSTGRES[1]}"
    name = f"sl_cryoweb_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{base}/{name}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_insert_and_copy_dumps_import_on_postgresql_and_a_refused_dump_writes_nothing(database):
    env = {"DATABASE_URL": database, "DJANGO_SETTINGS_MODULE": "config.settings.local", "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=300
    )

    seen = json.loads(done.stdout.strip().splitlines()[-1])
    for form in ("insert", "copy"):
        parents = [f"ANIMAL:::ID:::{form.upper()}-DE001000", f"ANIMAL:::ID:::{form.upper()}-DE001002"]
        assert seen[form] == {
            "animals": 300,
            "samples": 900,
            "parents": [*parents, "male", "Bos taurus", "2015-07-27"],
        }
    assert seen["refused"] == ['Line 111 holds a DROP statement ("DROP TABLE apiis_admin.ani', 0]
