"""Personal API tokens: only a hash is stored, never the token itself."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """A token a person created to let a script act as them (the JSON API, the socket, the watcher).

    The token is shown once, when it is created. Only its SHA-256 is kept, so
    a leaked database reveals no usable token; the prefix lets the person
    tell their tokens apart on the profile page.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
