from django.apps import AppConfig


class UidConfig(AppConfig):
    name = "uid"
    verbose_name = "Submissions and records"
