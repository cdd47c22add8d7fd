"""Submission pages; the live socket is routed separately (`/ws/submissions/<pk>/`)."""

from __future__ import annotations

from django.urls import path

from pages import record_views
from pages import submission_views as views

app_name = "submissions"
urlpatterns = [
    path("", views.submission_list, name="list"),
    path("new/", views.submission_create, name="create"),
    path("<int:pk>/", views.submission_detail, name="detail"),
    path("<int:pk>/edit/", views.submission_edit, name="edit"),
    path("<int:pk>/validate/", views.submission_validate, name="validate"),
    path("<int:pk>/submit/", views.submission_submit, name="submit"),
    path("<int:pk>/cancel/", views.submission_cancel, name="cancel"),
    # Record actions: replace the data file, delete records by id, drop validation results.
    path("<int:pk>/reload/", record_views.submission_reload, name="reload"),
    path("<int:pk>/delete-records/", record_views.submission_delete_records, name="delete_records"),
    path("<int:pk>/reset/", record_views.submission_reset, name="reset"),
]
