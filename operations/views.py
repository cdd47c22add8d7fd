"""The profile page: a person's API tokens, created and revoked with a POST each."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apitokens.models import ApiToken
from apitokens.services import create_token, revoke_token


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    new_token = None
    if request.method == "POST":
        _token, new_token = create_token(user=request.user, name=request.POST.get("name", ""))
    tokens = ApiToken.objects.filter(user=request.user)
    # The new token is shown on this answer only; a reload shows just its prefix.
    return render(request, "operations/profile.html", {"tokens": tokens, "new_token": new_token})


@login_required
@require_POST
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if not revoke_token(user=request.user, token_id=token_id):
        raise Http404("No such token.")
    messages.success(request, "The token was revoked; scripts using it are refused from now on.")
    return redirect("profile")
