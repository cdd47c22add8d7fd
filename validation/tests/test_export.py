"""CSV export helpers: formula neutralising, one row per message, streamed lines."""

from __future__ import annotations

import csv
import io

import pytest

from validation.export import HEADER, csv_lines, escape_cell, report_rows
from validation.models import ValidationResult


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
    ],
)
def test_formula_like_cells_get_a_leading_apostrophe(value, expected):
    """OWASP: a cell starting with = + - @ tab or CR is shown as text, never run."""
    assert escape_cell(value) == expected


@pytest.mark.parametrize("value", ["COW1", 'sex "cow" is not an accepted term.', "a=b", "", "1-2", " =1"])
def test_other_cells_are_left_alone(value):
    assert escape_cell(value) == value


def test_none_becomes_an_empty_cell():
    assert escape_cell(None) == ""


def parse(lines) -> list[list[str]]:
    return list(csv.reader(io.StringIO("".join(lines).removeprefix("\ufeff"), newline="")))


def test_csv_lines_quote_commas_quotes_and_newlines_and_start_with_a_bom():
    """Excel needs the BOM to read UTF-8; values with delimiters survive the round trip."""
    rows = [HEADER, ("animal", 'a,"b"\nc', "Error", "Error", "sex", "Ünïcode")]

    lines = list(csv_lines(rows))

    assert lines[0].startswith("\ufeffrecord_type,id,status,severity,column,message")
    assert parse(lines) == [list(HEADER), ["animal", 'a,"b"\nc', "Error", "Error", "sex", "Ünïcode"]]


@pytest.mark.django_db
def test_report_rows_give_one_row_per_message_and_one_for_a_record_without(submission):
    """Each message is a row with its own severity, so a Warning in an Error record reads as a Warning."""
    ValidationResult.objects.create(
        submission=submission,
        record_type="animal",
        record_id=1,
        record_name='=HYPERLINK("http://evil")',
        status="Error",
        messages=[
            {"column": "Sex", "message": "bad", "severity": "Error"},
            {"column": "Birth date", "message": "-missing", "severity": "Warning"},
            {"column": "archive", "message": "refused"},  # stored without a severity: the record's status
        ],
    )
    ValidationResult.objects.create(
        submission=submission, record_type="sample", record_id=2, record_name="S1", status="Pass"
    )

    rows = list(report_rows(ValidationResult.objects.filter(submission=submission).order_by("record_type")))

    assert rows == [
        HEADER,
        ("animal", '\'=HYPERLINK("http://evil")', "Error", "Error", "Sex", "bad"),
        ("animal", '\'=HYPERLINK("http://evil")', "Error", "Warning", "Birth date", "'-missing"),
        ("animal", '\'=HYPERLINK("http://evil")', "Error", "Error", "archive", "refused"),
        ("sample", "S1", "Pass", "", "", ""),
    ]
