"""What BioSamples holds of our records, record by record.

The accession itself is stored on the Animal or Sample as soon as
BioSamples returns it (that is what makes a submission resumable). This
row keeps the rest of what a later submission needs: the release date the
sample was created with (a PUT must not move it) and a digest of the
document BioSamples accepted, so that only records edited since are sent
again, with PUT.

It is keyed by accession, not by the record's primary key: a re-import
replaces the rows (new keys) but carries each accession over to the record
of the same type and name (uid.formats.store), and this row follows the
accession without uid having to know about the archive.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from uid.models import Submission


class ArchivedDocument(models.Model):
    ANIMAL = "animal"
    SAMPLE = "sample"
    RECORD_TYPES = ((ANIMAL, "Animal"), (SAMPLE, "Sample"))

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="archived_documents")
    record_type = models.CharField(max_length=16, choices=RECORD_TYPES)
    accession = models.CharField(max_length=64)
    release = models.CharField(max_length=40)
    digest = models.CharField(max_length=64)
    sent = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "accession"], name="one_archived_document_per_accession")
        ]

    def __str__(self) -> str:
        return f"{self.record_type} {self.accession}"


class WebinToken(models.Model):
    """A user's Webin JWT, when submissions use the submitter's own account.

    Only the token is kept, never the password: the password is exchanged for
    a token when the user presses Submit and then forgotten. A token is worth
    at most its few hours of validity to whoever reads the database, where a
    stored password (even encrypted, with the key beside it) would be worth
    the whole Webin account for ever.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webin_token")
    username = models.CharField(max_length=128)
    jwt = models.TextField()
    expires_at = models.FloatField(help_text="Epoch seconds, from the token's exp claim.")
    created = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Webin token of {self.user} ({self.username})"
