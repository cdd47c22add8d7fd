"""CRB-Anim CSV: dialect sniffing, mandatory columns by name, \\N as null, one animal per animal_ID, skipped rows."""

from __future__ import annotations

import io
import tracemalloc

import pytest

from uid.formats import crb_anim
from uid.formats.crb_anim import COLUMNS
from uid.importer import ImportFailed, detect_format, import_records
from uid.models import Animal, Sample

ROW = {
    "sex": "female",
    "species_latin_name": "Bos taurus",
    "country_of_origin": "FR",
    "breed_name": "Normande",
    "animal_ID": "FR001",
    "sample_bibliographic_references": "\\N",
    "sample_identifier": "S1",
    "animal_birth_date": "2015-04-02",
    "sample_storage_temperature": "-196°C",
    "sample_type_name": "semen",
    "body_part_name": "semen",
    "sampling_date": "2017-01-09",
    "sampling_protocol_url": "https://example.org/semen.pdf",
    "sample_availability": "https://www.crb-anim.fr/",
    "EBI_Biosample_identifier": "\\N",
}


def crb(
    *rows: dict[str, str], delimiter: str = ";", columns: tuple[str, ...] = COLUMNS, encoding="utf-8"
) -> io.BytesIO:
    lines = [delimiter.join(columns)]
    lines += [delimiter.join(row.get(column, "") for column in columns) for row in rows]
    return io.BytesIO(("\n".join(lines) + "\n").encode(encoding))


def row(**changes: str) -> dict[str, str]:
    return {**ROW, **changes}


@pytest.mark.django_db
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_rows_become_samples_of_deduplicated_animals_whatever_the_delimiter(submission, delimiter):
    file = crb(
        row(),
        row(sample_identifier="S2", sample_storage_temperature="-80°C"),
        row(animal_ID="FR002", sample_identifier="S3", sex="male"),
        delimiter=delimiter,
    )

    result = import_records(submission=submission, file=file)

    assert (result.animals, result.samples, result.format, result.notes) == (2, 3, "crb-anim", ())
    cow = Animal.objects.get(submission=submission, name="FR001")
    assert (cow.row, cow.sex, cow.species, cow.breed, cow.breed_country, cow.birth_country, cow.birth_date) == (
        2, "female", "Bos taurus", "Normande", "FR", "FR", "2015-04-02",
    )  # fmt: skip
    s1 = Sample.objects.get(submission=submission, name="S1")
    assert (s1.animal, s1.animal_name, s1.collection_date, s1.organism_part, s1.sample_type) == (
        cow, "FR001", "2017-01-09", "semen", "semen",
    )  # fmt: skip
    assert (s1.storage, s1.protocol_url, s1.availability, s1.bibliographic_references) == (
        "frozen, liquid nitrogen", "https://example.org/semen.pdf", "https://www.crb-anim.fr/", "",
    )  # fmt: skip
    assert Sample.objects.get(submission=submission, name="S2").storage == "frozen, -80 degrees Celsius freezer"
    # CRB-Anim has no coordinates (IMAGE's default accuracy), and the age comes from the row's two dates.
    assert (cow.accuracy, s1.accuracy) == ("missing geographic information", "missing geographic information")
    assert (s1.animal_age_at_collection, s1.animal_age_at_collection_units) == ("1", "years")
    assert cow.import_conflicts == []


def test_the_header_tells_the_format():
    assert detect_format(crb(row()).getvalue()) == "crb-anim"
    assert detect_format(b"record_type,id,animal_id,sample_identifier,sex\n") == "csv"


@pytest.mark.django_db
def test_missing_mandatory_columns_are_named(submission):
    columns = tuple(c for c in COLUMNS if c not in ("body_part_name", "EBI_Biosample_identifier"))

    with pytest.raises(ImportFailed) as failed:
        import_records(submission=submission, file=crb(row(), columns=columns))

    assert failed.value.message.startswith(
        'The CRB-Anim file is missing the mandatory columns "body_part_name", "EBI_Biosample_identifier".'
    )


@pytest.mark.django_db
def test_rows_with_a_biosamples_id_are_skipped_and_the_result_says_which(submission):
    file = crb(
        row(EBI_Biosample_identifier="SAMEA100"),
        row(sample_identifier="S2"),
        row(animal_ID="OLD", sample_identifier="S3", EBI_Biosample_identifier="SAMEA101"),
    )

    result = import_records(submission=submission, file=file)

    assert (result.animals, result.samples) == (1, 1)
    assert result.notes == ("Skipped 2 samples that already have a BioSamples id: S1 (SAMEA100), S3 (SAMEA101).",)
    assert list(Animal.objects.values_list("name", flat=True)) == ["FR001"]


@pytest.mark.django_db
def test_a_file_of_only_archived_samples_imports_nothing_and_says_why(submission):
    with pytest.raises(ImportFailed) as failed:
        import_records(submission=submission, file=crb(row(EBI_Biosample_identifier="SAMEA100")))

    assert failed.value.message == (
        "Skipped 1 sample that already has a BioSamples id: S1 (SAMEA100). There is nothing else to import."
    )


@pytest.mark.django_db
def test_an_animal_described_differently_is_imported_from_its_first_row_with_the_conflicts_kept(submission):
    file = crb(
        row(sex="Female"),
        row(sample_identifier="S2", sex="female"),
        row(sample_identifier="S3", animal_birth_date="\\N"),
        row(sample_identifier="S4", sex="Male", breed_name="Holstein"),
        row(animal_ID="FR002", sample_identifier="S5", sex="male"),
    )

    result = import_records(submission=submission, file=file)

    assert (result.animals, result.samples) == (2, 5)
    cow = Animal.objects.get(name="FR001")
    assert (cow.row, cow.sex, cow.breed) == (2, "Female", "Normande")
    assert cow.import_conflicts == [
        "sex is Female on row 2 but Male on row 5",
        "breed_name is Normande on row 2 but Holstein on row 5",
    ]
    assert Animal.objects.get(name="FR002").import_conflicts == []
    assert Sample.objects.filter(animal=cow).count() == 4


@pytest.mark.django_db
def test_unknown_sex_and_a_common_species_name_become_image_labels_and_a_vague_body_part_gives_way_to_the_type(
    submission,
):
    import_records(
        submission=submission, file=crb(row(sex="Unknown", body_part_name="not relevant", species_latin_name="Cattle"))
    )

    assert Animal.objects.values_list("sex", "species").get() == ("record of unknown sex", "Bos taurus")
    assert Sample.objects.get().organism_part == "semen"


@pytest.mark.django_db
def test_a_common_species_name_is_read_in_the_gene_bank_countrys_language(submission):
    submission.gene_bank_country = ""  # the fixture's gene bank is Italian: start from none
    submission.save()
    maiale = row(species_latin_name="Maiale")

    import_records(submission=submission, file=crb(maiale))
    assert Animal.objects.values_list("species", flat=True).get() == "Maiale"  # no English synonym: kept as written

    submission.gene_bank_country = "Italy"
    import_records(submission=submission, file=crb(maiale))
    assert Animal.objects.values_list("species", flat=True).get() == "Sus scrofa"


@pytest.mark.django_db
def test_a_value_missing_on_the_first_row_is_taken_from_a_later_one(submission):
    import_records(submission=submission, file=crb(row(animal_birth_date="\\N"), row(sample_identifier="S2")))

    assert Animal.objects.get().birth_date == "2015-04-02"


@pytest.mark.django_db
def test_unknown_temperatures_are_kept_as_written_for_validation_to_report(submission):
    import_records(submission=submission, file=crb(row(sample_storage_temperature="frozen, -10")))

    assert Sample.objects.get().storage == "frozen, -10"


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_refused_with_a_hint(submission):
    with pytest.raises(ImportFailed, match="not UTF-8 encoded: line 2 contains the byte 0xe9"):
        import_records(submission=submission, file=crb(row(breed_name="Montbéliarde"), encoding="latin-1"))


@pytest.mark.django_db
def test_duplicate_samples_and_missing_ids_are_reported_by_row(submission):
    with pytest.raises(ImportFailed) as failed:
        import_records(submission=submission, file=crb(row(), row(), row(sample_identifier="", animal_ID="")))

    assert "No animal id on row 4." in failed.value.message
    assert "No sample id on row 4." in failed.value.message
    assert 'Duplicate sample ids: "S1" on rows 2, 3.' in failed.value.message


@pytest.mark.django_db
def test_each_distinct_temperature_is_mapped_once_however_many_rows_repeat_it(submission, monkeypatch):
    """Big exports repeat a few temperatures on every row; mapping each once keeps a 100,000-row import fast."""
    from uid.formats import crb_anim, storage_terms

    mapped: list[str] = []

    def spy(value: str) -> str:
        mapped.append(value)
        return storage_terms.storage_term(value)

    monkeypatch.setattr(crb_anim, "storage_term", spy)
    rows = [
        row(animal_ID=f"FR{i // 2}", sample_identifier=f"S{i}", sample_storage_temperature=("-196°C", "-80°C")[i % 2])
        for i in range(400)
    ]

    import_records(submission=submission, file=crb(*rows))

    assert sorted(mapped) == ["-196°C", "-80°C"]
    assert dict(Sample.objects.filter(name__in=["S0", "S1"]).values_list("name", "storage")) == {
        "S0": "frozen, liquid nitrogen",
        "S1": "frozen, -80 degrees Celsius freezer",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "ending",
    ["\r\n\r\n\r\n", "\n;;;;;;;;;;;;;;\n\n"],
    ids=["trailing blank lines", "trailing empty cells"],
)
def test_a_spreadsheets_trailing_empty_rows_do_not_hide_the_delimiter(submission, ending):
    """Excel exports end with empty rows; the semicolons must still be found, not reported as missing columns."""
    text = crb(row(), row(sample_identifier="S2"), delimiter=";").getvalue().decode().replace("\n", "\r\n")

    result = import_records(submission=submission, file=io.BytesIO((text + ending).encode()))

    assert (result.animals, result.samples) == (1, 2)


@pytest.mark.django_db
def test_when_the_sniffer_cannot_decide_the_header_row_tells_the_delimiter(submission):
    """Some tools leave out a row's trailing empty cells; the sniffer gives up, the header row still shows ";"."""
    text = crb(row(), row(sample_identifier="S2"), delimiter=";").getvalue().decode()
    ragged = text.replace(";\\N\n", "\n")  # both rows end with an empty EBI_Biosample_identifier

    result = import_records(submission=submission, file=io.BytesIO(ragged.encode()))

    assert (result.animals, result.samples) == (1, 2)


# The full export's 35 columns in CRB-Anim's order (formats.md §2.1), spelt as CRB-Anim spells them.
EXPORT_COLUMNS = [
    "BRC_identifier",
    "BRC_name",
    "associated_research_project_name",
    "BRC_responsible_last_name",
    "BRC_responsible_first_name",
    "BRC_contact_email",
    "organization_name",
    "organisation_adress",
    "organization_url",
    "organization_country",
    "BRC_address",
    "BRC_url",
    "BRC_country",
    "sample_identifier",
    "EBI_Biosample_identifier",
    "sample_availability",
    "sample_bibliographic_references",
    "animal_ID",
    "sex",
    "species_latin_name",
    "NCBI_taxo_id",
    "breed_name",
    "country_of_origin",
    "sampling_protocol_url",
    "sampling_date",
    "sample_type_name",
    "sample_type_identifier",
    "sample_type_ontology",
    "body_part_name",
    "body_part_identifier",
    "body_part_ontology",
    "animal_birth_date",
    "sample_storage_temperature",
    "sample_container_type",
    "sample_fixer_nature",
]


def export_row(sample: str, animal: str, **values: str) -> list[str]:
    base = {
        "BRC_identifier": "1",
        "BRC_name": "CRB-Anim Jouy",
        "organisation_adress": "Domaine de Vilvert\n78350 Jouy-en-Josas",  # a quoted value across lines
        "sample_identifier": sample,
        "EBI_Biosample_identifier": "\\N",
        "sample_availability": "http://www.crb-anim.fr/access",
        "sample_bibliographic_references": "\\N",
        "animal_ID": animal,
        "sex": "male",
        "species_latin_name": "Bos taurus",
        "NCBI_taxo_id": "9913",
        "breed_name": "Normande",
        "country_of_origin": "FR",
        "sampling_protocol_url": "https://www.crb-anim.fr/protocol.pdf",
        "sampling_date": "2016-02-10",
        "sample_type_name": "semen",
        "body_part_name": "semen",
        "animal_birth_date": "2015-02-20",
        "sample_storage_temperature": "-196°C",
        "sample_container_type": "straw",
    }
    base.update(values)
    return [base.get(column, "\\N") for column in EXPORT_COLUMNS]


@pytest.mark.django_db
def test_a_full_crb_anim_export_imports_as_crb_anim_writes_it(submission):
    """35 columns, comma-separated, CRLF, a quoted address over two lines, \\N nulls, one animal per sample row."""
    import csv

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    writer.writerow(export_row("S1", "BULL1"))
    writer.writerow(export_row("S2", "BULL1", sample_storage_temperature="-80°C", sampling_date="2016-03-27"))
    writer.writerow(
        export_row("S3", "COW1", sex="female", sample_storage_temperature="-20°C", body_part_name="unknown")
    )
    writer.writerow(export_row("S4", "COW1", sex="male", EBI_Biosample_identifier="SAMEA123"))  # skipped
    writer.writerow(export_row("S5", "COW1", sex="male", sample_storage_temperature="-30°C"))

    result = import_records(submission=submission, file=io.BytesIO(buffer.getvalue().encode()))

    assert (result.animals, result.samples, result.format) == (2, 4, "crb-anim")
    assert result.notes == ("Skipped 1 sample that already has a BioSamples id: S4 (SAMEA123).",)
    animals = Animal.objects.filter(submission=submission).order_by("row")
    assert list(animals.values_list("name", "sex", "species", "breed", "breed_country", "birth_date")) == [
        ("BULL1", "male", "Bos taurus", "Normande", "FR", "2015-02-20"),
        ("COW1", "female", "Bos taurus", "Normande", "FR", "2015-02-20"),
    ]
    # Rows are counted as CSV rows (the header is row 1), whatever the lines inside quoted addresses.
    cow = animals[1]
    assert (animals[0].row, cow.row) == (2, 4)
    assert cow.import_conflicts == ["sex is female on row 4 but male on row 6"]
    samples = Sample.objects.filter(submission=submission).order_by("row")
    assert list(samples.values_list("name", "animal__name", "storage", "organism_part")) == [
        ("S1", "BULL1", "frozen, liquid nitrogen", "semen"),
        ("S2", "BULL1", "frozen, -80 degrees Celsius freezer", "semen"),
        ("S3", "COW1", "frozen, -20 degrees Celsius freezer", "semen"),
        ("S5", "COW1", "frozen, -20 degrees Celsius freezer", "semen"),
    ]
    # The age at collection comes from each row's own dates (formats.md §2.5).
    assert list(samples.values_list("animal_age_at_collection", "animal_age_at_collection_units")) == [
        ("11", "months"), ("1", "years"), ("11", "months"), ("11", "months"),
    ]  # fmt: skip


@pytest.mark.django_db
def test_conflicts_are_told_once_per_value_quoted_short_and_capped(submission):
    file = crb(
        row(breed_name="N" * 100),
        *(row(sample_identifier=f"S{n}", breed_name="Holstein") for n in range(2, 5)),
        *(row(sample_identifier=f"T{n}", breed_name="Holstein", sex=f"sex {n}") for n in range(30)),
    )

    import_records(submission=submission, file=file)

    conflicts = Animal.objects.get(name="FR001").import_conflicts
    assert conflicts[0] == f"breed_name is {'N' * 59}… on row 2 but Holstein on row 3"
    assert conflicts[1:3] == ["sex is female on row 2 but sex 0 on row 6", "sex is female on row 2 but sex 1 on row 7"]
    assert len(conflicts) == 21
    assert conflicts[-1] == "and 11 more rows disagree with row 2"


def test_an_animal_repeated_under_a_huge_first_value_stays_small_in_memory():
    """Each disagreeing row used to keep a message quoting the first row's value whole: ~800 MB for 470 KB.

    The value is refused as too long, but only once every row is read.
    """
    file = crb(row(breed_name="N" * 50_000), *(row(sample_identifier=f"S{n}", breed_name="x") for n in range(2, 2_002)))

    tracemalloc.start()
    try:
        with pytest.raises(ImportFailed) as failed:
            crb_anim.parse(file.getvalue())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert failed.value.message.startswith("Values too long on row 2 (breed_name, more than 255 characters).")
    assert peak < 20_000_000, f"peak {peak:,} bytes"
