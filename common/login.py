"""Django's login view, with failed attempts rate-limited.

Counting per username and client address stops password guessing against
one account; counting per address alone stops spraying many accounts. The
counters live in the cache (Redis in distributed mode, so every process
shares them).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
WINDOW_SECONDS = 15 * 60
LOCKED_MESSAGE = "Too many failed sign-in attempts. Wait 15 minutes and try again."


def _keys(request: HttpRequest) -> tuple[str, str]:
    address = request.META.get("REMOTE_ADDR", "unknown")
    username = str(request.POST.get("username", "")).strip().lower()[:150]
    return f"login-fail:{address}:{username}", f"login-fail:{address}"


def is_locked(request: HttpRequest) -> bool:
    account, address = _keys(request)
    return cache.get(account, 0) >= MAX_FAILURES_PER_ACCOUNT or cache.get(address, 0) >= MAX_FAILURES_PER_ADDRESS


def record_failure(request: HttpRequest) -> None:
    for key in _keys(request):
        if not cache.add(key, 1, WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, WINDOW_SECONDS)


def clear_failures(request: HttpRequest) -> None:
    cache.delete(_keys(request)[0])


class RateLimitedLoginView(LoginView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if is_locked(request):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, LOCKED_MESSAGE)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        record_failure(self.request)
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        clear_failures(self.request)
        return super().form_valid(form)
