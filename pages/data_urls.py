"""Data file templates: /data/templates/<name> (login required)."""

from __future__ import annotations

from django.urls import path

from pages import record_views as views

app_name = "uid"
urlpatterns = [
    path("templates/<str:name>", views.download_template, name="template"),
]
