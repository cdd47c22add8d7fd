"""Read a site's event log and final state straight from its database."""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg

EVENTS = "SELECT seq, status, message FROM submissions_submissionevent WHERE submission_id = {p} ORDER BY seq"
FINAL = "SELECT status, message, last_seq FROM uid_submission WHERE id = {p}"


def read_history(database_url: str, submission_id: int) -> tuple[list[tuple[int, int, str]], dict[str, Any]]:
    """(status events in seq order, final status/notification/last_seq)."""
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            events = db.execute(EVENTS.format(p="?"), [submission_id]).fetchall()
            status, message, last_seq = db.execute(FINAL.format(p="?"), [submission_id]).fetchone()
    else:
        with psycopg.connect(database_url) as db:
            events = db.execute(EVENTS.format(p="%s"), [submission_id]).fetchall()
            status, message, last_seq = db.execute(FINAL.format(p="%s"), [submission_id]).fetchone()
    return [tuple(row) for row in events], {"status": status, "notification_message": message, "last_seq": last_seq}
