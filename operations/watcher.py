"""Follow one submission from a terminal, over the pages' own WebSocket protocol.

`manage.py watch_submission <pk> --url <site> --token <token>` connects to
`/ws/submissions/<pk>/` with `Authorization: Bearer <token>`, applies status
frames in seq order exactly as `live.js` does (a gap asks for `resume`), and
after a drop reconnects with `?since=<last seq>`, with the pages' backoff.
It exits as soon as no job runs on the submission, with a code a script can
branch on (EXIT_CODES); 3 means it could not follow at all.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from common.constants import COMPLETED, ERROR, LOADED, NEED_REVISION, READY, STATUS_NAMES
from operations.progress_text import RateMeter, elapsed_text, progress_text

# Statuses in which no job runs, and what the watcher exits with.
EXIT_CODES = {LOADED: 0, READY: 0, COMPLETED: 0, ERROR: 1, NEED_REVISION: 2}
CANNOT_FOLLOW = 3
# Close codes after which reconnecting cannot help (see submissions_ws.close_codes).
FINAL_CLOSE_CODES = {4401: "signed out", 4403: "access denied", 4400: "bad frame", 1003: "bad frame", 1009: "too big"}
BACKOFF_FIRST, BACKOFF_MAX = 0.5, 15.0
# Progress lines when the output is not a terminal (a file, a pipe, a CI log).
LOG_EVERY_SECONDS = 2.0
COUNT_LABELS = {
    "animals": "animals",
    "samples": "samples",
    "animal_issues": "animals with issues",
    "sample_issues": "samples with issues",
    "animal_unkn": "animals not validated",
    "sample_unkn": "samples not validated",
}


@dataclass
class Follower:
    """What the watcher knows of the submission, advanced frame by frame."""

    seq: int | None = None
    status: int | None = None
    notification: str = ""
    counts: dict[str, Any] | None = None
    progress: dict[str, Any] | None = None
    meter: RateMeter = field(default_factory=RateMeter)

    def apply(self, frame: dict[str, Any]) -> str:
        """ "show" a new state, "skip" a duplicate, "resume" on a gap, "progress" for a progress frame."""
        kind = frame.get("type")
        if kind == "snapshot" or (kind == "status" and self.seq is None):
            self._take(frame)
            return "show"
        if kind == "status":
            if frame["seq"] <= self.seq:
                return "skip"
            if frame["seq"] > self.seq + 1:
                return "resume"
            self._take(frame)
            return "show"
        if kind == "progress" and frame.get("progress"):
            self.progress = frame["progress"]
            self.meter.add(self.progress["phase"], self.progress["done"])
            return "progress"
        return "skip"

    def _take(self, frame: dict[str, Any]) -> None:
        self.seq = frame["seq"]
        self.status = frame["status"]
        self.notification = frame.get("notification_message") or ""
        if frame.get("validation_message") is not None:
            self.counts = frame["validation_message"]
        self.progress = None

    @property
    def exit_code(self) -> int | None:
        """The exit code once no job runs, else None."""
        return EXIT_CODES.get(self.status) if self.status is not None else None


def socket_url(site: str, pk: int, since: int | None) -> str:
    parts = urlsplit(site.rstrip("/"))
    scheme = "wss" if parts.scheme == "https" else "ws"
    query = f"?since={since}" if since is not None else ""
    return f"{scheme}://{parts.netloc}{parts.path}/ws/submissions/{pk}/{query}"


def counts_text(counts: dict[str, Any] | None) -> str:
    if not counts:
        return "not validated yet"
    return ", ".join(f"{counts[key]} {label}" for key, label in COUNT_LABELS.items() if counts.get(key) is not None)


class View:
    """The terminal: a line per status event, and a live progress bar while a phase runs."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[text]}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.task: TaskID | None = None
        self.logged_at: float | None = None
        self.logged_rate = False

    def status(self, follower: Follower) -> None:
        self._drop_bar()
        self.logged_at, self.logged_rate = None, False
        name = STATUS_NAMES.get(follower.status, str(follower.status))
        self.console.print(f"[bold]#{follower.seq} {name}[/bold]: {follower.notification}", highlight=False)
        self.console.print(f"  counts: {counts_text(follower.counts)}", highlight=False)

    def progress(self, follower: Follower) -> None:
        progress = follower.progress or {}
        text = progress_text(progress.get("done", 0), progress.get("total", 0), follower.meter.rate())
        if not self.console.is_terminal:
            rated = follower.meter.rate() is not None
            self._log_progress(progress.get("phase", "job"), text, follower.meter.elapsed(), rated=rated)
            return
        if self.task is None:
            self.bar.start()
            self.task = self.bar.add_task(progress.get("phase", "job"), total=progress.get("total") or None, text=text)
        self.bar.update(
            self.task,
            completed=progress.get("done", 0),
            total=progress.get("total") or None,
            text=text,
            description=progress.get("phase", "job"),
        )

    def _log_progress(self, phase: str, text: str, elapsed: float, *, rated: bool) -> None:
        """Piped to a file or a CI log, a live bar draws nothing (and a transient one leaves
        nothing behind): a plain line instead, at most every LOG_EVERY_SECONDS, and at once
        when the rate (and so the time left) is first known."""
        now = time.monotonic()
        first_rate = rated and not self.logged_rate
        if self.logged_at is not None and now - self.logged_at < LOG_EVERY_SECONDS and not first_rate:
            return
        self.logged_at, self.logged_rate = now, self.logged_rate or rated
        self.console.print(f"{phase} {text} · {elapsed_text(elapsed)}", highlight=False)

    def note(self, text: str) -> None:
        self.console.print(f"[dim]{text}[/dim]", highlight=False)

    def close(self) -> None:
        self._drop_bar()

    def _drop_bar(self) -> None:
        if self.task is not None:
            self.bar.stop()
            self.bar.remove_task(self.task)
            self.task = None


async def watch(*, site: str, pk: int, token: str, console: Console | None = None) -> int:
    """Follow submission `pk` until no job runs; returns the exit code."""
    view = View(console or Console())
    follower = Follower()
    parts = urlsplit(site)
    origin = f"{parts.scheme}://{parts.netloc}"
    failures = 0
    try:
        while True:
            url = socket_url(site, pk, follower.seq)
            try:
                async with connect(
                    url, origin=origin, additional_headers={"Authorization": f"Bearer {token}"}, compression=None
                ) as socket:
                    failures = 0
                    async for raw in socket:
                        action = follower.apply(json.loads(raw))
                        if action == "resume":
                            await socket.send(json.dumps({"type": "resume", "since": follower.seq}))
                        elif action == "show":
                            view.status(follower)
                            if follower.exit_code is not None:
                                return follower.exit_code
                        elif action == "progress":
                            view.progress(follower)
            except ConnectionClosed as closed:
                code = closed.rcvd.code if closed.rcvd is not None else None
                if code in FINAL_CLOSE_CODES:
                    view.note(f"The server closed the socket: {FINAL_CLOSE_CODES[code]} ({code}).")
                    return CANNOT_FOLLOW
                view.note(f"Connection dropped ({code or 'no close code'}); resuming after #{follower.seq}…")
            except InvalidStatus as refused:
                view.note(f"The server refused the socket: HTTP {refused.response.status_code}.")
                return CANNOT_FOLLOW
            except (OSError, InvalidHandshake, TimeoutError) as error:
                view.note(f"Cannot reach {site} ({error.__class__.__name__}); retrying…")
            failures += 1
            # Full jitter, like the pages: many watchers of a restarted server do not come back together.
            await asyncio.sleep(random.uniform(0, min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** min(failures, 5))))
    finally:
        view.close()
