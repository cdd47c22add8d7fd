"""The per-record validation report, as a page and as a CSV download."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from itertools import islice

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.core.handlers.asgi import ASGIRequest
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render

from uid.models import Record, Submission
from validation.export import csv_lines, report_rows
from validation.models import RECORD_TYPES, STATUSES, ValidationResult, ValidationSummary

PAGE_SIZE = 100
STATUS_COLOURS = {Record.PASS: "success", Record.WARNING: "warning", Record.ERROR: "danger"}
# CSV lines sent per chunk of the download: few enough to keep memory flat, many enough to avoid tiny writes.
LINES_PER_CHUNK = 500


def _visible_submission(request: HttpRequest, pk: int) -> Submission:
    """The submission if the user owns it or is staff.

    Someone else's submission is a 404, not a 403, so ids cannot be probed.
    """
    submissions = Submission.objects.all() if request.user.is_staff else Submission.objects.filter(owner=request.user)
    return get_object_or_404(submissions, pk=pk)


def _filtered_results(request: HttpRequest, submission: Submission) -> tuple[QuerySet[ValidationResult], str, str]:
    """The results the ?type= and ?status= filters select, with the filter values in effect.

    Unknown filter values are ignored rather than rejected: they come from hand-edited URLs.
    """
    record_type = request.GET.get("type", "")
    record_type = record_type if record_type in dict(RECORD_TYPES) else ""
    status = request.GET.get("status", "")
    status = status if status in dict(STATUSES) else ""
    results = ValidationResult.objects.filter(submission=submission).order_by("record_type", "record_id")
    if record_type:
        results = results.filter(record_type=record_type)
    if status:
        results = results.filter(status=status)
    return results, record_type, status


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """Every record's verdict and messages, filterable by record type and status."""
    submission = _visible_submission(request, pk)
    results, record_type, status = _filtered_results(request, submission)
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    for result in page:
        result.colour = STATUS_COLOURS.get(result.status, "secondary")
    return render(
        request,
        "validation/report.html",
        {
            "submission": submission,
            "summaries": ValidationSummary.objects.filter(submission=submission).order_by("record_type"),
            "page": page,
            "record_types": RECORD_TYPES,
            "statuses": STATUSES,
            "record_type": record_type,
            "status": status,
        },
    )


@login_required
def report_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The report (as filtered on the page) as a CSV download, one row per message.

    Streamed, so a submission with 100,000 records never sits in memory
    whole; cells are neutralised against formula injection by `export`.
    """
    submission = _visible_submission(request, pk)
    results, _, _ = _filtered_results(request, submission)
    lines = csv_lines(report_rows(results))
    # Under ASGI (production runs uvicorn) Django buffers a synchronous
    # iterator completely before sending it; an asynchronous one streams.
    content = _async_chunks(lines) if isinstance(request, ASGIRequest) else _chunks(lines)
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    # The pk, not the title, names the file: a title could hold anything.
    response["Content-Disposition"] = f'attachment; filename="validation-report-{submission.pk}.csv"'
    return response


def _chunks(lines: Iterator[str]) -> Iterator[str]:
    while chunk := "".join(islice(lines, LINES_PER_CHUNK)):
        yield chunk


async def _async_chunks(lines: Iterator[str]) -> AsyncIterator[str]:
    """The same chunks, each read in the one thread Django's database code runs in for this request."""
    take = sync_to_async(lambda: "".join(islice(lines, LINES_PER_CHUNK)), thread_sensitive=True)
    while chunk := await take():
        yield chunk
