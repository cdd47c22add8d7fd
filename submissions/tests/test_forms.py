"""The create and edit forms: required fields and the upload size limit."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from submissions.forms import SubmissionEditForm, SubmissionForm

CSV = b"id,species\nA1,Sus scrofa\n"


def upload(content: bytes = CSV, name: str = "data.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_create_form_accepts_title_and_file():
    """A title and a CSV file are enough; the description is optional."""
    form = SubmissionForm({"title": "Pigs 2024", "description": ""}, {"data_file": upload()})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["data_file"].name == "data.csv"


def test_create_form_requires_a_file():
    """A submission without a data file has nothing to import."""
    form = SubmissionForm({"title": "Pigs"}, {})

    assert not form.is_valid()
    assert "data_file" in form.errors


def test_create_form_requires_a_title():
    form = SubmissionForm({"title": ""}, {"data_file": upload()})

    assert not form.is_valid()
    assert "title" in form.errors


def test_a_file_over_the_limit_is_rejected_with_both_sizes(settings):
    """The error says how big the file is and what the limit is."""
    settings.UPLOAD_MAX_BYTES = 1024
    form = SubmissionForm({"title": "Pigs"}, {"data_file": upload(b"x" * 2048)})

    assert not form.is_valid()
    assert form.errors["data_file"] == ["This file is 2.0\xa0KB; the largest file accepted is 1.0\xa0KB."]


def test_a_file_exactly_at_the_limit_is_accepted(settings):
    settings.UPLOAD_MAX_BYTES = len(CSV)

    assert SubmissionForm({"title": "Pigs"}, {"data_file": upload()}).is_valid()


def test_edit_form_file_is_optional():
    """Editing the title alone does not need a new file."""
    form = SubmissionEditForm({"title": "Renamed", "description": "d"}, {})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["data_file"] is None


def test_edit_form_applies_the_size_limit_too(settings):
    settings.UPLOAD_MAX_BYTES = 10
    form = SubmissionEditForm({"title": "Renamed"}, {"data_file": upload()})

    assert not form.is_valid()
    assert "largest file accepted" in form.errors["data_file"][0]


def test_invalid_fields_render_with_bootstrap_error_styling():
    """Fields with errors carry `is-invalid`, so the message shows under them."""
    form = SubmissionForm({"title": ""}, {})
    form.is_valid()

    assert "is-invalid" in str(form["title"])
    assert "is-invalid" in str(form["data_file"])
    assert "is-invalid" not in str(form["description"])
