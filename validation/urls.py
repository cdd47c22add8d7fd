from __future__ import annotations

from django.urls import path

from validation import views

app_name = "validation"
urlpatterns = [
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/report.csv", views.report_csv, name="report_csv"),
]
