from django.apps import AppConfig


class SubmissionsWsConfig(AppConfig):
    name = "submissions_ws"
    verbose_name = "Live submission updates"
