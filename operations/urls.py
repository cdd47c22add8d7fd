"""Operations URLs: health, metrics, the JSON API and the token page."""

from __future__ import annotations

from django.urls import path

from operations import health, metrics_view, views
from operations.api import api

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics_view.metrics, name="metrics"),
    path("api/", api.urls),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/profile/tokens/<int:token_id>/revoke/", views.revoke, name="revoke_token"),
]
