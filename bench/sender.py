"""The project's sender: the real `send_message`, from a process of its own.

Modes:
- `paced`: `send_message` round-robin over `--ids` at `--rate` (latency, fan-out);
- `burst`: pre-numbered frames built with the project's own `build_frame` /
  `encode`, handed to the real `publishing.publish` as fast as it takes them.
  No DB write: it measures what one server process can fan out, which a
  sender bound by PostgreSQL commits could never reach;
- `cost`: µs per `send_message` call, split into the DB write and the publish.

Also importable inside a server process (`bench.inproc`), where Django is set up.
"""

from __future__ import annotations

import time
from typing import Any
from unittest import mock

from bench.sending import VALIDATION, emit, paced, sender_options, stamp


def run_paced(ids: list[int], *, rate: float, seconds: float, count: int) -> dict[str, Any]:
    from submissions.helpers import send_message
    from uid.models import Submission

    submissions = Submission.objects.in_bulk(ids)
    ordered = [submissions[pk] for pk in ids]
    warm_up()

    def send(index: int) -> str:
        submission = ordered[index % len(ordered)]
        submission.message = stamp()
        send_message(submission, VALIDATION)
        return submission.message

    result = paced(send, count=count, rate=rate, seconds=seconds)
    result["flush_s"] = _flush()
    return result


def run_burst(ids: list[int], *, per_id: int) -> dict[str, Any]:
    from django.utils import timezone

    from submissions.events import STATUS, build_frame, encode
    from submissions.publishing import EVENT_TYPE, publish
    from uid.models import Submission

    seqs = dict(Submission.objects.filter(pk__in=ids).values_list("pk", "last_seq"))
    warm_up()

    def send(index: int) -> None:
        pk = ids[index % len(ids)]
        seqs[pk] += 1
        frame = build_frame(
            kind=STATUS,
            submission_id=pk,
            seq=seqs[pk],
            status=0,
            notification=stamp(),
            validation_message=VALIDATION,
            timestamp=timezone.now(),
        )
        publish(pk, {"type": EVENT_TYPE, "submission": pk, "kind": STATUS, "seq": seqs[pk], "frame": encode(frame)})

    result = paced(send, count=per_id * len(ids), rate=0, seconds=600)
    result["flush_s"] = _flush()
    return result


def run_cost(pk: int, *, count: int) -> dict[str, Any]:
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from submissions import events
    from submissions.publishing import EVENT_TYPE, group_name, publish
    from uid.models import Submission

    submission = Submission.objects.get(pk=pk)
    message = {"type": EVENT_TYPE, "submission": pk, "kind": "status", "seq": 0, "frame": "{}"}

    def full(index: int) -> None:
        events.send_message(submission, VALIDATION)

    paced(full, count=50, rate=0, seconds=30)  # warm-up: connections, the publisher thread
    _flush()
    result: dict[str, Any] = {"full": paced(full, count=count, rate=0, seconds=120)}
    result["full"]["flush_s"] = _flush()
    with mock.patch.object(events, "publish", _no_publish):
        result["db_only"] = paced(full, count=count, rate=0, seconds=120)
    result["publish"] = paced(lambda i: publish(pk, message), count=count, rate=0, seconds=120)
    result["publish"]["flush_s"] = _flush()
    layer = get_channel_layer()
    group_send = async_to_sync(layer.group_send)
    result["async_to_sync"] = paced(lambda i: group_send(group_name(pk), message), count=count, rate=0, seconds=120)
    result["layer"] = type(layer).__name__
    return result


def warm_up() -> None:
    """Start the publisher thread and its Redis connection before the clock runs.

    A worker process pays this once in its life, not per message, so the
    first measured message must not carry it. The group has no members.
    """
    from submissions.publishing import EVENT_TYPE, publish

    publish(0, {"type": EVENT_TYPE, "submission": 0, "kind": "status", "seq": 0, "frame": "{}"})
    _flush()


def _no_publish(submission_id: int, message: dict[str, Any]) -> None:
    """Stands in for `publish` to time the DB write alone."""


def _flush() -> float:
    """Wait until the background publisher handed everything to the layer; return how long that took."""
    from submissions import publishing

    started = time.perf_counter()
    # Private, but the only handle on "handed over": in a sender process the
    # background thread's publisher, inside a server the server loop's.
    holder = publishing._thread_publisher
    publisher = holder[1] if holder is not None else publishing._server_publisher
    if publisher is not None:
        publisher.flush(timeout=120)
    return time.perf_counter() - started


def main() -> None:
    options = sender_options("bench.settings")
    ids = [int(x) for x in options.ids.split(",") if x]
    if options.mode == "paced":
        emit(run_paced(ids, rate=options.rate, seconds=options.seconds, count=options.count))
    elif options.mode == "burst":
        emit(run_burst(ids, per_id=options.per_id))
    else:
        emit(run_cost(ids[0], count=options.count))


if __name__ == "__main__":
    main()
