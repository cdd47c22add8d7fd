from __future__ import annotations

import io
import zipfile
import zlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from common.constants import ERROR
from jobs.pipeline import run_import
from uid.example_data import write_example_csv
from uid.importer import COLUMNS, ImportFailed, import_records
from uid.models import Animal, Sample, Submission
from validation.models import ValidationResult, ValidationSummary

HEADER = ",".join(COLUMNS)
COW = "animal,COW1,EAR-1,Dairy cow,Bos taurus,Holstein,female,2019-03-04,IT,BULL1,,,,,,,45.1,9.2"
BULL = "animal,BULL1,,,Bos taurus,Angus,male,2015,Germany,,,,,,,,,"
BLOOD = "sample,S1,,Blood,,,,,,,,COW1,2021-05-06,blood,fresh,https://example.org/p.pdf,45.1,9.2"
ORPHAN = "sample,S2,,,,,,,,,,NOBODY,2021,liver,,,,"


def csv_file(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO("\n".join([header, *lines]).encode(encoding) + b"\n")


def import_lines(submission, *lines: str, **options) -> object:
    return import_records(submission=submission, file=csv_file(*lines, **options))


def names(model, submission) -> list[str]:
    return list(model.objects.filter(submission=submission).order_by("row").values_list("name", flat=True))


@pytest.mark.django_db
def test_good_file_creates_the_records_with_their_values_lines_and_links(submission):
    """Each row becomes one record holding the text supplied; samples link to their animal when it exists."""
    result = import_lines(submission, COW, BULL, BLOOD, ORPHAN)

    assert (result.animals, result.samples) == (2, 2)
    cow = Animal.objects.get(submission=submission, name="COW1")
    assert (cow.row, cow.alternative_id, cow.description, cow.species, cow.breed, cow.sex) == (
        2,
        "EAR-1",
        "Dairy cow",
        "Bos taurus",
        "Holstein",
        "female",
    )
    assert (cow.birth_date, cow.birth_country, cow.father_name, cow.mother_name) == ("2019-03-04", "IT", "BULL1", "")
    assert (cow.latitude, cow.longitude) == ("45.1", "9.2")
    blood = Sample.objects.get(submission=submission, name="S1")
    assert (blood.row, blood.animal, blood.animal_name, blood.collection_date) == (4, cow, "COW1", "2021-05-06")
    assert (blood.organism_part, blood.storage, blood.protocol_url) == ("blood", "fresh", "https://example.org/p.pdf")
    orphan = Sample.objects.get(submission=submission, name="S2")
    assert (orphan.animal, orphan.animal_name) == (None, "NOBODY")


@pytest.mark.django_db
def test_values_are_stripped_and_record_type_is_case_insensitive(submission):
    """Spaces around values and the record_type's case do not matter."""
    import_lines(submission, " Animal , COW1 ,,, Bos taurus ,,,,,,,,,,,,,", "SAMPLE,S1,,,,,,,,,,COW1,,,,,,")

    cow = Animal.objects.get(submission=submission)
    assert (cow.name, cow.species) == ("COW1", "Bos taurus")
    assert Sample.objects.get(submission=submission).animal == cow


@pytest.mark.parametrize("delimiter", [";", "\t"])
@pytest.mark.django_db
def test_semicolon_and_tab_delimited_files_are_imported(submission, delimiter):
    """Spreadsheets in many locales write semicolons or tabs; those files import like commas."""
    lines = [line.replace(",", delimiter) for line in (HEADER, COW, BULL, BLOOD)]
    lines[1] = lines[1].replace("Dairy cow", '"Dairy cow; calm, 2nd calving"')

    import_records(submission=submission, file=io.BytesIO("\n".join(lines).encode()))

    assert names(Animal, submission) == ["COW1", "BULL1"]
    assert Animal.objects.get(name="COW1").description == "Dairy cow; calm, 2nd calving"
    assert Sample.objects.get(submission=submission).animal.name == "COW1"


@pytest.mark.django_db
def test_bom_extra_columns_header_case_blank_lines_and_quoted_newlines_are_accepted(submission):
    """A UTF-8 BOM, unknown columns, header case and blank lines are tolerated; lines count as in the file."""
    header = "\ufeff" + HEADER.upper() + ",notes"
    data = "\n".join([header, COW + ",ignored", "", '"animal","BULL1",,"two\nlines",,,,,,,,,,,,,,', BLOOD, ",,,,"])

    import_records(submission=submission, file=io.BytesIO(data.encode("utf-8")))

    assert list(Animal.objects.filter(submission=submission).values_list("name", "row", "description")) == [
        ("COW1", 2, "Dairy cow"),
        ("BULL1", 4, "two\nlines"),
    ]
    assert Sample.objects.get(submission=submission).row == 6


@pytest.mark.django_db
def test_paths_and_uploaded_files_are_accepted(submission, tmp_path):
    """The job passes the stored upload; tools pass a path: both import the same records."""
    path = tmp_path / "example.csv"
    write_example_csv(path, animals=8, samples_per_animal=1)

    from_path = import_records(submission=submission, file=path)
    from_upload = import_records(submission=submission, file=SimpleUploadedFile("e.csv", path.read_bytes()))

    assert from_path == from_upload
    assert (Animal.objects.filter(submission=submission).count(), Sample.objects.count()) == (8, 8)


@pytest.mark.django_db
def test_progress_is_reported_per_row_and_never_exceeds_the_total(submission, monkeypatch):
    """Progress counts up while parsing and again while storing, so the bar moves throughout."""
    monkeypatch.setattr("uid.formats.csv_template.PROGRESS_STRIDE", 1)
    reports = []

    import_records(
        submission=submission,
        file=csv_file(COW, BULL, BLOOD),
        progress=lambda done, total: reports.append((done, total)),
    )

    assert len(reports) == 3 + 2  # a report per parsed row, then one per stored batch (animals, samples)
    assert all(0 < done <= total for done, total in reports)
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)
    assert reports[-1][1] == 3  # the storing half counts records


@pytest.mark.django_db
def test_reimport_replaces_records_and_discards_validation_results(submission):
    """Importing again leaves only the new file's records, and no stale validation."""
    import_lines(submission, COW, BULL, BLOOD)
    ValidationSummary.objects.create(submission=submission, record_type="animal", total=2)
    ValidationResult.objects.create(submission=submission, record_type="animal", record_id=1, status="Pass")

    import_lines(submission, BULL, ORPHAN)

    assert names(Animal, submission) == ["BULL1"]
    assert names(Sample, submission) == ["S2"]
    assert not ValidationResult.objects.filter(submission=submission).exists()
    assert not ValidationSummary.objects.filter(submission=submission).exists()


FAILURES = {
    "empty": (b"", "The file is empty."),
    "blank": (b" \n\n", "The file is empty."),
    "header only": (HEADER.encode() + b"\n", "header row but no records"),
    "missing columns": (
        csv_file(header=HEADER.replace(",species", "").replace(",sex", "")).getvalue(),
        "Missing columns: species, sex. Download the template",
    ),
    "unknown record type": (csv_file(COW, "plant,P1" + ",," * 8).getvalue(), 'Unknown record_type on line 3 ("plant")'),
    "no id": (csv_file(COW, "animal,,,,Bos taurus" + ",," * 6).getvalue(), "No id on line 3."),
    "duplicate ids": (
        csv_file(COW, BULL, COW, BULL, BLOOD, BLOOD).getvalue(),
        'Duplicate ids: animal "COW1" on lines 2, 4; animal "BULL1" on lines 3, 5; sample "S1" on lines 6, 7.',
    ),
    "too long": (
        csv_file('animal,COW1,,,Bos taurus,,,"1999-01-01 or thereabouts, says the farmer",IT,,,,,,,,,').getvalue(),
        "Values too long on line 2 (birth_date, more than 32 characters). Shorten them.",
    ),
    "latin-1": (
        csv_file(COW, BULL.replace(",Germany,", ",Österreich,"), encoding="latin-1").getvalue(),
        "not UTF-8 encoded: line 3 contains the byte 0xd6",
    ),
    "unbalanced quote": (
        csv_file(COW, 'animal,"BULL1,,' + "x" * 140_000).getvalue(),
        "Line 3 has a cell longer than 128 KiB (131,072 characters), the most one cell may hold. Shorten that "
        "value, or check the line for a quote that is never closed",
    ),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00binary", "not a CSV text file"),
    "cut-off zip": (b"PK\x03\x04\x00\x00binary zip", "not a readable .xlsx workbook: its ZIP structure is damaged"),
    "quote left open at the end": (
        csv_file(COW, 'animal,"BULL1,,,,,,,,,,,,,,,,').getvalue(),
        "Line 3 opens a quoted value that is never closed: the file ends inside it. The file may be cut short",
    ),
    "cut off inside a quoted value": (
        (HEADER + "\n" + COW + '\nanimal,BULL1,,"Angus bull, bought').encode(),
        "Line 3 opens a quoted value that is never closed",
    ),
    "more values than the header": (
        csv_file(COW, BULL + ",stray,value").getvalue(),
        "More values than the header's 18 columns on line 3 (20 values). Quote values that contain the delimiter",
    ),
    "utf-16 with byte order mark": (
        csv_file(COW, BULL, encoding="utf-16").getvalue(),
        "This file is encoded as UTF-16; save it as UTF-8",
    ),
    "utf-16 without byte order mark": (
        csv_file(COW, BULL, encoding="utf-16-le").getvalue(),
        "This file is encoded as UTF-16; save it as UTF-8",
    ),
    "utf-32": (csv_file(COW, encoding="utf-32").getvalue(), "This file is encoded as UTF-32; save it as UTF-8"),
    "windows-1252": (
        csv_file(COW.replace("Dairy cow", "Dairy cow \u2013 calm"), encoding="cp1252").getvalue(),
        "not UTF-8 encoded: line 2 contains the byte 0x96",
    ),
    "renamed png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV text file (it looks like a PNG image)"),
    "renamed pdf": (b"%PDF-1.7\n1 0 obj", "not a CSV text file (it looks like a PDF document)"),
    "nul byte after the first KB": (
        csv_file(COW, *[BULL.replace("BULL1", f"B{i}") for i in range(30)], "animal,X\x00").getvalue(),
        "This file is not a CSV text file (it contains binary data).",
    ),
}


@pytest.mark.parametrize(("content", "message"), list(FAILURES.values()), ids=list(FAILURES))
@pytest.mark.django_db
def test_unreadable_files_fail_with_a_message_and_keep_the_previous_records(submission, content, message):
    """A failed import explains what is wrong and writes nothing: the records already there stay."""
    import_lines(submission, COW, BULL, BLOOD)
    ValidationSummary.objects.create(submission=submission, record_type="animal", total=2)

    with pytest.raises(ImportFailed) as failed:
        import_records(submission=submission, file=io.BytesIO(content))

    assert message in failed.value.message
    assert names(Animal, submission) == ["COW1", "BULL1"]
    assert names(Sample, submission) == ["S1"]
    assert ValidationSummary.objects.filter(submission=submission).exists()


@pytest.mark.django_db
def test_failed_first_import_writes_nothing(submission):
    """A file with one bad row among good ones imports none of them."""
    with pytest.raises(ImportFailed):
        import_lines(submission, COW, BULL, BLOOD, "bogus,X1" + ",," * 8)

    assert not Animal.objects.exists()
    assert not Sample.objects.exists()


@pytest.mark.django_db
def test_many_problems_are_reported_together_and_long_lists_are_shortened(submission):
    """All problem kinds come in one message, each listing a few lines and how many more."""
    bad_rows = [f"plant,P{i}" + ",," * 8 for i in range(8)]

    with pytest.raises(ImportFailed) as failed:
        import_lines(submission, *bad_rows, "animal,,,")

    assert 'line 6 ("plant") (and 3 more)' in failed.value.message
    assert "No id on line 10." in failed.value.message


@pytest.mark.django_db
def test_files_over_the_upload_limit_are_refused_with_the_limit(submission, settings):
    """The limit is stated in MB so the scientist knows how far to split the file."""
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    lines = [f"sample,S{i},,,,,,,,,,COW1,2021,blood,,,," for i in range(40_000)]

    with pytest.raises(ImportFailed) as failed:
        import_lines(submission, COW, *lines)

    assert failed.value.message == "The file is larger than the 1 MB limit. Split the records over several submissions."
    assert not Sample.objects.exists()


@pytest.mark.django_db
def test_a_file_larger_than_one_insert_batch_imports_every_record_linked(submission, tmp_path):
    """Thousands of rows go in over several batches, each sample linked to its animal."""
    path = tmp_path / "big.csv"
    write_example_csv(path, animals=1_500, samples_per_animal=2)

    result = import_records(submission=submission, file=path)

    assert (result.animals, result.samples) == (1_500, 3_000)
    assert Sample.objects.filter(submission=submission).count() == 3_000
    assert Sample.objects.filter(submission=submission, animal__isnull=True).count() == 0


@pytest.mark.django_db
def test_empty_cells_beyond_the_header_are_spreadsheet_noise_and_pass(submission):
    """Spreadsheets often save trailing empty cells; only values beyond the header are refused."""
    import_lines(submission, COW + ",,,", BULL + ", ")

    assert names(Animal, submission) == ["COW1", "BULL1"]


@pytest.mark.django_db
def test_a_zip_bomb_reaching_the_importer_is_refused_without_being_unzipped(submission, monkeypatch):
    """A file stored by other means than the form is checked by the job too: its declared sizes, nothing inflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", bytes(20 * 1024 * 1024))

    def refuse(*args, **kwargs):
        raise AssertionError("the file was decompressed")

    for name in ("open", "read"):
        monkeypatch.setattr(zipfile.ZipFile, name, refuse)
    monkeypatch.setattr(zlib, "decompressobj", refuse)
    monkeypatch.setattr(zlib, "decompress", refuse)

    with pytest.raises(ImportFailed) as failed:
        import_records(submission=submission, file=io.BytesIO(buffer.getvalue()))

    assert 'part "xl/worksheets/sheet1.xml" is compressed' in failed.value.message
    assert "refused as a possible zip bomb" in failed.value.message


# -- ids other submissions already hold ------------------------------------------


@pytest.fixture
def earlier(user):
    """Another submission of the same owner, holding COW1 and S1."""
    other = Submission.objects.create(title="Cattle 2025", owner=user)
    import_lines(other, COW, BLOOD)
    return other


@pytest.fixture
def archived(other_user):
    """Another owner's submission: COW1 is in the archive (has an accession), BULL1 is not."""
    theirs = Submission.objects.create(title="Secret project", owner=other_user)
    import_lines(theirs, COW, BULL)
    Animal.objects.filter(submission=theirs, name="COW1").update(accession="SAMEA000000001")
    return theirs


def snapshot(submission) -> list[tuple[str, str, int]]:
    return [
        *Animal.objects.filter(submission=submission).values_list("name", "accession", "row"),
        *Sample.objects.filter(submission=submission).values_list("name", "accession", "row"),
    ]


@pytest.mark.django_db
def test_ids_used_in_another_submission_of_the_same_owner_are_refused_naming_it(submission, earlier):
    """The message names the ids and the other submission; this one keeps its records, the other is untouched."""
    import_lines(submission, BULL)
    before = snapshot(earlier)

    with pytest.raises(ImportFailed) as failed:
        import_lines(submission, COW, BULL, BLOOD)

    assert failed.value.message == (
        'Ids already used in your other submissions: animal "COW1" (in "Cattle 2025"), '
        'sample "S1" (in "Cattle 2025"). A record can belong to one submission only: '
        "edit that submission instead, or give these records new ids."
    )
    assert names(Animal, submission) == ["BULL1"]
    assert snapshot(earlier) == before


@pytest.mark.django_db
def test_reimporting_the_same_ids_into_the_same_submission_is_fine(submission):
    import_lines(submission, COW, BLOOD)

    assert import_lines(submission, COW, BULL, BLOOD).animals == 2


@pytest.mark.django_db
def test_an_id_is_only_taken_for_its_own_record_type(submission, earlier):
    """COW1 the animal is taken; a sample may still be called COW1."""
    import_lines(submission, "sample,COW1,,,,,,,,,,,,,,,,")

    assert names(Sample, submission) == ["COW1"]


@pytest.mark.django_db
def test_another_owners_unarchived_ids_are_allowed(submission, archived):
    """Two labs may both have a BULL1; until it is in the archive, neither blocks the other."""
    import_lines(submission, BULL)

    assert names(Animal, submission) == ["BULL1"]


@pytest.mark.django_db
def test_another_owners_archived_ids_are_refused_without_naming_their_submission(submission, archived):
    import_lines(submission, "animal,OLD1" + ",," * 8)
    before = snapshot(archived)

    with pytest.raises(ImportFailed) as failed:
        import_lines(submission, COW, BULL)

    assert failed.value.message == (
        'Ids already in the archive: animal "COW1". Archived records keep their ids; give these records new ids.'
    )
    assert "Secret project" not in failed.value.message
    assert "mallory" not in failed.value.message
    assert names(Animal, submission) == ["OLD1"]
    assert snapshot(archived) == before


@pytest.mark.django_db
def test_many_taken_ids_are_listed_briefly(submission, earlier):
    rows = [f"animal,A{i}" + ",," * 8 for i in range(8)]
    import_lines(earlier, *rows)

    with pytest.raises(ImportFailed) as failed:
        import_lines(submission, *rows)

    assert 'animal "A4" (in "Cattle 2025") (and 3 more). A record can belong' in failed.value.message


# -- what the scientist sees: the notification of the import job -------------------


@pytest.fixture
def run_job(settings, tmp_path, monkeypatch):
    """Store `content` as the submission's file and run the import job on it, as the worker does."""
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr("submissions.events.publish", lambda pk, message: None)

    def run(submission: Submission, content: bytes) -> Submission:
        submission.uploaded_file.save("data.csv", ContentFile(content))
        run_import(submission.pk)
        submission.refresh_from_db()
        return submission

    return run


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (csv_file(COW, 'animal,"BULL1,,').getvalue(), "Line 3 opens a quoted value that is never closed"),
        ("\n".join([HEADER, COW]).encode("utf-16"), "This file is encoded as UTF-16; save it as UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "This file is not a CSV text file (it looks like a PNG image)."),
    ],
)
def test_the_job_notification_says_why_and_the_previous_records_stay(submission, run_job, content, reason):
    import_lines(submission, BULL, BLOOD)

    submission = run_job(submission, content)

    assert submission.status == ERROR
    assert submission.message.startswith(f"Import failed: {reason}")
    assert submission.message.endswith("Nothing was imported. The records loaded before are unchanged.")
    assert names(Animal, submission) == ["BULL1"]
    assert names(Sample, submission) == ["S1"]


@pytest.mark.django_db
def test_the_job_notification_names_ids_taken_by_another_submission(submission, earlier, run_job):
    submission = run_job(submission, csv_file(COW, BULL).getvalue())

    assert submission.status == ERROR
    assert submission.message.startswith(
        'Import failed: Ids already used in your other submissions: animal "COW1" (in "Cattle 2025").'
    )
    assert not Animal.objects.filter(submission=submission).exists()
    assert names(Animal, earlier) == ["COW1"]


@pytest.mark.django_db
def test_a_reimport_carries_accessions_over_by_name_and_says_how_many(submission):
    import_lines(submission, COW, BULL, BLOOD, ORPHAN)
    Animal.objects.filter(name="COW1").update(accession="SAMEA1")
    Sample.objects.filter(name="S1").update(accession="SAMEA2")
    Sample.objects.filter(name="S2").update(accession="SAMEA3")

    result = import_lines(submission, COW.replace("Dairy cow", "Milk cow"), BULL, BLOOD)  # S2 is gone

    accessions = {r.name: r.accession for r in [*Animal.objects.all(), *Sample.objects.all()]}
    assert accessions == {"COW1": "SAMEA1", "BULL1": "", "S1": "SAMEA2"}
    assert Animal.objects.get(name="COW1").description == "Milk cow"
    assert "2 of them are already in the archive and keep their accessions; Submit updates them." in result.notes
