"""Whether a file's first bytes are SQL, such as a CryoWeb pg_dump, rather than CSV or a workbook.

Kept free of other imports so the upload checks and the importer can both
ask it without an import cycle.
"""

from __future__ import annotations

import re

# pg_dump's header comment, a psql meta-command, or a statement at the start of a line: no CSV header looks so.
_SQL_START = re.compile(
    rb"\s*(?:--|/\*|\\[a-z!]|(?:SET|SELECT|INSERT|COPY|CREATE|ALTER|DROP|BEGIN|DO|TRUNCATE|DELETE|UPDATE)\s)",
    re.I,
)
DESCRIPTION = "a CryoWeb SQL dump"


def looks_like_sql(head: bytes) -> bool:
    """Whether the file starts as SQL text does (after an optional UTF-8 byte order mark)."""
    return _SQL_START.match(head.removeprefix(b"\xef\xbb\xbf")) is not None
