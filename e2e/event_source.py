"""Make status events flow, as jobs do, from a process of its own.

`python -m e2e.event_source --submissions 1,2 --count 50 --interval 0.05`
Each event is a status change published with `send_message`. When the
database is unavailable the call fails loudly (stderr) and is retried, as a
job's retry would, so no event is silently skipped.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", required=True)
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--interval", type=float, default=0.05)
    parser.add_argument("--padding", type=int, default=0, help="characters added to each notification")
    parser.add_argument("--batch", type=int, default=1, help="events per transaction (a fast burst)")
    parser.add_argument(
        "--no-lock", action="store_true", help="no row lock of our own: only send_message's locking orders writers"
    )
    parser.add_argument("--tag", default="", help="names this writer in each notification")
    parser.add_argument("--start-at", type=float, default=0.0, help="wall-clock time to begin, so writers collide")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    django.setup()

    from django.db import DatabaseError, close_old_connections, transaction

    from common.constants import LOADED, WAITING
    from submissions.helpers import send_message
    from uid.models import Submission

    pks = [int(pk) for pk in args.submissions.split(",")]
    if args.no_lock:
        unlocked_writer(pks, args)
        return
    for first in range(0, args.count, args.batch):
        indexes = range(first, min(first + args.batch, args.count))
        for pk in pks:
            while True:
                try:
                    with transaction.atomic():
                        submission = Submission.objects.select_for_update().get(pk=pk)
                        for index in indexes:
                            submission.status = WAITING if index % 2 == 0 else LOADED
                            submission.message = f"event {index} for {pk}" + "." * args.padding
                            submission.save(update_fields=["status", "message"])
                            send_message(submission, None)
                    break
                except DatabaseError as error:
                    print(f"send_message failed, retrying: {error.__class__.__name__}", file=sys.stderr, flush=True)
                    close_old_connections()
                    time.sleep(0.5)
        time.sleep(args.interval)
    print("done", flush=True)


def unlocked_writer(pks: list[int], args: argparse.Namespace) -> None:
    """Write events as concurrent jobs do: no transaction or lock around `send_message`."""
    from common.constants import LOADED, WAITING
    from submissions.helpers import send_message
    from uid.models import Submission

    submissions = [Submission.objects.get(pk=pk) for pk in pks]
    time.sleep(max(0.0, args.start_at - time.time()))  # start together with the other writers
    for index in range(args.count):
        for submission in submissions:
            submission.status = WAITING if index % 2 == 0 else LOADED
            submission.message = f"{args.tag} {index}"
            send_message(submission, None)
        time.sleep(args.interval)
    print("done", flush=True)


if __name__ == "__main__":
    main()
