"""Sign-in throttling with django-axes: where the client address comes from and what a locked-out person sees.

django-axes counts failed sign-ins per account and address
(`AXES_LOCKOUT_PARAMETERS` in the settings) in the database, so every server
process shares the counts; these two functions are its hooks.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

LOCKED_MESSAGE = "Too many failed sign-in attempts. Wait 15 minutes and try again."


def client_address(request: HttpRequest) -> str | None:
    """The peer address as uvicorn resolved it.

    uvicorn replaces it with X-Forwarded-For only for a proxy listed in
    FORWARDED_ALLOW_IPS. django-axes would otherwise read forwarded headers
    itself when django-ipware is installed, and a client could rotate them.
    """
    return request.META.get("REMOTE_ADDR")


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """The login page again, saying why, with HTTP 429 (django-axes' AXES_LOCKOUT_CALLABLE)."""
    form = AuthenticationForm(request, data={"username": request.POST.get("username", "")})
    form.errors.clear()
    form.add_error(None, LOCKED_MESSAGE)
    response = TemplateResponse(request, "registration/login.html", {"form": form}, status=429)
    return response.render()
