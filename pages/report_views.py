"""The per-record validation report, as a page and as a CSV download, and the page that edits one record."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from itertools import islice

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.handlers.asgi import ASGIRequest
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from common.constants import NEED_REVISION
from pages.record_editing import CHANGED_MESSAGE, MODELS, EditRefused, can_edit, editable_fields, update_record
from pages.report_forms import record_form_class
from submissions.selectors import get_visible_submission
from uid.models import Record, Submission
from validation.export import csv_lines, report_rows
from validation.fields import FIELDS
from validation.models import EDITED, RECORD_TYPES, STATUSES, ValidationResult, ValidationSummary
from validation.report import GROUPS_SHOWN, ReportFilter, base_results, report_data

PAGE_SIZE = 100
STATUS_COLOURS = {Record.PASS: "success", Record.WARNING: "warning", Record.ERROR: "danger", EDITED: "info"}
ORDER = ("record_type", "record_id")
# CSV lines sent per chunk of the download: few enough to keep memory flat, many enough to avoid tiny writes.
LINES_PER_CHUNK = 500


def _visible_submission(request: HttpRequest, pk: int) -> Submission:
    """The submission if the user owns it or is staff (the site's editors).

    Someone else's submission is a 404, not a 403, so ids cannot be probed.
    """
    return get_visible_submission(request.user, pk)


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """Every record's verdict and messages, identical messages grouped, filterable by type, status and issue."""
    submission = _visible_submission(request, pk)
    filters = ReportFilter.from_query(request.GET)
    selected, groups = report_data(submission, filters)
    if not isinstance(selected, list):
        selected = selected.select_related("shared_messages")  # each row's messages, in the page's one query
    page = Paginator(selected, PAGE_SIZE).get_page(request.GET.get("page"))
    if isinstance(selected, list):  # ids matched by the issue filters: fetch only this page's results
        page.object_list = list(
            ValidationResult.objects.filter(pk__in=page.object_list).select_related("shared_messages").order_by(*ORDER)
        )
    for result in page:
        result.colour = STATUS_COLOURS.get(result.status, "secondary")
    # The summary is of the last validation; records edited since are counted apart, not silently in it.
    edited = dict(
        ValidationResult.objects.filter(submission=submission, status=EDITED)
        .values_list("record_type")
        .annotate(count=Count("pk"))
        .order_by()
    )
    summaries = list(ValidationSummary.objects.filter(submission=submission).order_by("record_type"))
    for summary in summaries:
        summary.edited = edited.get(summary.record_type, 0)
    return render(
        request,
        "validation/report.html",
        {
            "submission": submission,
            "summaries": summaries,
            "page": page,
            "record_types": RECORD_TYPES,
            "statuses": STATUSES,
            "filters": filters,
            "record_type": filters.record_type,
            "status": filters.status,
            "groups": [(label, *groups[value]) for value, label in RECORD_TYPES if value in groups],
            "groups_shown": GROUPS_SHOWN,
            "can_edit": can_edit(submission),
            "field_table": [(label, FIELDS[value]) for value, label in RECORD_TYPES],
        },
    )


@login_required
def report_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The report (as filtered on the page) as a CSV download, one row per message.

    Streamed, so a submission with 100,000 records never sits in memory
    whole; cells are neutralised against formula injection by `export`.
    """
    submission = _visible_submission(request, pk)
    filters = ReportFilter.from_query(request.GET)
    results = base_results(submission, filters)
    lines = csv_lines(report_rows(results, matches=filters.matches if filters.on_issues else None))
    # Under ASGI (production runs uvicorn) Django buffers a synchronous
    # iterator completely before sending it; an asynchronous one streams.
    content = _async_chunks(lines) if isinstance(request, ASGIRequest) else _chunks(lines)
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    # The pk, not the title, names the file: a title could hold anything.
    response["Content-Disposition"] = f'attachment; filename="validation-report-{submission.pk}.csv"'
    return response


@login_required
def edit_record(request: HttpRequest, pk: int, record_type: str, record_id: int) -> HttpResponse:
    """Edit one animal or sample; saving after validation sets it and the submission to Need Revision."""
    submission = _visible_submission(request, pk)
    if record_type not in MODELS:
        raise Http404("No such record type.")
    record = get_object_or_404(MODELS[record_type], submission=submission, pk=record_id)
    back = reverse("validation:report", args=[submission.pk]) + f"?type={record_type}"
    if not can_edit(submission):
        messages.error(request, f"Records cannot be edited while the submission is {submission.status_name}.")
        return redirect(back)
    form_class = record_form_class(record_type)
    initial = {field.name: getattr(record, field.name) for field in editable_fields(record_type)}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = update_record(
                submission=submission, record_type=record_type, record_id=record.pk, values=form.cleaned_data
            )
        except EditRefused as error:
            messages.error(request, str(error))
        else:
            if not changed:
                messages.info(request, "Nothing changed.")
            elif submission.status == NEED_REVISION:
                messages.success(request, f"Saved {', '.join(changed)}. {CHANGED_MESSAGE}: validate again.")
            else:
                messages.success(request, f"Saved {', '.join(changed)}.")
        return redirect(back)
    result = ValidationResult.objects.filter(
        submission=submission, record_type=record_type, record_id=record.pk
    ).select_related("shared_messages")
    context = {
        "submission": submission,
        "record": record,
        "record_type": record_type,
        "form": form,
        "result": result.first(),
        "back": back,
    }
    return render(request, "validation/edit_record.html", context)


def _chunks(lines: Iterator[str]) -> Iterator[str]:
    while chunk := "".join(islice(lines, LINES_PER_CHUNK)):
        yield chunk


async def _async_chunks(lines: Iterator[str]) -> AsyncIterator[str]:
    """The same chunks, each read in the one thread Django's database code runs in for this request."""
    take = sync_to_async(lambda: "".join(islice(lines, LINES_PER_CHUNK)), thread_sensitive=True)
    while chunk := await take():
        yield chunk
