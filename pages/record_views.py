"""Template downloads and the record actions of the detail page (replace data, delete records, reset).

Views stay thin: the services in `pages.record_actions` check the status under a
row lock and push the message to the pages; here requests become calls and
outcomes become a redirect with a message (or JSON for the live page).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from jobs.services import PhaseNotAllowed
from pages.record_actions import RecordActionRefused, delete_records, reload_data, reset_to_loaded
from pages.record_forms import DeleteRecordsForm, ReloadForm
from pages.submission_views import wants_json
from submissions import selectors
from uid.example_files import DOWNLOADS
from uid.models import Submission


@login_required
@require_GET
def download_template(request: HttpRequest, name: str) -> HttpResponse:
    """An empty template or an example file, generated now, so it always matches the importer."""
    download = DOWNLOADS.get(name)
    if download is None:
        raise Http404("No such template.")
    response = HttpResponse(download.build(), content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _done(request: HttpRequest, submission: Submission, *, ok: bool, message: str) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"ok": ok, ("message" if ok else "error"): message}, status=200 if ok else 409)
    (messages.success if ok else messages.error)(request, message)
    return redirect(submission)


def _form_error(form: DeleteRecordsForm | ReloadForm) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


@login_required
@require_POST
def submission_reload(request: HttpRequest, pk: int) -> HttpResponse:
    submission = selectors.get_visible_submission(request.user, pk)
    form = ReloadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _done(request, submission, ok=False, message=f"The file was not accepted: {_form_error(form)}")
    try:
        reload_data(submission=submission, data_file=form.cleaned_data["data_file"])
    except (RecordActionRefused, PhaseNotAllowed) as error:
        return _done(request, submission, ok=False, message=str(error))
    return _done(request, submission, ok=True, message="Importing the new file; it replaces all records.")


@login_required
@require_POST
def submission_delete_records(request: HttpRequest, pk: int) -> HttpResponse:
    submission = selectors.get_visible_submission(request.user, pk)
    form = DeleteRecordsForm(request.POST)
    if not form.is_valid():
        return _done(request, submission, ok=False, message=f"Nothing was deleted: {_form_error(form)}")
    try:
        message = delete_records(submission=submission, kind=form.cleaned_data["kind"], names=form.cleaned_data["ids"])
    except RecordActionRefused as error:
        return _done(request, submission, ok=False, message=str(error))
    return _done(request, submission, ok=True, message=message)


@login_required
@require_POST
def submission_reset(request: HttpRequest, pk: int) -> HttpResponse:
    submission = selectors.get_visible_submission(request.user, pk)
    try:
        message = reset_to_loaded(submission=submission)
    except RecordActionRefused as error:
        return _done(request, submission, ok=False, message=str(error))
    return _done(request, submission, ok=True, message=message)
