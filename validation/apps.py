from __future__ import annotations

from django.apps import AppConfig


class ValidationConfig(AppConfig):
    name = "validation"

    def ready(self) -> None:
        # Imported here, once the models are loaded, as Django requires of an AppConfig.
        from uid.formats.store import records_replaced
        from validation.storage import clear_replaced

        # The importer (uid, below this app) announces a replacement; the old records' results go with them.
        records_replaced.connect(clear_replaced, dispatch_uid="validation.clear_replaced")
