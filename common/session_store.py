"""Django's database session engine, with the session read in plain SQL.

Every socket connect loads its session in the consumer's database hop
(submissions_ws/auth.py). Through the ORM, `Session.objects.get(...)` cost
about 0.3 ms of CPU per connect, nearly all of it compiling the query, not
running it (bench/analysis.md, "Connect cost"). The table, the rows, the
signing salt and every write are Django's own (`backends.db`), so existing
sessions stay valid and the sockets' session check (submissions_ws/sessions.py)
reads the same table.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone

from common.plain_sql import fetch_row


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Any:
        key = self.session_key
        if not key:
            self._session_key = None
            return None
        meta = self.model._meta
        row = fetch_row(
            self.model,
            [meta.get_field("session_data")],
            [(meta.pk, "=", key), (meta.get_field("expire_date"), ">", timezone.now())],
        )
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=key, session_data=row[0])
