from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from uid.example_data import write_example_csv
from uid.importer import COLUMNS, ImportFailed, import_records
from uid.models import Animal, Sample
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
def test_progress_is_reported_per_row_and_never_exceeds_the_total(submission):
    """Progress counts up through the file so the page's bar moves while parsing."""
    reports = []

    import_records(
        submission=submission,
        file=csv_file(COW, BULL, BLOOD),
        progress=lambda done, total: reports.append((done, total)),
    )

    assert len(reports) == 3
    assert all(0 < done <= total for done, total in reports)
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)


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
        "Line 3 could not be read as CSV (field larger than field limit (131072)). Check that its quotes are balanced.",
    ),
    "binary": (b"PK\x03\x04\x00\x00binary zip", "not a CSV text file"),
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
