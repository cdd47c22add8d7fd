from __future__ import annotations

import pytest

from validation.models import ValidationResult
from validation.report import Group, ReportFilter, report_data

SEX = {"column": "Sex", "message": "<cow> of field Sex is not one of the allowed terms", "severity": "Error"}
DATE = {
    "column": "Birth date",
    "message": "Recommended field Birth date in organism section could not be found",
    "severity": "Warning",
}
PART = {
    "column": "Organism part",
    "message": "Mandatory field Organism part in specimen from organism section could not be found",
    "severity": "Error",
}


@pytest.fixture
def results(submission):
    rows = [
        ("animal", 1, "A1", "Error", [SEX, DATE]),
        ("animal", 2, "A2", "Error", [SEX, SEX]),
        ("animal", 3, "A3", "Warning", [DATE]),
        ("animal", 4, "A4", "Pass", []),
        ("sample", 5, "S1", "Error", [PART, {"column": "archive", "message": "Rejected by the archive."}]),
    ]
    ValidationResult.objects.bulk_create(
        ValidationResult(
            submission=submission, record_type=kind, record_id=pk, record_name=name, status=status, messages=messages
        )
        for kind, pk, name, status, messages in rows
    )
    return submission


def message_groups(submission, filters):
    return report_data(submission, filters)[1]


def filtered_results(submission, filters):
    return report_data(submission, filters)[0]


def names(selected) -> list[str]:
    if isinstance(selected, list):
        selected = ValidationResult.objects.filter(pk__in=selected).order_by("record_id")
    return [result.record_name for result in selected]


def test_filters_come_from_the_query_and_ignore_unknown_type_and_status():
    """Hand-edited URLs with unknown values show everything instead of failing."""
    assert ReportFilter.from_query({"type": "plant", "status": "Bad", "column": "sex"}) == ReportFilter(column="sex")
    assert ReportFilter.from_query({"type": "sample", "status": "Need Revision"}) == ReportFilter(
        record_type="sample", status="Need Revision"
    )


@pytest.mark.django_db
def test_identical_messages_are_grouped_per_type_with_counts_and_columns(results):
    """Each record counts once per message; groups keep the message's own severity, Errors first.

    The recommendation is a Warning in the Error record A1 as in the Warning record A3: one group.
    """
    groups = message_groups(results, ReportFilter())

    assert groups["animal"] == (
        [
            Group("animal", "Sex", SEX["message"], 2, "Error"),
            Group("animal", "Birth date", DATE["message"], 2, "Warning"),
        ],
        2,
    )
    assert groups["sample"][1] == 2
    # A message stored without a severity (the archive's) takes its record's status.
    assert Group("sample", "archive", "Rejected by the archive.", 1, "Error") in groups["sample"][0]


@pytest.mark.django_db
def test_groups_follow_the_filters(results):
    """Filtering by status or column narrows the groups too."""
    assert list(message_groups(results, ReportFilter(status="Warning"))) == ["animal"]
    assert message_groups(results, ReportFilter(status="Warning"))["animal"][0] == [
        Group("animal", "Birth date", DATE["message"], 1, "Warning")
    ]
    assert message_groups(results, ReportFilter(column="archive")) == {
        "sample": ([Group("sample", "archive", "Rejected by the archive.", 1, "Error")], 1)
    }


@pytest.mark.django_db
def test_column_and_message_filters_select_records_with_a_matching_issue(results):
    """A record matches when one of its messages has that column and that text."""
    assert names(filtered_results(results, ReportFilter(column="Sex"))) == ["A1", "A2"]
    assert names(filtered_results(results, ReportFilter(message=DATE["message"]))) == ["A1", "A3"]
    assert names(filtered_results(results, ReportFilter(column="Sex", message=DATE["message"]))) == []
    assert names(filtered_results(results, ReportFilter(status="Error", record_type="animal"))) == ["A1", "A2"]
    assert names(filtered_results(results, ReportFilter())) == ["A1", "A2", "A3", "A4", "S1"]
