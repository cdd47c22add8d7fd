"""The .xlsx template: sheets and columns by name, Excel dates, the breed sheet, and zip bomb guards."""

from __future__ import annotations

import io
import zipfile
import zlib
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from uid.formats.xlsx_template import SHEETS
from uid.importer import ImportFailed, detect_format, import_records
from uid.models import Animal, Sample

BREEDS = [["Holstein", "NL", "Bos taurus"], ["Large White", "GB", ""]]
COW = [
    "COW1",
    "Dairy cow",
    "EAR-1",
    "BULL1",
    "",
    "Holstein",
    "Bos taurus",
    "female",
    datetime(2019, 3, 4),
    "IT",
    "Farm A",
]
COW += [45.5, 9.0, "precise coordinates"]
BULL = ["BULL1", "", "", "", "", "holstein", "", "male", "2015", "Germany", "", None, None, None]
PIG = ["PIG1", "", "", "", "", "Large White", "", "male", date(2020, 1, 2), "", "", None, None, None]
BLOOD = ["S1", "", "Blood", "COW1", "https://example.org/p.pdf", datetime(2021, 5, 6, 14, 30), "Farm A", 45.5, 9.0]
BLOOD += ["precise coordinates", "blood", "adult", "mature", 26, "months", "mailto:a@example.org", "fresh"]
BLOOD += ["cryopreserved", 2.5, "hours"]


def workbook(
    sheets: dict[str, list[list[object]]] | None = None, *, headers: dict[str, list[str]] | None = None
) -> bytes:
    """A workbook with the template's sheets (or `headers`), then the rows given per sheet."""
    book = Workbook()
    book.remove(book.active)
    headers = headers if headers is not None else {name: list(columns) for name, columns in SHEETS.items()}
    for name, header in headers.items():
        sheet = book.create_sheet(name)
        sheet.append(header)
        for row in (sheets or {}).get(name, []):
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good() -> bytes:
    return workbook({"breed": BREEDS, "animal": [COW, BULL, PIG], "sample": [BLOOD]})


@pytest.mark.django_db
def test_a_workbook_imports_its_animals_and_samples_with_excel_dates_as_text(submission):
    result = import_records(submission=submission, file=io.BytesIO(good()))

    assert (result.animals, result.samples, result.format) == (3, 1, "xlsx")
    cow = Animal.objects.get(submission=submission, name="COW1")
    assert (cow.row, cow.description, cow.alternative_id, cow.father_name, cow.breed, cow.sex) == (
        2, "Dairy cow", "EAR-1", "BULL1", "Holstein", "female",
    )  # fmt: skip
    assert cow.birth_country == "IT"
    assert (cow.birth_date, cow.birth_location, cow.latitude, cow.longitude, cow.accuracy) == (
        "2019-03-04", "Farm A", "45.5", "9", "precise coordinates",
    )  # fmt: skip
    blood = Sample.objects.get(submission=submission, name="S1")
    assert blood.animal == cow
    assert (blood.collection_date, blood.protocol_url, blood.collection_place) == (
        "2021-05-06", "https://example.org/p.pdf", "Farm A",
    )  # fmt: skip
    assert (blood.organism_part, blood.developmental_stage, blood.physiological_stage) == ("blood", "adult", "mature")
    assert (blood.animal_age_at_collection, blood.animal_age_at_collection_units) == ("26", "months")
    assert (blood.availability, blood.storage, blood.storage_processing) == (
        "mailto:a@example.org",
        "fresh",
        "cryopreserved",
    )
    assert (blood.preparation_interval, blood.preparation_interval_units) == ("2.5", "hours")


@pytest.mark.django_db
def test_animals_take_breed_country_and_missing_species_from_the_breed_sheet(submission):
    import_records(submission=submission, file=io.BytesIO(good()))

    values = (
        Animal.objects.filter(submission=submission).order_by("row").values_list("name", "species", "breed_country")
    )
    assert list(values) == [("COW1", "Bos taurus", "NL"), ("BULL1", "Bos taurus", "NL"), ("PIG1", "", "GB")]


def test_the_format_is_told_by_content_not_name():
    assert detect_format(good()) == "xlsx"


@pytest.mark.django_db
@pytest.mark.django_db
def test_a_workbook_without_the_birth_country_column_still_imports(submission):
    """The issue's column list has no birth country; the template adds it, older workbooks lack it."""
    headers = {name: [c for c in columns if c != "birth country"] for name, columns in SHEETS.items()}
    cow = [value for at, value in enumerate(COW) if at != 9]

    import_records(
        submission=submission, file=io.BytesIO(workbook({"breed": BREEDS, "animal": [cow]}, headers=headers))
    )

    assert Animal.objects.values_list("birth_date", "birth_country", "birth_location").get() == (
        "2019-03-04",
        "",
        "Farm A",
    )


@pytest.mark.django_db
def test_missing_sheets_are_named(submission):
    data = workbook(headers={"Animal": list(SHEETS["animal"]), "Samples": list(SHEETS["sample"]), "Notes": []})

    with pytest.raises(ImportFailed) as failed:
        import_records(submission=submission, file=io.BytesIO(data))

    assert failed.value.message.startswith(
        'The workbook is missing the sheets "breed", "sample". '
        'Its other sheets are "Samples", "Notes"; rename the right ones. Download the .xlsx template'
    )


@pytest.mark.django_db
def test_missing_columns_are_named_per_sheet_and_names_match_loosely(submission):
    headers = {name: list(columns) for name, columns in SHEETS.items()}
    headers["sample"] = [c for c in headers["sample"] if c not in ("organism part", "storage")]
    headers["animal"] = [c.upper().replace(" ", "_") for c in headers["animal"]]  # "ALTERNATIVE_ID" is fine
    headers["breed"] = ["Supplied breed", "species", "Country of breed", None, "notes"]

    with pytest.raises(ImportFailed) as failed:
        import_records(submission=submission, file=io.BytesIO(workbook(headers=headers)))

    assert failed.value.message.startswith(
        'Sheet "breed" is missing the columns "breed country". Columns it does not know: "Country of breed", "notes". '
        'Sheet "sample" is missing the columns "organism part", "storage". Download the .xlsx template'
    )


@pytest.mark.django_db
def test_row_problems_are_all_reported_with_sheet_and_row_and_nothing_is_stored(submission):
    Animal.objects.create(submission=submission, name="OLD")
    data = workbook(
        {
            "breed": BREEDS,
            "animal": [COW, COW, [None, "no id"], ["GOAT1", "", "", "", "", "Saanen", "Capra hircus"]],
            "sample": [BLOOD, BLOOD],
        }
    )

    with pytest.raises(ImportFailed) as failed:
        import_records(submission=submission, file=io.BytesIO(data))

    message = failed.value.message
    assert 'Breeds on sheet "animal" that are not on sheet "breed": "Saanen" (Capra hircus) on rows 5.' in message
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

    assert calls[-1] == (4, 4)
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
            if member.filename == "xl/worksheets/sheet2.xml":  # the animal sheet, as a spreadsheet program saves it
                data = data.replace(b"<f>44+1.1</f><v />", b"<f>44+1.1</f><v>45.1</v>")
                data = data.replace(b'<c r="B2">', b'<c r="B2" t="str">')
                assert b"<v>45.1</v>" in data
                assert b't="str"' in data
            target.writestr(member, data)
    calculated.seek(0)

    import_records(submission=submission, file=calculated)

    cow = Animal.objects.get(submission=submission, row=2)
    assert (cow.latitude, cow.description) == ("45.1", "")
