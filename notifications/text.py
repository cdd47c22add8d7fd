"""Cutting long status messages where a person reads them (mail, toasts)."""

from __future__ import annotations

SHORTENED_NOTE = " … (shortened; the full message is on the submission's page)"


def truncate(text: str, limit: int) -> str:
    """`text` cut at a word boundary within `limit` characters, saying that it was cut.

    Cut here, deliberately, rather than by a mail server or a CSS overflow: a
    word is never split, and the reader learns where the rest is. Only text
    without any space to cut at (one huge token) is cut mid-word.
    """
    if len(text) <= limit:
        return text
    # A space at `limit` itself means the cut falls between two words.
    boundary = max(text.rfind(" ", 0, limit + 1), text.rfind("\n", 0, limit + 1))
    head = text[:boundary] if boundary > 0 else text[:limit]
    return f"{head.rstrip()}{SHORTENED_NOTE}"
