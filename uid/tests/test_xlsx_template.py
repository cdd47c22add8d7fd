"""The IMAGE Excel template: IMAGE's sheets and headers, synonyms, dates, units, the submission sheets, guards.

Workbooks are built here from formats.md §1 (sheet and header names as the
spec lists them), not from the template file the site ships.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from uid.formats import xlsx_template
from uid.importer import ImportFailed, detect_format, import_records
from uid.models import Animal, Sample, Submission
from uid.tests.bounded import outcome_within

HEADERS: dict[str, list[str]] = {
    "submission": [
        "Project", "Submission title", "Submission description", "Publication DOI", "Gene bank name",
        "Gene bank country",
    ],
    "contact": [
        "Person last name", "Person initial", "Person first name", "Person email", "Person affiliation",
        "Person role", "Organisation name", "Organisation address", "Organisation uri", "Organisation country",
        "Organisation role",
    ],
    "breed": [
        "Supplied breed", "Mapped breed", "Mapped breed ontology library", "Mapped breed ontology accession",
        "EFABIS Breed country", "Species", "Species ontology library", "Species ontology accession",
    ],
    "animal": [
        "Animal id in data source", "Animal description", "Alternative animal ID", "Father id in data source",
        "Mother id in data source", "Breed", "Species", "Sex", "Birth date", "Birth location",
        "Birth location longitude", "Birth location latitude", "Birth location accuracy",
    ],
    "sample": [
        "Sample id in data source", "Alternative sample ID", "Sample description", "Animal id in data source",
        "Specimen collection protocol", "availability", "Collection date", "Collection place latitude",
        "Collection place longitude", "Collection place", "Collection place accuracy", "Organism part",
        "Developmental stage", "Animal age at collection", "Physiological stage", "Animal age at collection",
        "Sample storage", "Sample storage processing", "Sampling to preparation interval",
    ],
}  # fmt: skip
SUBMISSION = ["IMAGE", "Herd", "", "10.1000/xyz", "Gene bank of Milan", "Italy"]
CONTACT = ["Rossi", "M", "Maria", "m@example.org", "UniMi", "submitter", "UniMi", "Milano", "", "Italy", ""]
BREEDS = [
    ["Holstein", "", "", "", "Netherlands", "Cattle"],
    ["Large White", "", "", "", "United Kingdom", "Maiale"],  # Italian, the gene bank country's language
    ["Saanen", "", "", "", "Switzerland", "Capra hircus"],
]
COW = ["COW1", "Dairy cow", "EAR-1", "BULL1", "COW0", "Holstein", "Cattle", "female", datetime(2019, 3, 4)]
COW += ["Farm A", 9.0, 45.5, "precise coordinates"]
BULL = ["BULL1", "", "EAR-2", "", "", "Holstein", "Bos taurus", "male", 42005, "", None, None, "unknown accuracy level"]
COW0 = ["COW0", "", "EAR-3", "", "", "Holstein", "Cattle", "female", "2014-06-01", "", None, None, ""]
PIG = ["PIG1", "", "EAR-4", "", "", "Large White", "Maiale", "male", date(2020, 1, 2), "", None, None, ""]
BLOOD = ["S1", "ALT-1", "Blood", "COW1", "https://example.org/p.pdf", "mailto:a@example.org"]
BLOOD += [datetime(2021, 5, 6, 14, 30), 45.5, 9.0, "Farm A", "precise coordinates", "blood", "adult", "26 months"]
BLOOD += ["mature", "99 years", "frozen, liquid nitrogen", "cryopreservation, other", "7 days"]
SEMEN = ["S2", "ALT-2", "", "BULL1", "", "", 44197, None, None, "", "", "semen", "", 3, "", "", "", "", "1.5 hour"]


def workbook(
    sheets: dict[str, list[list[object]]] | None = None,
    *,
    headers: dict[str, list[str | None]] | None = None,
    epoch: datetime | None = None,
) -> bytes:
    """A workbook with the template's sheets (or `headers`), then the rows given per sheet."""
    book = Workbook()
    book.remove(book.active)
    if epoch is not None:
        book.epoch = epoch
    headers = headers if headers is not None else HEADERS
    for name, header in headers.items():
        sheet = book.create_sheet(name)
        sheet.append(header)
        for row in (sheets or {}).get(name, []):
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def records() -> dict[str, list[list[object]]]:
    return {
        "submission": [SUBMISSION],
        "contact": [CONTACT],
        "breed": BREEDS,
        "animal": [COW, BULL, COW0, PIG],
        "sample": [BLOOD, SEMEN],
    }


def good() -> bytes:
    return workbook(records())


@pytest.mark.django_db
def test_a_filled_template_imports_its_breeds_animals_samples_parents_and_units(submission):
    result = import_records(submission=submission, file=io.BytesIO(good()))

    assert (result.animals, result.samples, result.format) == (4, 2, "xlsx")
    animals = Animal.objects.filter(submission=submission).order_by("row")
    assert list(animals.values_list("name", "species", "breed", "breed_country", "father_name", "mother_name")) == [
        ("COW1", "Bos taurus", "Holstein", "Netherlands", "BULL1", "COW0"),
        ("BULL1", "Bos taurus", "Holstein", "Netherlands", "", ""),
        ("COW0", "Bos taurus", "Holstein", "Netherlands", "", ""),
        ("PIG1", "Sus scrofa", "Large White", "United Kingdom", "", ""),
    ]
    cow = animals[0]
    assert (cow.row, cow.description, cow.alternative_id, cow.sex, cow.birth_location) == (
        2, "Dairy cow", "EAR-1", "female", "Farm A",
    )  # fmt: skip
    assert (cow.latitude, cow.longitude, cow.accuracy) == ("45.5", "9", "precise coordinates")
    # An Excel date, a serial number (2015-01-01 in the 1900 date mode), ISO text and a Python date.
    assert list(animals.values_list("birth_date", flat=True)) == [
        "2019-03-04",
        "2015-01-01",
        "2014-06-01",
        "2020-01-02",
    ]
    blood = Sample.objects.get(submission=submission, name="S1")
    assert (blood.animal, blood.alternative_id, blood.collection_date, blood.protocol_url) == (
        cow, "ALT-1", "2021-05-06", "https://example.org/p.pdf",
    )  # fmt: skip
    assert (blood.availability, blood.collection_place, blood.latitude, blood.longitude, blood.accuracy) == (
        "mailto:a@example.org", "Farm A", "45.5", "9", "precise coordinates",
    )  # fmt: skip
    assert (blood.organism_part, blood.developmental_stage, blood.physiological_stage) == ("blood", "adult", "mature")
    # The first of the two "Animal age at collection" columns is the one read.
    assert (blood.animal_age_at_collection, blood.animal_age_at_collection_units) == ("26", "months")
    assert (blood.storage, blood.storage_processing) == ("frozen, liquid nitrogen", "cryopreservation, other")
    assert (blood.preparation_interval, blood.preparation_interval_units) == ("7", "days")
    semen = Sample.objects.get(submission=submission, name="S2")
    assert (semen.animal.name, semen.collection_date) == ("BULL1", "2021-01-01")
    # A bare number has no unit (validation asks for one); "1.5 hour" keeps its number and gets IMAGE's plural.
    assert (semen.animal_age_at_collection, semen.animal_age_at_collection_units) == ("3", "")
    assert (semen.preparation_interval, semen.preparation_interval_units) == ("1.5", "hours")


@pytest.mark.django_db
def test_the_submission_and_contact_sheets_fill_the_submission(submission):
    import_records(submission=submission, file=io.BytesIO(good()))

    stored = Submission.objects.get(pk=submission.pk)
    assert (stored.project, stored.publication_doi, stored.gene_bank_name, stored.gene_bank_country) == (
        "IMAGE", "10.1000/xyz", "Gene bank of Milan", "Italy",
    )  # fmt: skip
    assert stored.contacts == [dict(zip(HEADERS["contact"], CONTACT, strict=True))]


@pytest.mark.django_db
def test_separate_units_columns_extra_columns_and_the_1904_date_mode_are_read(submission):
    headers = {**HEADERS, "sample": [*HEADERS["sample"], "Animal age at collection units", "Lab notes"]}
    sample = [*SEMEN, "weeks", "ignored"]

    import_records(
        submission=submission,
        file=io.BytesIO(
            workbook(
                {"breed": BREEDS[:1], "animal": [BULL], "sample": [sample]}, headers=headers, epoch=datetime(1904, 1, 1)
            )
        ),
    )

    semen = Sample.objects.get()
    assert (semen.animal_age_at_collection, semen.animal_age_at_collection_units) == ("3", "weeks")
    assert semen.collection_date == "2025-01-02"  # serial 44197 counted from 1904
    assert Animal.objects.get().birth_date == "2019-01-02"


@pytest.mark.django_db
def test_species_synonyms_follow_the_gene_bank_countrys_language_then_english(submission):
    """ "Maiale" is Italian for pig: without an Italian gene bank it is unknown; English names work everywhere."""
    sheets = records()
    sheets["submission"] = [["IMAGE", "", "", "", "Gene bank", "France"]]

    with pytest.raises(ImportFailed) as failed:
        import_records(submission=submission, file=io.BytesIO(workbook(sheets)))

    assert failed.value.message.startswith('Unknown species on sheet "breed": "Maiale" on rows 3. Write the Latin name')
    assert "Bovin" in failed.value.message
    assert "Cattle" in failed.value.message
    assert not Animal.objects.exists()


@pytest.mark.django_db
def test_synonyms_are_compared_without_spaces_and_with_case(submission):
    sheets = {"breed": [["Pekin", "", "", "", "China", "Duck(domestic)"], ["Toulouse", "", "", "", "France", "goose"]]}
    sheets["animal"] = [["D1", "", "E", "", "", "Pekin", "Duck(domestic)", "male", "", "", None, None, ""]]

    with pytest.raises(ImportFailed, match='Unknown species on sheet "breed": "goose" on rows 3'):
        import_records(submission=submission, file=io.BytesIO(workbook(sheets)))


def test_the_format_is_told_by_content_not_name():
    assert detect_format(good()) == "xlsx"


@pytest.mark.django_db
def test_missing_sheets_are_named_in_the_templates_words(submission):
    data = workbook(headers={"Animal": HEADERS["animal"], "sample": HEADERS["sample"], "Notes": []})

    with pytest.raises(ImportFailed) as failed:
        import_records(submission=submission, file=io.BytesIO(data))

    assert failed.value.message == (
        'The workbook lacks the IMAGE template\'s sheets "breed", "animal"; add them. Rename "Animal" to "animal": '
        "sheet names are exact. The create page offers IMAGE's empty template to start from."
    )


@pytest.mark.django_db
def test_missing_headers_are_named_per_sheet_exactly_as_the_template_spells_them(submission):
    Animal.objects.create(submission=submission, name="OLD")
    headers = {name: list(columns) for name, columns in HEADERS.items()}
    headers["sample"] = [c for c in headers["sample"] if c not in ("Organism part", "Sample storage")]
    headers["animal"] = [c.lower() if c == "Alternative animal ID" else c for c in headers["animal"]]

    with pytest.raises(ImportFailed) as failed:
        import_records(submission=submission, file=io.BytesIO(workbook(records(), headers=headers)))

    assert failed.value.message == (
        'Sheet "animal" lacks the columns "Alternative animal ID"; add them to its first row. It has '
        '"alternative animal id": column names must match exactly, case included. '
        'Sheet "sample" lacks the columns "Organism part", "Sample storage"; add them to its first row. '
        "The create page offers IMAGE's empty template to start from."
    )
    assert list(Animal.objects.values_list("name", flat=True)) == ["OLD"]


@pytest.mark.django_db
def test_row_problems_are_all_reported_with_sheet_and_row_and_nothing_is_stored(submission):
    Animal.objects.create(submission=submission, name="OLD")
    goat = ["GOAT1", "", "", "", "", "Saanen", "Sheep"]
    holstein_twice = [*BREEDS, ["Holstein", "", "", "", "Germany", "Bos taurus"]]
    data = workbook({"breed": holstein_twice, "animal": [COW, COW, [None, "no id"], goat], "sample": [BLOOD, BLOOD]})

    with pytest.raises(ImportFailed) as failed:
        import_records(submission=submission, file=io.BytesIO(data))

    message = failed.value.message
    assert (
        'Sheet "breed" gives one breed of one species two countries: "Holstein" (Bos taurus) in Germany and '
        "Netherlands."
    ) in message
    assert 'does not list for that species: "Saanen" (Sheep) on rows 5.' in message
    assert 'No animal id on sheet "animal" row 4.' in message
    assert 'Duplicate animal ids: "COW1" on sheet "animal" rows 2, 3.' in message
    assert 'Duplicate sample ids: "S1" on sheet "sample" rows 2, 3.' in message
    assert list(Animal.objects.values_list("name", flat=True)) == ["OLD"]


@pytest.mark.django_db
def test_a_workbook_without_records_is_refused(submission):
    with pytest.raises(ImportFailed, match="The workbook has no records"):
        import_records(submission=submission, file=io.BytesIO(workbook()))


@pytest.mark.django_db
def test_progress_covers_reading_and_storing(submission):
    calls: list[tuple[int, int]] = []

    import_records(
        submission=submission, file=io.BytesIO(good()), progress=lambda done, total: calls.append((done, total))
    )

    assert calls[-1] == (6, 6)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.django_db
def test_a_zip_bomb_workbook_is_refused_from_its_declared_sizes_without_inflating(submission, monkeypatch):
    bomb = zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>", "xl/s.xml": bytes(30 << 20)})

    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was inflated")

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)
    monkeypatch.setattr(zlib, "decompressobj", refuse)

    with pytest.raises(ImportFailed, match=r'part "xl/s.xml" is compressed \d+ times.*possible zip bomb'):
        import_records(submission=submission, file=io.BytesIO(bomb))


@pytest.mark.django_db
def test_a_workbook_unpacking_beyond_the_limit_is_refused(submission, settings):
    settings.XLSX_MAX_UNPACKED_BYTES = 1024
    with pytest.raises(ImportFailed, match=r"would unpack to .* MB in .* parts, more than the"):
        import_records(submission=submission, file=io.BytesIO(good()))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            zip_of({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<T/>"}),
            r"ZIP archive but not an Excel \.xlsx workbook \(it looks like a Word \.docx document\)\. Upload",
        ),
        (zip_of({"notes.txt": b"hello"}), r"ZIP archive but not an Excel \.xlsx workbook\. Upload the \.xlsx"),
        (zip_of({"[Content_Types].xml": b"<T/>", "xl/workbook.xml": b"<not xml"}), "This workbook could not be read"),
    ],
    ids=["word document", "other zip", "damaged workbook"],
)
def test_zips_that_are_no_readable_workbook_are_refused_clearly(submission, content, message):
    with pytest.raises(ImportFailed, match=message):
        import_records(submission=submission, file=io.BytesIO(content))


@pytest.mark.django_db
def test_damaged_or_cut_workbooks_always_end_in_a_clear_message(submission):
    """Flipped bytes anywhere, or a cut-off file: either it still imports or ImportFailed says why, never a crash."""
    data = good()
    damaged = [data[:cut] for cut in range(100, len(data), len(data) // 15)]
    damaged += [data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :] for at in range(4, len(data), len(data) // 40)]
    messages = []
    for content in damaged:
        try:
            import_records(submission=submission, file=io.BytesIO(content))
        except ImportFailed as failed:
            messages.append(failed.message)
    assert len(messages) >= len(damaged) // 2
    assert all(message.endswith(".") and "Traceback" not in message for message in messages), messages


@pytest.mark.django_db
def test_merged_cells_are_refused_by_range_instead_of_losing_the_other_rows_values(submission):
    """Excel shows a merged value on every row it spans, but the file holds it once: importing would lose it."""
    Animal.objects.create(submission=submission, name="OLD")
    book = load_workbook(io.BytesIO(good()))
    book["animal"].merge_cells("B2:B4")  # one description for the three animals
    book["sample"].merge_cells("A1:B1")  # a merged header cell is a column-name problem, not a lost value
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)

    with pytest.raises(ImportFailed) as failed:
        import_records(submission=submission, file=buffer)

    assert failed.value.message.startswith(
        'Sheet "animal" has merged cells (B2:B4): only the first cell of a merged range holds its value, '
        "so the other rows would silently lose it. Unmerge them and fill in every row."
    )
    assert 'Sheet "sample" has merged' not in failed.value.message
    assert list(Animal.objects.values_list("name", flat=True)) == ["OLD"]


@pytest.mark.django_db
def test_formulas_never_calculated_are_refused_by_cell_instead_of_imported_empty(submission):
    """A workbook written by a program holds formulas without results; importing would store empty values."""
    book = load_workbook(io.BytesIO(good()))
    book["animal"]["L2"] = "=44+1.1"  # the latitude of the first animal
    book["animal"]["A1"] = '=LOWER("ID")'  # a header formula is a column-name problem, reported as such
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)

    with pytest.raises(ImportFailed) as failed:
        import_records(submission=submission, file=buffer)

    assert (
        'Sheet "animal" has formulas that were never calculated (cells L2), so their values are not in the file. '
        "Open the workbook in Excel or LibreOffice and save it again."
    ) in failed.value.message
    assert not Animal.objects.exists()


@pytest.mark.django_db
def test_formulas_saved_with_their_results_import_the_results(submission):
    """Excel and LibreOffice store each formula's result next to it: that value is what gets imported."""
    book = load_workbook(io.BytesIO(good()))
    book["animal"]["L2"] = "=44+1.1"
    book["animal"]["B2"] = '=IF(TRUE,"","x")'
    buffer = io.BytesIO()
    book.save(buffer)
    calculated = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(calculated, "w") as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet4.xml":  # the animal sheet, as a spreadsheet program saves it
                data = data.replace(b"<f>44+1.1</f><v />", b"<f>44+1.1</f><v>45.1</v>")
                data = data.replace(b'<c r="B2">', b'<c r="B2" t="str">')
                assert b"<v>45.1</v>" in data
                assert b't="str"' in data
            target.writestr(member, data)
    calculated.seek(0)

    import_records(submission=submission, file=calculated)

    cow = Animal.objects.get(submission=submission, row=2)
    assert (cow.latitude, cow.description) == ("45.1", "")


def with_animal_sheet(data: bytes, change) -> bytes:
    """The workbook with its animal sheet's XML passed through `change`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "xl/worksheets/sheet4.xml":
                content = change(content)
            target.writestr(member, content)
    return out.getvalue()


def far_row(content: bytes, *, cell: str = "A1048576", dimension: bytes = b"A1:XFD1048576") -> bytes:
    content = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="' + dimension + b'"/>', content)
    row = int(re.sub(r"\D", "", cell))
    far = f'<row r="{row}"><c r="{cell}" t="inlineStr"><is><t>x</t></is></c></row>'.encode()
    return content.replace(b"</sheetData>", far + b"</sheetData>")


def parse_within(data: bytes, seconds: float) -> str:
    """The parse's outcome, or "still running" if it took longer (the process is then killed)."""
    return outcome_within(xlsx_template.parse, data, seconds)


def test_a_10_kb_workbook_declaring_a_full_sheet_is_refused_at_once_with_the_caps(settings):
    """Issue 13.1: one row at r=1048576 under <dimension ref="A1:XFD1048576"/> used to cost ~17 billion calls."""
    settings.XLSX_MAX_ROWS, settings.XLSX_MAX_COLUMNS = 200_000, 64
    data = with_animal_sheet(good(), far_row)
    assert len(data) < 12_000

    assert parse_within(data, 20) == (
        'Sheet "animal" has a value on row 1048576, past the 200,000 records a sheet may hold (XLSX_MAX_ROWS) '
        "below its header row. Split the records over several workbooks, or delete what is below your records."
    )


def test_a_value_past_the_column_cap_is_refused_at_once(settings):
    settings.XLSX_MAX_COLUMNS = 64
    data = with_animal_sheet(good(), lambda content: far_row(content, cell="XFD3"))

    assert parse_within(data, 20) == (
        'Sheet "animal" has a value in column XFD (row 3), past the 64 columns read (XLSX_MAX_COLUMNS). '
        "Keep the template's columns, and delete what is far to their right."
    )


@pytest.mark.django_db
def test_a_declared_full_sheet_with_only_real_records_imports_quickly(submission):
    """The declared dimension alone costs nothing: only the cells present are read."""
    data = with_animal_sheet(good(), lambda content: far_row(content, cell="A6", dimension=b"A1:XFD1048576"))

    result = import_records(submission=submission, file=io.BytesIO(data))

    assert result.animals == 5
    assert Animal.objects.get(row=6).name == "x"  # no breed: validation reports it


@pytest.mark.django_db
def test_through_the_import_job_a_refused_workbook_ends_in_error_with_its_message(
    submission, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from common.constants import ERROR, PHASE_IMPORT
    from jobs.services import start_phase

    submission.gene_bank_name, submission.contacts = "", []  # saved with the upload
    headers = {**HEADERS, "breed": [c for c in HEADERS["breed"] if c != "EFABIS Breed country"]}
    submission.uploaded_file.save("herd.xlsx", ContentFile(workbook(records(), headers=headers)))
    with django_capture_on_commit_callbacks(execute=True):
        start_phase(submission=submission, phase=PHASE_IMPORT, initial=True)

    submission.refresh_from_db()
    assert (submission.status, submission.message) == (
        ERROR,
        'Import failed: Sheet "breed" lacks the columns "EFABIS Breed country"; add them to its first row. '
        "The create page offers IMAGE's empty template to start from. Nothing was imported.",
    )
    assert not Animal.objects.filter(submission=submission).exists()
    assert submission.gene_bank_name == ""


@pytest.mark.django_db
def test_a_workbook_with_only_the_record_sheets_imports_and_keeps_the_submissions_fields(submission):
    submission.gene_bank_name, submission.contacts = "Set before", []
    submission.save()
    headers = {name: HEADERS[name] for name in ("breed", "animal", "sample")}

    result = import_records(
        submission=submission, file=io.BytesIO(workbook({"breed": BREEDS[:1], "animal": [BULL]}, headers=headers))
    )

    assert (result.animals, result.samples) == (1, 0)
    assert Submission.objects.values_list("gene_bank_name", "contacts").get(pk=submission.pk) == ("Set before", [])


def test_a_row_of_more_empty_cells_than_the_column_cap_is_refused_before_they_are_read(settings):
    """Empty formatted cells cost as much to parse as full ones: a row may not hold more than the cap."""
    settings.XLSX_MAX_COLUMNS = 64
    wide = "".join(f'<c r="{get_column_letter(n)}7" s="0"/>' for n in range(1, 16385))
    data = with_animal_sheet(
        good(), lambda content: content.replace(b"</sheetData>", f'<row r="7">{wide}</row></sheetData>'.encode())
    )

    assert parse_within(data, 20) == (
        'Sheet "animal" has 16,384 cells on row 7, more than the 64 columns read (XLSX_MAX_COLUMNS). '
        "Keep the template's columns, and delete what is far to their right."
    )
