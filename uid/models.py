"""Submissions and the animal and sample records they carry.

Record fields are stored as the text the submitter supplied: validation
judges them, so a malformed date is reported, never silently lost.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse

from common.constants import JOB_STATES, STATUS_NAMES, STATUSES, WAITING

# The two record types, as validation results and the readers name them.
ANIMAL = "animal"
SAMPLE = "sample"


class Submission(models.Model):
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True, default="")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions")
    status = models.PositiveSmallIntegerField(choices=STATUSES, default=WAITING)
    message = models.TextField(blank=True, default="")
    uploaded_file = models.FileField(upload_to="uploads/%Y/%m/", blank=True, default="")
    # Last status event sequence number; send_message() bumps it under a row
    # lock so that each submission's events are numbered 1, 2, 3... with no gap.
    last_seq = models.PositiveBigIntegerField(default=0)
    # The running job's phase and heartbeat, so a watchdog can tell a job that
    # died (worker killed, server restarted) from one that is still working.
    job_phase = models.CharField(max_length=20, blank=True, default="")
    job_heartbeat = models.DateTimeField(null=True, blank=True)
    # Queued until a worker takes the job, then running; the heartbeat stays
    # empty while queued, so a long queue is never mistaken for a dead job.
    # `job_queued_at` orders the queue ("2 ahead of you").
    job_state = models.CharField(max_length=10, choices=JOB_STATES, blank=True, default="")
    job_queued_at = models.DateTimeField(null=True, blank=True)
    # The owner asked to stop the phase; the job honours it at its next
    # progress report and the submission goes back to `job_previous_status`.
    job_cancel_requested = models.BooleanField(default=False)
    job_previous_status = models.PositiveSmallIntegerField(choices=STATUSES, null=True, blank=True)
    # What the IMAGE template's `submission` and `contact` sheets say (or the
    # create form, for formats without them). The archive documents carry the
    # gene bank and the submitter; the gene bank country also picks the
    # language of the species synonyms (formats.md §0.3).
    project = models.CharField(max_length=255, blank=True, default="")
    publication_doi = models.CharField(max_length=255, blank=True, default="")
    gene_bank_name = models.CharField(max_length=255, blank=True, default="")
    gene_bank_country = models.CharField(max_length=128, blank=True, default="")
    # One dict per row of the template's `contact` sheet, keyed by its headers.
    contacts = models.JSONField(blank=True, default=list)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # `last_seq` belongs to send_message(), which bumps it with an UPDATE
        # under the row lock. A plain save() of an instance loaded earlier
        # (the seed snippet's `get(); status = ...; save()`) must not write an
        # older value back, or the next event would reuse a seq.
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                field.name for field in self._meta.concrete_fields if not field.primary_key and field.name != "last_seq"
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("submissions:detail", args=[self.pk])

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]


class Record(models.Model):
    """Fields every record type shares."""

    PASS = "Pass"
    WARNING = "Warning"
    ERROR = "Error"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="%(class)ss")
    # Indexed: every import looks its new ids up among everyone's records (uid.upload_checks).
    name = models.CharField("id", max_length=255, db_index=True)
    alternative_id = models.CharField(max_length=255, blank=True, default="")
    description = models.TextField(blank=True, default="")
    latitude = models.CharField(max_length=64, blank=True, default="")
    longitude = models.CharField(max_length=64, blank=True, default="")
    # How precisely latitude and longitude were taken (a controlled term, e.g. "exact").
    accuracy = models.CharField(max_length=64, blank=True, default="")
    row = models.PositiveIntegerField(default=0, help_text="Line in the uploaded file.")
    accession = models.CharField(max_length=64, blank=True, default="")
    # Problems the importer found but did not refuse the file for (a CRB-Anim
    # animal described differently on two rows): validation reports each one
    # as an Error on this record, so the user fixes it on the page.
    import_conflicts = models.JSONField(blank=True, default=list)

    class Meta:
        abstract = True
        ordering = ["row", "pk"]

    def __str__(self) -> str:
        return self.name


class Animal(Record):
    species = models.CharField(max_length=255, blank=True, default="")
    breed = models.CharField(max_length=255, blank=True, default="")
    sex = models.CharField(max_length=32, blank=True, default="")
    birth_date = models.CharField(max_length=32, blank=True, default="")
    birth_country = models.CharField(max_length=128, blank=True, default="")
    birth_location = models.CharField(max_length=255, blank=True, default="")
    # The breed's country (the .xlsx breed sheet, CRB-Anim's country_of_origin), not where the animal was born.
    breed_country = models.CharField(max_length=128, blank=True, default="")
    father_name = models.CharField("father id", max_length=255, blank=True, default="")
    mother_name = models.CharField("mother id", max_length=255, blank=True, default="")

    class Meta(Record.Meta):
        constraints = [models.UniqueConstraint(fields=["submission", "name"], name="unique_animal_per_submission")]


class Sample(Record):
    animal = models.ForeignKey(Animal, null=True, blank=True, on_delete=models.SET_NULL, related_name="samples")
    animal_name = models.CharField("animal id", max_length=255, blank=True, default="")
    collection_date = models.CharField(max_length=32, blank=True, default="")
    organism_part = models.CharField(max_length=255, blank=True, default="")
    storage = models.CharField(max_length=255, blank=True, default="")
    protocol_url = models.CharField(max_length=1024, blank=True, default="")
    collection_place = models.CharField(max_length=255, blank=True, default="")
    developmental_stage = models.CharField(max_length=255, blank=True, default="")
    physiological_stage = models.CharField(max_length=255, blank=True, default="")
    animal_age_at_collection = models.CharField(max_length=64, blank=True, default="")
    animal_age_at_collection_units = models.CharField(max_length=64, blank=True, default="")
    availability = models.CharField(max_length=1024, blank=True, default="")
    storage_processing = models.CharField(max_length=255, blank=True, default="")
    preparation_interval = models.CharField(max_length=64, blank=True, default="")
    preparation_interval_units = models.CharField(max_length=64, blank=True, default="")
    # CRB-Anim columns without an equivalent above.
    sample_type = models.CharField(max_length=255, blank=True, default="")
    bibliographic_references = models.TextField(blank=True, default="")

    class Meta(Record.Meta):
        constraints = [models.UniqueConstraint(fields=["submission", "name"], name="unique_sample_per_submission")]
