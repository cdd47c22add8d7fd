"""Submission pages; the live socket is routed separately (`/ws/submissions/<pk>/`)."""

from __future__ import annotations

from django.urls import path

from submissions import views

app_name = "submissions"
urlpatterns = [
    path("", views.submission_list, name="list"),
    path("new/", views.submission_create, name="create"),
    path("<int:pk>/", views.submission_detail, name="detail"),
    path("<int:pk>/edit/", views.submission_edit, name="edit"),
    path("<int:pk>/validate/", views.submission_validate, name="validate"),
    path("<int:pk>/submit/", views.submission_submit, name="submit"),
]
