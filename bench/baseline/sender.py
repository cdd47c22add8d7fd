"""The baseline's sender: `async_to_sync(channel_layer.group_send)` from sync code.

`paced` is what a Celery task of the stock pattern does per message. `burst`
awaits `group_send` in a loop on one event loop instead, the fastest a stock
sender can go, so the burst measures the server and not async_to_sync.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bench.sending import emit, frame_dict, paced, sender_options


def main() -> None:
    options = sender_options("bench.baseline.settings")
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    ids = [int(x) for x in options.ids.split(",") if x]
    seqs = dict.fromkeys(ids, 0)

    def message(index: int) -> tuple[str, dict[str, Any]]:
        pk = ids[index % len(ids)]
        seqs[pk] += 1
        return f"submission.{pk}", {"type": "submission.status", "frame": frame_dict(pk, seqs[pk])}

    group_send = async_to_sync(layer.group_send)
    group_send("submission.warmup", {"type": "submission.status", "frame": {}})  # connect before the clock runs

    def send(index: int) -> str:
        group, event = message(index)
        group_send(group, event)
        return event["frame"]["notification_message"]

    if options.mode == "paced":
        emit(paced(send, count=options.count, rate=options.rate, seconds=options.seconds))
    elif options.mode == "cost":
        paced(lambda i: group_send(*message(i)), count=50, rate=0, seconds=30)
        emit({"async_to_sync": paced(lambda i: group_send(*message(i)), count=options.count, rate=0, seconds=120)})
    else:
        emit(asyncio.run(_burst(layer, message, options.per_id * len(ids))))


async def _burst(layer: Any, message: Any, count: int) -> dict[str, Any]:
    started = time.perf_counter()
    for index in range(count):
        await layer.group_send(*message(index))
    elapsed = time.perf_counter() - started
    return {"sent": count, "seconds": elapsed, "rate": count / elapsed}


if __name__ == "__main__":
    main()
