from __future__ import annotations

from django.urls import path

from pages import report_views as views

app_name = "validation"
urlpatterns = [
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/report.csv", views.report_csv, name="report_csv"),
    path("<int:pk>/records/<str:record_type>/<int:record_id>/edit/", views.edit_record, name="edit_record"),
]
