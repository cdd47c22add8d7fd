"""Server CPU of one connect, in-process: `python -m bench.connect_cost --connects 200 [--records N] [--profile]`.

Opens sockets one after another through `config.asgi.application` with
Channels' `WebsocketCommunicator` (the middleware stack, the session, the
permission check and the snapshot, without uvicorn's handshake), and reports
the process CPU (all threads, `time.process_time`) per connect. `--records`
gives the submission that many animals with validation results, for the
"a connect must not cost more as the submission grows" check (7b).
`--profile` prints cProfile's top functions of the event loop's thread (the
database hop runs on another thread: run this under `py-spy record` to see
it, as bench/analysis.md did). Uses the database
of DATABASE_URL (SQLite unless set), migrated on first use.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import time


def setup(records: int) -> tuple[int, str]:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from submissions.actions import change_status
    from uid.models import Animal, Submission
    from validation.models import ValidationResult, ValidationSummary

    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="connect-cost")
    title = f"connect-cost-{records}"
    submission = Submission.objects.filter(title=title, owner=user).first()
    if submission is None:
        submission = Submission.objects.create(title=title, owner=user)
        animals = Animal.objects.bulk_create(
            Animal(submission=submission, name=f"cc-{records}-{i}", row=i) for i in range(records)
        )
        if records:
            ValidationSummary.objects.create(submission=submission)
            ValidationResult.objects.bulk_create(
                ValidationResult(submission=submission, record_type="animal", record_id=a.pk, status="Pass")
                for a in animals
            )
        change_status(submission=submission, status=submission.status, message="ready")
    client = Client()
    client.force_login(user)
    return submission.pk, client.cookies["sessionid"].value


async def connects(pk: int, cookie: str, count: int, profile: cProfile.Profile | None) -> list[float]:
    from channels.testing import WebsocketCommunicator

    from config.asgi import application

    site = b"127.0.0.1:8000"
    headers = [(b"origin", b"http://" + site), (b"host", site), (b"cookie", f"sessionid={cookie}".encode())]
    costs = []
    for index in range(count + 5):  # the first five warm up (imports, the hub, connections)
        socket = WebsocketCommunicator(application, f"/ws/submissions/{pk}/", headers=headers)
        if profile and index >= 5:
            profile.enable()
        began = time.process_time()
        connected, _ = await socket.connect(timeout=30)
        frame = await socket.receive_from(timeout=30)
        spent = time.process_time() - began
        if profile:
            profile.disable()
        if not connected or '"snapshot"' not in frame[:40]:
            raise RuntimeError(f"connect refused or no snapshot: {frame[:200]}")
        await socket.disconnect()
        if index >= 5:
            costs.append(spent * 1000)
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connects", type=int, default=200)
    parser.add_argument("--records", type=int, default=0)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/bench-connect-cost.sqlite3")
    import django

    django.setup()
    pk, cookie = setup(args.records)
    profile = cProfile.Profile() if args.profile else None
    costs = asyncio.run(connects(pk, cookie, args.connects, profile))
    costs.sort()
    mean, p50 = sum(costs) / len(costs), costs[len(costs) // 2]
    result = {"connects": len(costs), "records": args.records, "cpu_ms_mean": mean, "cpu_ms_p50": p50}
    print("RESULT=" + json.dumps(result))
    if profile:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(30)
        print(out.getvalue())
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(45)
        print(out.getvalue())


if __name__ == "__main__":
    main()
