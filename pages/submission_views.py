"""Pages for listing, creating, editing and acting on submissions.

Views stay thin: reads come from `submissions.selectors`, writes from the
plain functions below, and phase changes from `jobs.services.start_phase`,
which re-checks the status under a row lock. Every view resolves the
submission through `get_visible_submission`, so someone else's submission is
a 404 on every URL.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from archive.credentials import asks_for_user_credentials, has_fresh_user_token, sign_in
from archive.errors import ArchiveCredentialsRefused, ArchiveError, ArchiveUnavailable
from common.constants import EDIT, PHASE_IMPORT, PHASE_SUBMISSION, PHASE_VALIDATION, STATUS_NAMES
from jobs.cancel import CancelNotAllowed, request_cancel
from jobs.services import PhaseNotAllowed, start_phase
from pages.submission_forms import SubmissionEditForm, SubmissionForm
from submissions import selectors
from uid.models import Submission

PAGE_SIZE = 20
STARTED_MESSAGES = {
    PHASE_VALIDATION: "Validation started.",
    PHASE_SUBMISSION: "Submission to the archive started.",
}

OWNER_ONLY_MESSAGE = (
    "Only the owner of this submission can submit it: the records go to the archive under the owner's own "
    "Webin account. Ask them to press Submit."
)


class EditNotAllowed(Exception):
    """The submission's status does not allow editing right now."""


def create_submission(
    *,
    owner: AbstractBaseUser,
    title: str,
    description: str,
    data_file: UploadedFile,
    gene_bank_name: str = "",
    gene_bank_country: str = "",
) -> Submission:
    """Store a new submission and start importing its file.

    One transaction: if the import cannot be queued, no submission is left
    behind stuck in Waiting with no job to move it on.
    """
    with transaction.atomic():
        submission = Submission.objects.create(
            owner=owner,
            title=title,
            description=description,
            uploaded_file=data_file,
            gene_bank_name=gene_bank_name,
            gene_bank_country=gene_bank_country,
        )
        start_phase(submission=submission, phase=PHASE_IMPORT, initial=True)
    return submission


def update_submission(
    submission: Submission,
    *,
    title: str,
    description: str,
    data_file: UploadedFile | None,
    gene_bank: tuple[str, str] | None = None,
) -> bool:
    """Save edits; a new data file is stored and imported again.

    The status is checked under a row lock, and only the edited columns are
    written, so a job updating status or `last_seq` meanwhile is never
    overwritten. Returns whether an import was started.
    """
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if EDIT not in selectors.allowed_actions(locked.status):
            raise EditNotAllowed(f"A submission in status {locked.status_name} cannot be edited.")
        locked.title = title
        locked.description = description
        fields = ["title", "description", "updated"]
        if gene_bank is not None:
            locked.gene_bank_name, locked.gene_bank_country = gene_bank
            fields += ["gene_bank_name", "gene_bank_country"]
        if data_file is not None:
            locked.uploaded_file = data_file
            fields.append("uploaded_file")
        locked.save(update_fields=fields)
        if data_file is not None:
            start_phase(submission=locked, phase=PHASE_IMPORT)
    submission.refresh_from_db()
    return data_file is not None


@login_required
def submission_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.visible_submissions(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page_obj": page, "rows": selectors.list_rows(page), "list_state": selectors.status_tables()}
    return render(request, "submissions/list.html", context)


@login_required
def submission_create(request: HttpRequest) -> HttpResponse:
    form = SubmissionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        submission = create_submission(
            owner=request.user,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            data_file=form.cleaned_data["data_file"],
            gene_bank_name=form.cleaned_data["gene_bank_name"],
            gene_bank_country=form.cleaned_data["gene_bank_country"],
        )
        messages.success(request, "Submission created; importing your data file.")
        return redirect(submission)
    return render(request, "submissions/create.html", {"form": form})


@login_required
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = selectors.get_visible_submission(request.user, pk)
    context = {**selectors.detail_context(submission), "webin_sign_in": asks_for_user_credentials()}
    return render(request, "submissions/detail.html", context)


@login_required
def submission_edit(request: HttpRequest, pk: int) -> HttpResponse:
    submission = selectors.get_visible_submission(request.user, pk)
    if EDIT not in selectors.allowed_actions(submission.status):
        messages.error(request, f"This submission cannot be edited while it is {STATUS_NAMES[submission.status]}.")
        return redirect(submission)
    # `initial`, not `instance`: an invalid POST must not rename the object
    # the page header is rendered from.
    initial = {
        "title": submission.title,
        "description": submission.description,
        "gene_bank_name": submission.gene_bank_name,
        "gene_bank_country": submission.gene_bank_country,
    }
    form = SubmissionEditForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            imported = update_submission(
                submission,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                data_file=form.cleaned_data.get("data_file"),
                gene_bank=(form.cleaned_data["gene_bank_name"], form.cleaned_data["gene_bank_country"]),
            )
        except (EditNotAllowed, PhaseNotAllowed) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Changes saved; importing the new data file." if imported else "Changes saved.")
        return redirect(submission)
    return render(request, "submissions/edit.html", {"form": form, "submission": submission})


def wants_json(request: HttpRequest) -> bool:
    """The live page posts actions with fetch and asks for JSON.

    It then stays in place and lets the socket show the new status; a plain
    form post (no JavaScript, or socket down) gets a redirect and a message.
    """
    return "application/json" in request.headers.get("Accept", "")


def _refuse(request: HttpRequest, submission: Submission, error: str) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"ok": False, "error": error}, status=409)
    messages.error(request, error)
    return redirect(submission)


def _webin_sign_in(request: HttpRequest) -> str | None:
    """With BIOSAMPLES_CREDENTIALS=user, trade the typed Webin password for a token; the reason it failed, if so.

    The password is used for this one request and never stored; an earlier
    token that is still fresh lets Submit go without typing it again.
    """
    username = request.POST.get("webin_username", "").strip()
    password = request.POST.get("webin_password", "")
    if not password:
        if has_fresh_user_token(request.user):
            return None
        return "Enter your Webin username and password to submit to the archive."
    try:
        sign_in(user=request.user, username=username, password=password)
    except ArchiveUnavailable:
        return "The Webin sign-in service is unavailable, please try again later."
    except ArchiveCredentialsRefused:
        return "Webin refused this username and password. Check them and submit again."
    except ArchiveError as error:
        return f"The Webin sign-in failed: {error}. Please contact support."
    return None


def _start(request: HttpRequest, pk: int, phase: str) -> HttpResponse:
    submission = selectors.get_visible_submission(request.user, pk)
    if phase == PHASE_SUBMISSION and asks_for_user_credentials():
        # The job sends with the owner's Webin token (archive.credentials), so
        # only the owner may start it: staff pressing Submit would otherwise
        # send under someone else's Webin account.
        if submission.owner_id != request.user.pk:
            return _refuse(request, submission, OWNER_ONLY_MESSAGE)
        refusal = _webin_sign_in(request)
        if refusal:
            return _refuse(request, submission, refusal)
    try:
        start_phase(submission=submission, phase=phase)
    except PhaseNotAllowed as error:
        if wants_json(request):
            return JsonResponse({"ok": False, "error": str(error)}, status=409)
        messages.error(request, str(error))
    else:
        if wants_json(request):
            return JsonResponse({"ok": True, "message": STARTED_MESSAGES[phase]}, status=202)
        messages.success(request, STARTED_MESSAGES[phase])
    return redirect(submission)


@login_required
@require_POST
def submission_validate(request: HttpRequest, pk: int) -> HttpResponse:
    return _start(request, pk, PHASE_VALIDATION)


@sensitive_post_parameters("webin_password")
@login_required
@require_POST
def submission_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _start(request, pk, PHASE_SUBMISSION)


@login_required
@require_POST
def submission_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop the running (or queued) phase; the socket shows how it ends."""
    submission = selectors.get_visible_submission(request.user, pk)
    try:
        answer = request_cancel(submission=submission)
    except CancelNotAllowed as error:
        if wants_json(request):
            return JsonResponse({"ok": False, "error": str(error)}, status=409)
        messages.error(request, str(error))
    else:
        if wants_json(request):
            return JsonResponse({"ok": True, "message": answer}, status=202)
        messages.success(request, answer)
    return redirect(submission)
