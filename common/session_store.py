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
from django.db import connections, router
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Any:
        key = self.session_key
        if not key:
            self._session_key = None
            return None
        model = self.model
        connection = connections[router.db_for_read(model)]
        quote = connection.ops.quote_name
        sql = (
            f"SELECT {quote(model._meta.get_field('session_data').column)} FROM {quote(model._meta.db_table)} "
            f"WHERE {quote(model._meta.pk.column)} = %s AND {quote(model._meta.get_field('expire_date').column)} > %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=key, session_data=row[0])
