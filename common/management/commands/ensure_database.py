"""Create the PostgreSQL database named by DATABASE_URL if it does not exist.

`make run-distributed` calls this so a fresh machine needs no psql step.
"""

from __future__ import annotations

from typing import Any

import psycopg
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg import sql


class Command(BaseCommand):
    help = "Create the configured PostgreSQL database when it is missing (no-op for SQLite)."

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            return
        params = connection.get_connection_params()
        name = connection.settings_dict["NAME"]
        params.pop("context", None)
        params.pop("cursor_factory", None)
        params["dbname"] = "postgres"
        try:
            with psycopg.connect(**params, autocommit=True) as admin:
                exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
                if not exists:
                    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                    self.stdout.write(f"Created database {name}.")
        except psycopg.OperationalError as error:
            raise CommandError(f"PostgreSQL is not reachable: {error}") from error
