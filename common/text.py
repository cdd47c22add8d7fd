"""Small helpers for the sentences the site says."""

from __future__ import annotations


def count_of(count: int, singular: str, plural: str | None = None) -> str:
    """A count with its noun agreeing: 1 animal, 2 animals, 0 samples."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"
