"""The baseline serves no pages; servers only need an HTTP answer to say they are up."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("", lambda request: HttpResponse("baseline"))]
