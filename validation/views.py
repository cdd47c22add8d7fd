"""The per-record validation report."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from uid.models import Record, Submission
from validation.models import RECORD_TYPES, STATUSES, ValidationResult, ValidationSummary

PAGE_SIZE = 100
STATUS_COLOURS = {Record.PASS: "success", Record.WARNING: "warning", Record.ERROR: "danger"}


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """Every record's verdict and messages, filterable by record type and status.

    Someone else's submission is a 404, not a 403, so ids cannot be probed.
    """
    submissions = Submission.objects.all() if request.user.is_staff else Submission.objects.filter(owner=request.user)
    submission = get_object_or_404(submissions, pk=pk)
    # Unknown filter values are ignored rather than rejected: they come from hand-edited URLs.
    record_type = request.GET.get("type", "")
    record_type = record_type if record_type in dict(RECORD_TYPES) else ""
    status = request.GET.get("status", "")
    status = status if status in dict(STATUSES) else ""
    results = ValidationResult.objects.filter(submission=submission).order_by("record_type", "record_id")
    if record_type:
        results = results.filter(record_type=record_type)
    if status:
        results = results.filter(status=status)
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
