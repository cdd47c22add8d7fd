"""A CryoWeb .sql dump is accepted on the form; a file whose name and content disagree hears what it looks like."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pages.submission_forms import SubmissionForm
from uid.cryoweb_example import example_dump
from uid.formats.cryoweb_sniff import looks_like_sql


def form_errors(name: str, content: bytes) -> list[str]:
    form = SubmissionForm({"title": "Gene bank"}, {"data_file": SimpleUploadedFile(name, content)})
    return [] if form.is_valid() else form.errors["data_file"]


def test_a_sql_dump_is_accepted_in_either_pg_dump_form():
    assert form_errors("cryoweb.sql", example_dump(form="insert")) == []
    assert form_errors("CRYOWEB.SQL", example_dump(form="copy")) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("herd.xlsx", example_dump(), "not an Excel .xlsx workbook (this looks like a CryoWeb SQL dump; name it .sql)"),
        (
            "dump.sql",
            b"record_type,id\nanimal,a1\n",
            "This file is named .sql but is not a CryoWeb SQL dump (this looks like a CSV or text file).",
        ),
    ],
)
def test_a_name_that_disagrees_with_the_content_is_told_what_the_file_looks_like(name, content, message):
    errors = form_errors(name, content)

    assert len(errors) == 1
    assert message in errors[0]


def test_sql_is_told_from_csv_by_its_start():
    assert looks_like_sql(b"\xef\xbb\xbf--\n-- PostgreSQL database dump\n")
    assert looks_like_sql(b"\n\nINSERT INTO apiis_admin.codes (db_code) VALUES (1);\n")
    assert looks_like_sql(b"\\! rm -rf /\n")
    assert not looks_like_sql(b"record_type,id,alternative_id\n")
    assert not looks_like_sql(b"sex;species_latin_name;country_of_origin\n")
