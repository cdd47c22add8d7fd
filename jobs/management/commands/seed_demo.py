"""Create the demo user and submission that `make run` prints.

Idempotent: running it again keeps existing data and prints the login.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand

from common.constants import PHASE_IMPORT
from jobs.execution import run_job
from uid.models import Submission

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password"
EXAMPLE = Path(settings.BASE_DIR) / "static" / "templates" / "submission_example.csv"


class Command(BaseCommand):
    help = "Create a demo user and a demo submission (loaded from the example file)."

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(username=DEMO_USERNAME)
        if created:
            user.set_password(DEMO_PASSWORD)
            # The IMAGE ruleset needs a contact person on every record; without a contact sheet it is the owner.
            user.first_name, user.last_name, user.email = "Demo", "Submitter", "demo@example.org"
            user.save()
        if not Submission.objects.filter(owner=user).exists():
            submission = Submission.objects.create(
                title="Demo submission",
                description="Animals and samples from the example file.",
                owner=user,
                gene_bank_name="Example Gene Bank",
                gene_bank_country="Italy",
            )
            with EXAMPLE.open("rb") as example:
                submission.uploaded_file.save(EXAMPLE.name, File(example))
            submission.job_phase = PHASE_IMPORT
            submission.save()
            run_job(PHASE_IMPORT, submission.pk)
        self.stdout.write(
            self.style.SUCCESS(f"Sign in at /accounts/login/ as {DEMO_USERNAME!r} with password {DEMO_PASSWORD!r}.")
        )
