"""The create and edit forms: required fields and what they refuse to upload.

Name, size and the first bytes are checked on the form, so the scientist
sees the problem on the page at once, before a submission exists.
"""

from __future__ import annotations

import html
import io
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from common.constants import LOADED
from pages.submission_forms import SubmissionEditForm, SubmissionForm
from uid.example_files import xlsx_template_file
from uid.models import Animal, Submission

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
    assert form.errors["data_file"] == [
        "This file (2.0\xa0KB) is too large: the largest file accepted is 1.0\xa0KB. "
        "Split the records over several submissions."
    ]


def test_the_size_limit_is_stated_in_megabytes(settings):
    """Real limits are megabytes; a file one byte over still reads as too large."""
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    form = SubmissionForm({"title": "Pigs"}, {"data_file": upload(CSV + b"x" * (1024 * 1024 + 1 - len(CSV)))})

    assert not form.is_valid()
    assert "This file (1.0\xa0MB) is too large: the largest file accepted is 1.0\xa0MB." in form.errors["data_file"][0]


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


# -- file type and content ----------------------------------------------------

ACCEPTED = "upload a .csv, .tsv, .txt, .xlsx or .sql (CryoWeb dump) file."
SAVE_AS = 'Save your spreadsheet as an Excel .xlsx workbook or as "CSV UTF-8" and upload that file.'


@pytest.mark.parametrize("name", ["data.csv", "DATA.CSV", "herd.tsv", "herd.txt", "my.herd.2024.csv"])
def test_csv_tsv_and_txt_files_are_accepted(name):
    assert SubmissionForm({"title": "Pigs"}, {"data_file": upload(name=name)}).is_valid()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("herd.xlsm", f"Spreadsheet workbooks (.xlsm) are not accepted; {ACCEPTED} {SAVE_AS}"),
        ("herd.XLS", "Spreadsheet workbooks (.xls) are not accepted"),
        ("herd.ods", "Spreadsheet workbooks (.ods) are not accepted"),
        ("herd.json", f".json files are not accepted; {ACCEPTED}"),
        ("herd.csv.exe", f".exe files are not accepted; {ACCEPTED}"),
        ("herd", f"The file name has no extension; {ACCEPTED}"),
    ],
)
def test_other_extensions_are_refused_naming_the_accepted_formats(name, message):
    form = SubmissionForm({"title": "Pigs"}, {"data_file": upload(name=name)})

    assert not form.is_valid()
    assert message in form.errors["data_file"][0]


RENAMED = {
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "it looks like a PNG image"),
    "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "it looks like a PDF document"),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "it looks like an old Excel .xls workbook"),
    "jpeg": (b"\xff\xd8\xff\xe0\x00\x10JFIF", "it looks like a JPEG image"),
    "gzip": (b"\x1f\x8b\x08\x00" + b"\x00" * 20, "it looks like a gzip archive"),
    "nul bytes": (b"record_type,id\nanimal,A\x00\x01\x02\x03\x04" + b"\xfe" * 100, "it contains binary data"),
}


@pytest.mark.parametrize(("content", "kind"), list(RENAMED.values()), ids=list(RENAMED))
def test_a_renamed_binary_is_refused_by_its_content(content, kind):
    """The name says .csv, the first bytes say otherwise: the bytes win."""
    form = SubmissionForm({"title": "Pigs"}, {"data_file": upload(content, name="herd.csv")})

    assert not form.is_valid()
    assert form.errors["data_file"][0].startswith(f"This file is not a CSV text file ({kind}")
    assert form.errors["data_file"][0].endswith(SAVE_AS)


def test_a_real_workbook_is_accepted_whatever_its_name():
    """Formats are told by content: an .xlsx workbook renamed .csv is still read as a workbook."""
    workbook = xlsx_template_file()
    for name in ("herd.xlsx", "herd.csv"):
        form = SubmissionForm({"title": "Pigs"}, {"data_file": upload(workbook, name=name)})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["data_file"].read() == workbook


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x01" * 40, "its ZIP structure is damaged or cut short"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This file is named .xlsx but is not an Excel .xlsx workbook"),
        (b"record_type,id\n", "named .xlsx but is not an Excel .xlsx workbook (its content is not a ZIP archive)"),
    ],
    ids=["cut-off zip", "png", "text"],
)
def test_an_xlsx_that_is_no_workbook_is_refused_by_its_content(content, message):
    form = SubmissionForm({"title": "Pigs"}, {"data_file": upload(content, name="herd.xlsx")})

    assert not form.is_valid()
    assert message in form.errors["data_file"][0]


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photos/cow.jpg", b"not really a photo")
    form = SubmissionForm({"title": "Pigs"}, {"data_file": upload(buffer.getvalue(), name="herd.xlsx")})

    assert not form.is_valid()
    assert "This file is a ZIP archive but not an Excel .xlsx workbook." in form.errors["data_file"][0]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_files_are_refused_with_a_save_as_utf8_hint(encoding):
    """UTF-16 (with or without byte order mark) is text, but not the text the importer reads."""
    content = "record_type,id\nanimal,COW1\n".encode(encoding)
    form = SubmissionForm({"title": "Pigs"}, {"data_file": upload(content)})

    assert not form.is_valid()
    assert "This file is encoded as UTF-16; save it as UTF-8" in form.errors["data_file"][0]


def test_sniffing_rewinds_the_file_so_all_of_it_is_stored():
    content = b"record_type,id\n" + b"animal,A1\n" * 500
    form = SubmissionForm({"title": "Pigs"}, {"data_file": upload(content)})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["data_file"].read() == content


def zip_bomb(size: int = 50 * 1024 * 1024) -> bytes:
    """A real ZIP whose one member unpacks to `size` bytes of zeros (about 50 KB packed)."""
    buffer = io.BytesIO()
    chunk = bytes(1024 * 1024)
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w") as member,
    ):
        for _ in range(size // len(chunk)):
            member.write(chunk)
    return buffer.getvalue()


def forbid_unzipping(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything opens a member of the ZIP or inflates its data.

    Reading the ZIP's directory (which declares the sizes) is allowed; it
    inflates nothing. zipfile inflates members through `zlib.decompressobj`;
    plain `zlib.decompress` stays, since signed sessions use it on every request.
    """

    def refuse(*args, **kwargs):
        raise AssertionError("the upload was decompressed")

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)
    monkeypatch.setattr(zipfile.ZipFile, "read", refuse)
    monkeypatch.setattr(zlib, "decompressobj", refuse)


@pytest.mark.parametrize("name", ["herd.xlsx", "herd.csv"])
def test_a_zip_bomb_is_refused_without_being_decompressed(name, monkeypatch):
    """Whatever its name, its declared sizes give it away; nothing is unpacked."""
    bomb = zip_bomb()
    assert len(bomb) < 1024 * 1024  # it really is a bomb: 50 MB packed into well under 1 MB
    forbid_unzipping(monkeypatch)

    form = SubmissionForm({"title": "Pigs"}, {"data_file": upload(bomb, name=name)})

    assert not form.is_valid()
    assert 'part "xl/worksheets/sheet1.xml" is compressed' in form.errors["data_file"][0]
    assert "refused as a possible zip bomb" in form.errors["data_file"][0]


# -- what the scientist sees on the pages ---------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    """Uploads go to a temporary folder, never into the repository."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def enqueued(monkeypatch):
    """Jobs queued by `start_phase`, recorded instead of run."""
    calls: list[tuple[str, int]] = []
    monkeypatch.setattr("jobs.services.enqueue", lambda phase, pk: calls.append((phase, pk)))
    return calls


def page_errors(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("herd.xlsx", b"PK\x03\x04 anything", "This file is not a readable .xlsx workbook"),
        ("herd.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "This file is not a CSV text file (it looks like a PNG image)."),
        ("herd.csv", "record_type,id\n".encode("utf-16"), "This file is encoded as UTF-16; save it as UTF-8"),
    ],
)
def test_the_create_page_shows_the_error_and_creates_nothing(client, user, media, enqueued, name, content, message):
    client.force_login(user)

    response = client.post(reverse("submissions:create"), {"title": "Pigs", "data_file": upload(content, name=name)})

    assert response.status_code == 200
    assert message in page_errors(response)
    assert not Submission.objects.exists()
    assert enqueued == []


@pytest.mark.django_db
def test_the_create_page_refuses_a_zip_bomb_quickly(client, user, media, enqueued, monkeypatch):
    bomb = zip_bomb()
    forbid_unzipping(monkeypatch)
    client.force_login(user)

    response = client.post(reverse("submissions:create"), {"title": "Pigs", "data_file": upload(bomb, "herd.xlsx")})

    assert "refused as a possible zip bomb" in page_errors(response)
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_a_bad_replacement_file_keeps_the_submission_and_its_records(client, user, submission, media, enqueued):
    """On the edit page a refused file changes nothing: not the title, the file, the status or the records."""
    Submission.objects.filter(pk=submission.pk).update(status=LOADED)
    Animal.objects.create(submission=submission, name="COW1")
    client.force_login(user)

    response = client.post(
        reverse("submissions:edit", args=[submission.pk]),
        {"title": "Renamed", "data_file": upload(b"%PDF-1.4\n", name="herd.csv")},
    )

    submission.refresh_from_db()
    assert response.status_code == 200
    assert "This file is not a CSV text file (it looks like a PDF document)." in page_errors(response)
    assert (submission.title, submission.status, submission.uploaded_file.name) == ("Cattle 2026", LOADED, "")
    assert list(Animal.objects.values_list("name", flat=True)) == ["COW1"]
    assert enqueued == []
