"""`manage.py watch_submission <pk> --url <site> --token <token>`: follow a submission until its job ends.

Exit codes: 0 Loaded, Ready or Completed; 1 Error; 2 Need Revision; 3 the
submission cannot be followed (wrong token, not yours, unknown).
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console

from operations.watcher import watch


class Command(BaseCommand):
    help = "Follow a submission live over its WebSocket; exit 0/1/2 when its job ends (see the module docstring)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("pk", type=int)
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="The site, e.g. https://live.example.org")
        parser.add_argument("--token", default=os.environ.get("SUBMISSION_LIVE_TOKEN", ""), help="A personal API token")

    def handle(self, *args: Any, **options: Any) -> None:
        # soft_wrap: a line piped to a log stays one line instead of breaking at 80 columns.
        console = Console(file=self.stdout._out, highlight=False, soft_wrap=True)
        code = asyncio.run(watch(site=options["url"], pk=options["pk"], token=options["token"], console=console))
        sys.exit(code)
