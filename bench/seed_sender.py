"""The seed system's send path: a new WebSocket client connection per message.

The seed slept a fixed 3 s before each message so the page had time to
connect; that sleep is left out here and reported on its own, so what is
measured is the connection itself: handshake (with session auth on the
server), the server's snapshot, the send, the close.
"""

from __future__ import annotations

import argparse
import json

from websockets.sync.client import connect

from bench.sending import emit, frame_dict, paced

FIXED_SLEEP_S = 3.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True, help="ws://127.0.0.1:<port>")
    parser.add_argument("--origin", required=True)
    parser.add_argument("--cookie", required=True)
    parser.add_argument("--ids", required=True)
    parser.add_argument("--rate", type=float, default=0)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--count", type=int, default=1000)
    options = parser.parse_args()
    ids = [int(x) for x in options.ids.split(",") if x]
    seqs = dict.fromkeys(ids, 0)

    def send(index: int) -> str:
        pk = ids[index % len(ids)]
        seqs[pk] += 1
        frame = frame_dict(pk, seqs[pk])
        with connect(
            f"{options.base}/ws/submissions/{pk}/",
            additional_headers={"Cookie": options.cookie},
            origin=options.origin,  # type: ignore[arg-type]
            compression=None,
            open_timeout=30,
        ) as socket:
            socket.send(json.dumps(frame))
        return frame["notification_message"]

    result = paced(send, count=options.count, rate=options.rate, seconds=options.seconds)
    result["fixed_sleep_s"] = FIXED_SLEEP_S
    emit(result)


if __name__ == "__main__":
    main()
