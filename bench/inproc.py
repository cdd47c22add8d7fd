"""The project's ASGI app plus a sender thread inside the server process.

In the embedded default, jobs run on threads of the server process, and a
`send_message` there reaches the in-memory layer at once; from any other
process it waits for the hub's sweep. Column (b) is served through this
wrapper so the benchmark can measure both: `/__bench__/paced` and
`/__bench__/burst` start `bench.sender` in a thread here, like a job, and
`/__bench__/result` hands back its numbers. Every other request goes to
`config.asgi.application` untouched.

`/__bench__/memory?mark=1` then `/__bench__/memory` lists what was allocated
in between, by line, when the server runs with PYTHONTRACEMALLOC set (a
diagnostic run by hand, not part of `make bench`: tracing slows everything).
"""

from __future__ import annotations

import itertools
import json
import threading
from typing import Any
from urllib.parse import parse_qs

from config.asgi import application as project_application

_results: dict[str, dict[str, Any]] = {}
_jobs = itertools.count(1)


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http" and scope["path"].startswith("/__bench__/"):
        await _control(scope, send)
        return
    await project_application(scope, receive, send)


async def _control(scope: dict[str, Any], send: Any) -> None:
    query = {key: values[-1] for key, values in parse_qs(scope["query_string"].decode()).items()}
    action = scope["path"].removeprefix("/__bench__/")
    if action == "result":
        body: dict[str, Any] = {"result": _results.pop(query.get("job", ""), None)}
    elif action == "memory":
        body = {"top": _memory(mark="mark" in query)}
    elif action in {"paced", "burst"}:
        job = str(next(_jobs))
        threading.Thread(target=_run, args=(job, action, query), daemon=True).start()
        body = {"job": job}
    else:
        body = {"error": f"unknown action {action}"}
    payload = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": payload})


_marks: list[Any] = []


def _memory(*, mark: bool) -> list[str]:
    import tracemalloc

    if not tracemalloc.is_tracing():
        return ["tracemalloc is off: start the server with PYTHONTRACEMALLOC=1"]
    snapshot = tracemalloc.take_snapshot()
    if mark or not _marks:
        _marks[:] = [snapshot]
        return []
    return [str(stat) for stat in snapshot.compare_to(_marks[0], "lineno")[:40]]


def _run(job: str, action: str, query: dict[str, str]) -> None:
    from django.db import connection

    from bench import sender

    ids = [int(x) for x in query["ids"].split(",") if x]
    try:
        if action == "paced":
            result = sender.run_paced(
                ids, rate=float(query["rate"]), seconds=float(query["seconds"]), count=int(query["count"])
            )
        else:
            result = sender.run_burst(ids, per_id=int(query["per_id"]))
    except Exception as error:  # noqa: BLE001 - reported to the orchestrator, which fails the scenario
        result = {"error": repr(error)}
    finally:
        connection.close()
    _results[job] = result
