"""The messaging scenarios: 1. latency, 2. fan-out, 3. burst, 4. publish cost (7. is bench.records).

Senders are processes of their own (the server's CPU stays the server's),
except the in-process sender of the embedded default, which runs where the
embedded default's jobs run: on a thread of the server (`bench.inproc`).
"""

from __future__ import annotations

import collections
import json
import statistics
import subprocess
import time
import urllib.request
from typing import Any

from bench import noise
from bench.procs import PYTHON, ROOT, run_json
from bench.sampling import Sampler
from bench.scenarios import Context, Meter, settle
from bench.sending import quantile


def send(ctx: Context, mode: str, ids: list[int], *, inproc: bool = False, **options: Any) -> dict[str, Any]:
    """Run one sender (project, baseline or seed) to completion; return its numbers."""
    joined = ",".join(map(str, ids))
    if inproc:
        query = "&".join(f"{k}={v}" for k, v in {"ids": joined, **options}.items())
        job = _get(f"{ctx.server.origin}/__bench__/{mode}?{query}")["job"]
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            time.sleep(0.2)
            result = _get(f"{ctx.server.origin}/__bench__/result?job={job}")["result"]
            if result is not None:
                return result
        raise TimeoutError("in-process sender did not finish")
    return run_json(_command(ctx, mode, joined, options), ctx.system.env, timeout=900)


def send_parallel(ctx: Context, ids: list[int], *, processes: int, rate: float, count: int) -> dict[str, Any]:
    """`processes` paced senders at once, each on its own share of `ids`, together at `rate`.

    One process calling `send_message` waits for each PostgreSQL commit (and
    `async_to_sync` for each hop), so it tops out below 500 msg/s on this
    machine; several, as several Celery workers would, reach the rate.
    """
    shares = [ids[index::processes] for index in range(processes)]
    # A sender that cannot keep the rate stops at 3× the planned time (the seed's: at the planned time).
    seconds = ctx.sizes.latency_seconds * (1 if ctx.sender == "seed" else 3)
    options = {"rate": rate / processes, "seconds": seconds, "count": count // processes}
    children = [
        subprocess.Popen(_command(ctx, "paced", ",".join(map(str, share)), options), cwd=ROOT, env=ctx.system.env,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        for share in shares
    ]  # fmt: skip
    results = [_result(child) for child in children]
    durations = [d for r in results for d in r["durations_us"]]
    sent = sum(r["sent"] for r in results)
    return {
        "sent": sent,
        "processes": processes,
        "rate": sum(r["rate"] for r in results),
        "call_us_p50": statistics.median(durations) if durations else None,
        "call_us_p99": quantile(durations, 0.99) if durations else None,
        "returned": [pair for r in results for pair in r["returned"]],
    }


def _command(ctx: Context, mode: str, joined: str, options: dict[str, Any]) -> list[str]:
    flags = [f"--{k.replace('_', '-')}={v}" for k, v in options.items()]
    if ctx.sender == "seed":
        cookie = f"sessionid={ctx.data['staff_sessions'][-1]}"
        return [PYTHON, "-m", "bench.seed_sender", f"--base={ctx.server.ws_base}", f"--origin={ctx.server.origin}",
                f"--cookie={cookie}", f"--ids={joined}", *flags]  # fmt: skip
    module = "bench.sender" if ctx.sender == "project" else "bench.baseline.sender"
    return [PYTHON, "-m", module, mode, f"--ids={joined}", *flags]


def _result(child: subprocess.Popen[bytes]) -> dict[str, Any]:
    out, _ = child.communicate(timeout=900)
    for line in reversed(out.decode(errors="replace").splitlines()):
        if line.startswith("RESULT="):
            return json.loads(line.removeprefix("RESULT="))
    raise RuntimeError(f"sender failed ({child.returncode})")


def _get(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def summary(stats: dict[str, Any], sent: dict[str, Any], expected: int, meter: Meter) -> dict[str, Any]:
    """Latency from the stamp, and from when the send call returned (the delivery alone)."""
    receipts = stats["receipts"]
    latencies = [(got - at) * 1000 for at, got in receipts]
    returned = dict(map(tuple, sent.get("returned") or []))
    after = [(got - returned[at]) * 1000 for at, got in receipts if at in returned]
    frames = stats["frames"]
    span = stats["last"] - stats["first"]
    return {
        "sent": sent["sent"],
        "send_rate": sent["rate"],
        "expected": expected,
        "delivered": frames,
        "p50_ms": statistics.median(latencies) if latencies else None,
        "p99_ms": quantile(latencies, 0.99) if latencies else None,
        "max_ms": max(latencies) if latencies else None,
        "after_return_p50_ms": statistics.median(after) if after else None,
        "after_return_p99_ms": quantile(after, 0.99) if after else None,
        "per_s": frames / span if span > 0 else None,
        "cpu_us_per_frame": meter.cpu / frames * 1e6 if frames else None,
        "wall_s": meter.wall,
        "cpu_s": meter.cpu,
        "closed": stats["closed"],
        "gc": meter.gc(),
        "sender": {k: v for k, v in sent.items() if k not in {"durations_us", "returned"}},
        "blocks": noise.delivery_blocks(receipts, meter.series),
    }


DELIVERY_BUCKETS = "submission_live_delivery_seconds_bucket"


def delivery_buckets(ctx: Context) -> dict[float, float] | None:
    """The server's own histogram "send_message commit → socket write" (common.metrics), from its /metrics."""
    if ctx.system.app != "project":
        return None
    with urllib.request.urlopen(f"{ctx.server.origin}/metrics", timeout=30) as response:
        text = response.read().decode()
    buckets: dict[float, float] = {}
    for line in text.splitlines():
        if line.startswith(DELIVERY_BUCKETS + "{"):
            labels, value = line.rsplit(" ", 1)
            bound = labels.split('le="', 1)[1].split('"', 1)[0]
            buckets[float(bound)] = buckets.get(float(bound), 0.0) + float(value)
    return buckets


def server_latency(before: dict[float, float] | None, after: dict[float, float] | None) -> dict[str, Any] | None:
    """The histogram's growth over a scenario: samples, share within 5 ms, and p50/p99 as bucket upper bounds.

    One sample per event and server process (the first socket written), so
    the client's scheduling on shared cores is not in it.
    """
    if before is None or after is None:
        return None
    grown = sorted((bound, after[bound] - before.get(bound, 0.0)) for bound in after)
    total = grown[-1][1] if grown else 0
    if not total:
        return {"samples": 0}

    def bound_of(share: float) -> float:
        return next(bound for bound, count in grown if count >= share * total) * 1000

    within = max((count for bound, count in grown if bound <= 0.005), default=0)
    return {"samples": int(total), "p50_ms_at_most": bound_of(0.5), "p99_ms_at_most": bound_of(0.99),
            "within_5ms_pct": within / total * 100}  # fmt: skip


def latency(ctx: Context, *, inproc: bool = False, key: str = "latency", connect: bool = True) -> None:
    """1. Paced sends to N submissions with one socket each; receipt minus send time."""
    sizes = ctx.sizes
    pairs = ctx.owners(sizes.latency_clients)
    if connect and not inproc:
        connect_owners(ctx)
    ctx.pool.reset()
    count = int(sizes.latency_rate * sizes.latency_seconds)
    ids = [pk for _, pk in pairs]
    histogram = delivery_buckets(ctx)
    # The server's histogram again every 1/BLOCKS of the run, for the noise of its quantiles (one scrape each).
    scrapes = Sampler(lambda: (delivery_buckets(ctx),), sizes.latency_seconds / noise.BLOCKS)
    with Meter(ctx.server) as meter, scrapes:
        if inproc:
            sent = send(ctx, "paced", ids, inproc=True, rate=sizes.latency_rate, seconds=sizes.latency_seconds * 3,
                        count=count)  # fmt: skip
        else:
            sent = send_parallel(ctx, ids, processes=sizes.latency_senders, rate=sizes.latency_rate, count=count)
        expected = sent["sent"] * ctx.pool.open_count() // len(pairs)
        ctx.pool.wait_frames(expected, timeout=30, idle=5)
    ctx.results[key] = result = summary(ctx.pool.stats(), sent, expected, meter)
    result["server"] = server_latency(histogram, delivery_buckets(ctx))
    if result["server"] and result["server"].get("samples"):
        result["server"]["blocks"] = noise.histogram_blocks(scrapes.samples, server_latency)
    ctx.log(f"{key}: p50 {result['p50_ms']} p99 {result['p99_ms']} ms, {result['delivered']}/{expected}; "
            f"server {result['server']}")  # fmt: skip


def connect_owners(ctx: Context) -> None:
    """The sockets of 1. and 3.: one per submission, by its owner, 250 at a time.

    Each batch of 250 is metered on its own too: their CPU per connect are
    the blocks of this figure's noise.
    """
    targets = ctx.targets(ctx.owners(ctx.sizes.latency_clients))
    settle(ctx.server)
    parts, batches = [], []
    with Meter(ctx.server) as meter:
        for offset in range(0, len(targets), 250):
            before = ctx.server.cpu()
            part = ctx.pool.ramp(targets[offset : offset + 250], batch=250, deadline=60)
            if part["accepted"]:
                batches.append((ctx.server.cpu() - before) / part["accepted"] * 1000)
            parts.append(part)
    result = {
        "requested": sum(p["requested"] for p in parts),
        "accepted": sum(p["accepted"] for p in parts),
        "failed": dict(sum((collections.Counter(p["failed"]) for p in parts), collections.Counter())),
        "retried": sum(p["retried"] for p in parts),
        "seconds": meter.wall,
        "blocks": {"cpu_ms_per_connect": batches},
    }
    # Server CPU per connect, not in a storm: handshake, session, permission, snapshot (issue 17, goal 1).
    result["cpu_ms_per_connect"] = meter.cpu / max(1, result["accepted"]) * 1000
    ctx.results.setdefault("latency_connect", result)
    ctx.log(f"connect: {result['accepted']} accepted, {result['cpu_ms_per_connect']:.2f} ms server CPU each")


def burst(ctx: Context, *, inproc: bool = False) -> None:
    """3. As many messages as the sender can push, spread over the same N sockets."""
    pairs = ctx.owners(ctx.sizes.latency_clients)
    ctx.pool.reset()
    with Meter(ctx.server) as meter:
        sent = send(ctx, "burst", [pk for _, pk in pairs], inproc=inproc, per_id=ctx.sizes.burst_per_client)
        expected = sent["sent"] * ctx.pool.open_count() // len(pairs)
        ctx.pool.wait_frames(expected, timeout=180, idle=10)
    ctx.results["burst"] = result = summary(ctx.pool.stats(), sent, expected, meter)
    ctx.log(f"burst: {result['delivered']}/{sent['sent']} at {result['per_s']}/s, {result['cpu_us_per_frame']} us")


def connect_staff(ctx: Context) -> None:
    """The sockets of 2.: staff pages on the fan-out submission."""
    pairs = ctx.staff(ctx.sizes.fanout_clients, ctx.data["fanout_pk"])
    ctx.pool.ramp(ctx.targets(pairs), batch=250, deadline=60)


def fanout(ctx: Context, *, key: str = "fanout", connect: bool = True) -> None:
    """2. One submission, many sockets: server CPU per delivered frame."""
    sizes = ctx.sizes
    pk = ctx.data["fanout_pk"]
    if connect:
        connect_staff(ctx)
    clients = ctx.pool.open_count()
    ctx.pool.reset()
    with Meter(ctx.server) as meter:
        sent = send(ctx, "paced", [pk], rate=sizes.fanout_rate, seconds=600, count=sizes.fanout_messages)
        expected = sent["sent"] * clients
        ctx.pool.wait_frames(expected, timeout=180, idle=10)
    ctx.results[key] = result = summary(ctx.pool.stats(), sent, expected, meter)
    result["clients"] = clients
    ctx.log(f"{key}: {result['delivered']}/{expected}, {result['cpu_us_per_frame']} us/frame, {result['per_s']}/s")
    ctx.pool.close()
    settle(ctx.server)


def cost(ctx: Context) -> None:
    """4. What a send costs the caller, from sync code."""
    if ctx.sender == "seed":
        result = send(ctx, "paced", [ctx.data["cost_pk"]], rate=0, seconds=120, count=ctx.sizes.seed_cost_calls)
    else:
        result = send(ctx, "cost", [ctx.data["cost_pk"]], count=ctx.sizes.cost_calls)
    # Noise: the mean call again over BLOCKS contiguous runs of the calls (bench.noise).
    for part in [result, *(v for v in result.values() if isinstance(v, dict))]:
        if part.get("durations_us"):
            part["blocks"] = {"call_us_mean": noise.chunk_means(part["durations_us"])}
    ctx.results["cost"] = result
    ctx.log(f"cost: {json.dumps(result)[:300]}")
