"""A 30,000-record import and validation on real PostgreSQL, where the bulk writes use COPY."""

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
    "flagged": [flagged.status, *(m["column"] for m in flagged.messages if m["severity"] == "Error")],
}}))
"""


@pytest.fixture
def database():
    require("PostgreSQL", POSTGRES)
    base = f"postgres://postgres@{POSTGRES[0]}:{POSTGRES[1]}"
    name = f"sl_bulk_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{base}/{name}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_records_and_results_written_with_copy_read_back_whole(database, tmp_path):
    env = {"DATABASE_URL": database, "DJANGO_SETTINGS_MODULE": "config.settings.local", "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    script = SCRIPT.format(csv=tmp_path / "herd.csv")
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=600
    )

    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert (seen["animals"], seen["samples"], seen["linked"], seen["results"]) == (10000, 20000, 20000, 30000)
    assert seen["counts"]["animals"] == 10000
    assert seen["counts"]["sample_issues"] == 1
    assert seen["flagged"] == ["Error", "Sample storage"]
