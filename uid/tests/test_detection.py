"""Formats are told apart by content; a file that fits none, or not the one chosen, hears what it looks like."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pages.submission_forms import SubmissionForm
from uid.cryoweb_example import example_dump
from uid.example_files import crb_anim_example_file, csv_example_file, xlsx_example_file
from uid.formats import detection
from uid.importer import ImportFailed, detect_format, import_records
from uid.models import Animal

# The table of formats.md §2.3 that InjectTool's tests use as a CSV that is *not* a CRB-Anim file.
MAPPING_RULES = "\ufeffsample_storage_temperature;Sample storage\r\n-196°C;frozen, liquid nitrogen\r\n".encode()


def form(content: bytes, name: str, chosen: str = "") -> SubmissionForm:
    upload = SimpleUploadedFile(name, content)
    return SubmissionForm(data={"title": "t", "data_format": chosen}, files={"data_file": upload})


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (xlsx_example_file(), "xlsx"),
        (example_dump(form="insert"), "cryoweb"),
        (example_dump(form="copy"), "cryoweb"),
        (crb_anim_example_file(), "crb-anim"),
        (csv_example_file(), "csv"),
    ],
)
def test_each_example_is_recognised_by_its_content(content, name):
    assert detect_format(content) == name


def test_a_csv_of_no_format_is_refused_on_the_form_saying_what_it_lacks():
    refused = form(MAPPING_RULES, "rules.csv")

    assert not refused.is_valid()
    assert refused.errors["data_file"] == [
        "This file looks like none of the accepted formats: this CSV has neither the submission template's column "
        "record_type nor the CRB-Anim mandatory columns (sex, species_latin_name, country_of_origin, breed_name, "
        "animal_ID, …). Start from one of the templates on the create page and keep its header row."
    ]


@pytest.mark.parametrize(
    ("content", "name", "chosen", "message"),
    [
        (
            csv_example_file(),
            "herd.csv",
            "crb-anim",
            "This file was to be read as a CRB-Anim CSV export, but this looks like the site's submission CSV "
            "(with a record_type column). Choose that format, or let the site recognise it.",
        ),
        (
            xlsx_example_file(),
            "herd.xlsx",
            "csv",
            "This file was to be read as the site's submission CSV (with a record_type column), but this looks like "
            "an IMAGE Excel template (.xlsx). Choose that format, or let the site recognise it.",
        ),
        (
            MAPPING_RULES,
            "rules.csv",
            "crb-anim",
            "This file was to be read as a CRB-Anim CSV export, but this CSV has none of the CRB-Anim mandatory "
            "columns (sex, species_latin_name, animal_ID, …).",
        ),
        (
            example_dump(),
            "herd.sql",
            "crb-anim",
            "This file was to be read as a CRB-Anim CSV export, but this looks like a CryoWeb SQL dump. "
            "Choose that format, or let the site recognise it.",
        ),
        (
            csv_example_file(),
            "herd.csv",
            "cryoweb",
            "This file was to be read as a CryoWeb SQL dump, but this looks like the site's submission CSV "
            "(with a record_type column). Choose that format, or let the site recognise it.",
        ),
        (
            MAPPING_RULES,
            "rules.txt",
            "cryoweb",
            "This file was to be read as a CryoWeb SQL dump, but it does not start as SQL text does (pg_dump's "
            "header comment, or a SET, INSERT or COPY statement). Upload the plain SQL that CryoWeb's pg_dump "
            "--data-only writes.",
        ),
    ],
    ids=[
        "csv chosen as crb-anim",
        "xlsx chosen as csv",
        "no crb-anim columns",
        "cryoweb chosen as crb-anim",
        "csv chosen as cryoweb",
        "no sql",
    ],
)
def test_a_file_that_looks_like_another_format_than_the_one_chosen_is_refused(content, name, chosen, message):
    refused = form(content, name, chosen)

    assert not refused.is_valid()
    assert refused.errors["data_file"] == [message]


def test_the_chosen_format_is_accepted_when_the_content_agrees_and_the_choices_come_from_the_registry():
    assert form(crb_anim_example_file(), "crb.csv", "crb-anim").is_valid()
    assert [name for name, _ in SubmissionForm().fields["data_format"].choices] == [
        "",
        *(module.NAME for module in detection.FORMATS),
    ]


@pytest.mark.django_db
def test_the_import_refuses_a_file_of_no_format_and_imports_nothing(submission):
    Animal.objects.create(submission=submission, name="OLD")

    with pytest.raises(ImportFailed, match="This file looks like none of the accepted formats"):
        import_records(submission=submission, file=io.BytesIO(MAPPING_RULES))

    assert list(Animal.objects.values_list("name", flat=True)) == ["OLD"]


def test_cryoweb_is_tried_before_the_csv_formats_since_a_dump_is_text_too():
    names = [module.NAME for module in detection.FORMATS]

    assert names.index("cryoweb") < min(names.index("crb-anim"), names.index("csv"))
    # A dump whose INSERTs name CRB-Anim's columns is still a dump.
    assert detect_format(b"-- sex;species_latin_name;animal_ID\nINSERT INTO x (a) VALUES (1);\n") == "cryoweb"


@pytest.mark.django_db
def test_a_registered_format_is_given_the_submissions_species_language(submission, monkeypatch):
    """How a new format plugs in: one module with NAME, LABEL, looks_like and parse, which hears the language."""

    class Dump:
        NAME, LABEL = "dump", "a test dump"

        @staticmethod
        def looks_like(head: bytes) -> bool:
            return head.startswith(b"%%")

        @staticmethod
        def parse(data, progress=None, *, language):
            raise ImportFailed(f"parsed as a dump in the language of {language}")

    monkeypatch.setattr(detection, "FORMATS", (Dump, *detection.FORMATS))
    submission.gene_bank_country = "France"

    assert detection.detect(b"%% dump\nrecord_type,id\n") is Dump
    with pytest.raises(ImportFailed, match="parsed as a dump in the language of France"):
        import_records(submission=submission, file=io.BytesIO(b"%% dump\n"))
