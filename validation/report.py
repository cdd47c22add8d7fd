"""What the report page and its CSV export select: filters, matching results and message groups.

Each message carries its own severity (Error or Warning); groups are of
identical messages with the same severity and column.

Type and status filter in the database. Column and message filter on the
issues inside each result's JSON list, which SQLite cannot search portably,
so they run in Python over the results that have messages at all (Pass
results have none and are skipped by the query). A clean submission of
100,000 records therefore costs nothing here; one with errors everywhere
costs one streamed pass over its results per page view.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import QuerySet

from uid.models import Record, Submission
from validation.models import RECORD_TYPES, STATUSES, ValidationResult
from validation.storage import message_lists

CHUNK_SIZE = 2000
GROUPS_SHOWN = 100


@dataclass(frozen=True, slots=True)
class ReportFilter:
    """The filters in effect; empty strings mean "all"."""

    record_type: str = ""
    status: str = ""
    column: str = ""
    message: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> ReportFilter:
        """Filters from ?type=&status=&column=&message=.

        Unknown type and status values are ignored rather than rejected: they
        come from hand-edited URLs. Column and message match exactly, as the
        group links write them.
        """
        record_type = query.get("type", "")
        status = query.get("status", "")
        return cls(
            record_type=record_type if record_type in dict(RECORD_TYPES) else "",
            status=status if status in dict(STATUSES) else "",
            column=query.get("column", "")[:255],
            message=query.get("message", "")[:2000],
        )

    @property
    def on_issues(self) -> bool:
        return bool(self.column or self.message)

    def matches(self, issue: object) -> bool:
        """Whether one stored issue passes the column and message filters."""
        column, message = issue_parts(issue)
        return (not self.column or column == self.column) and (not self.message or message == self.message)


@dataclass(frozen=True, slots=True)
class Group:
    """Identical messages of one record type: how many records have it, and in which column."""

    record_type: str
    column: str
    message: str
    count: int
    severity: str = ""


def issue_parts(issue: object) -> tuple[str, str]:
    """(column, message) of a stored issue; older rows may hold a bare string."""
    if isinstance(issue, dict):
        return str(issue.get("column", "")), str(issue.get("message", ""))
    return "", str(issue)


def issue_severity(issue: object, status: str = "") -> str:
    """The severity of a stored issue; rows stored before messages carried one take their record's status."""
    if isinstance(issue, dict) and issue.get("severity"):
        return str(issue["severity"])
    return status


def base_results(submission: Submission, filters: ReportFilter) -> QuerySet[ValidationResult]:
    results = ValidationResult.objects.filter(submission=submission).order_by("record_type", "record_id")
    if filters.record_type:
        results = results.filter(record_type=filters.record_type)
    if filters.status:
        results = results.filter(status=filters.status)
    if filters.on_issues:
        results = results.exclude(status=Record.PASS)
    return results


def report_data(
    submission: Submission, filters: ReportFilter
) -> tuple[QuerySet[ValidationResult] | list[int], dict[str, tuple[list[Group], int]]]:
    """The matching results and the message groups, from one pass over the results with messages.

    Results come back as a queryset, or, under column or message filters,
    as the ids of the results with a matching issue. Groups are per record
    type: its most frequent identical messages, most frequent first, with
    how many distinct messages there are.
    """
    results = base_results(submission, filters)
    selected: list[int] | None = [] if filters.on_issues else None
    counts: Counter[tuple[str, str, str, str]] = Counter()
    issues = results.exclude(status=Record.PASS)
    lists = message_lists(issues)
    rows = issues.values_list("pk", "record_type", "status", "messages", "shared_messages")
    for pk, record_type, status, own, shared in rows.iterator(chunk_size=CHUNK_SIZE):
        messages = own if shared is None else lists.get(shared, ())
        # A record counts once per distinct message, however often the message repeats in it.
        matching = {
            (record_type, *issue_parts(issue), issue_severity(issue, status))
            for issue in _issues(messages)
            if filters.matches(issue)
        }
        counts.update(matching)
        if selected is not None and matching:
            selected.append(pk)
    # Errors first, then the most frequent: what blocks the submission is what to fix first.
    ranked = sorted(counts.items(), key=lambda item: (item[0][3] != Record.ERROR, -item[1], item[0]))
    groups: dict[str, list[Group]] = {}
    for (record_type, column, message, severity), count in ranked:
        groups.setdefault(record_type, []).append(Group(record_type, column, message, count, severity))
    summary = {
        record_type: (groups[record_type][:GROUPS_SHOWN], len(groups[record_type]))
        for record_type, _ in RECORD_TYPES
        if record_type in groups
    }
    return (results if selected is None else selected), summary


def _issues(messages: object) -> Iterable[object]:
    return messages if isinstance(messages, list) else ()
