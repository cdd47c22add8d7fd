"""The downloadable templates match the importers, and every example goes through the real pipeline cleanly."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from openpyxl import load_workbook

from common.constants import LOADED, PHASE_IMPORT, PHASE_VALIDATION, READY
from jobs.services import start_phase
from submissions.models import SubmissionEvent
from uid.example_files import DOWNLOADS, crb_anim_template_file, csv_example_file, csv_template_file, xlsx_template_file
from uid.formats import crb_anim, xlsx_template
from validation.models import ValidationResult

STATIC = Path(settings.BASE_DIR) / "static" / "templates"


def test_the_xlsx_template_is_the_image_empty_template_with_every_column_the_importer_reads():
    book = load_workbook(io.BytesIO(xlsx_template_file()), read_only=True)

    assert book.sheetnames == [
        "sheetColumnCount", "ontology", "ontology library", "submission", "contact", "breed", "animal", "sample",
    ]  # fmt: skip
    for name, columns in xlsx_template.SHEETS.items():
        rows = list(book[name].iter_rows(values_only=True))
        assert len(rows) == 1
        assert set(columns) <= set(rows[0])
    assert next(iter(book["sample"].iter_rows(values_only=True))).count("Animal age at collection") == 2
    assert next(iter(book["submission"].iter_rows(values_only=True)))[-2:] == ("Gene bank name", "Gene bank country")


def test_the_csv_templates_are_their_header_rows():
    assert list(csv.reader(io.StringIO(crb_anim_template_file().decode()))) == [list(crb_anim.COLUMNS)]
    assert csv_template_file() == (STATIC / "submission_template.csv").read_bytes()
    assert csv_example_file() == (STATIC / "submission_example.csv").read_bytes()


@pytest.fixture
def published(monkeypatch):
    frames: list[dict] = []
    monkeypatch.setattr("submissions.events.publish", lambda pk, message: frames.append(json.loads(message["frame"])))
    return frames


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "loaded"),
    [
        ("submission_example.xlsx", "Loaded 12 animals and 24 samples. Validate them next."),
        ("submission_example.csv", "Loaded 120 animals and 240 samples. Validate them next."),
        (
            "crb_anim_example.csv",
            "Loaded 6 animals and 11 samples. Skipped 1 sample that already has a BioSamples id: "
            "SAMPLE_0012 (SAMEA7000011). Validate them next.",
        ),
    ],
)
def test_each_example_imports_and_validates_without_errors_through_the_pipeline(
    submission, published, django_capture_on_commit_callbacks, name, loaded
):
    submission.uploaded_file.save(name, ContentFile(DOWNLOADS[name].build()))
    with django_capture_on_commit_callbacks(execute=True):
        start_phase(submission=submission, phase=PHASE_IMPORT, initial=True)
    submission.refresh_from_db()
    assert (submission.status, submission.message) == (LOADED, loaded)

    with django_capture_on_commit_callbacks(execute=True):
        start_phase(submission=submission, phase=PHASE_VALIDATION)
    submission.refresh_from_db()

    # An example is what people copy: it must not teach a wrong value. Warnings may only say that a
    # recommended attribute is absent, where the format has no column for it.
    results = ValidationResult.objects.filter(submission=submission)
    messages = [message for listed in results.values_list("messages", flat=True) for message in listed]
    assert not results.filter(status="Error").exists(), messages[:3]
    assert [m for m in messages if not m["message"].startswith("Recommended field ")] == []
    assert submission.status == READY, submission.message
    assert SubmissionEvent.objects.filter(submission=submission, status=LOADED, message=loaded).exists()
    assert published[-1]["status"] == READY
