"""The rows of the results table: a label with the sizes, the issue's goal, and a cell per system.

A cell function takes one system's raw results and returns text, or None
when the scenario does not apply to that system or did not run ("—").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.config import Sizes

Cell = Callable[[dict[str, Any]], str | None]
Row = tuple[str, str, Cell]


def get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def num(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def pair(a: float | None, b: float | None, digits: int = 1) -> str | None:
    return None if a is None and b is None else f"{num(a, digits)} / {num(b, digits)}"


def ms(us: float | None) -> float | None:
    return None if us is None else us / 1000


def latency(key: str) -> Cell:
    return lambda r: pair(get(r, key, "p50_ms"), get(r, key, "p99_ms"))


def delivered(key: str) -> Cell:
    def cell(r: dict[str, Any]) -> str | None:
        s = get(r, key)
        return s and f"{s['delivered']:,} of {s['expected']:,}; sent at {num(s['send_rate'])}/s"

    return cell


def after_return(key: str) -> Cell:
    return lambda r: pair(get(r, key, "after_return_p50_ms"), get(r, key, "after_return_p99_ms"))


def send_call(key: str) -> Cell:
    return lambda r: pair(ms(get(r, key, "sender", "call_us_p50")), ms(get(r, key, "sender", "call_us_p99")))


def cost_of(key: str) -> Cell:
    def cell(r: dict[str, Any]) -> str | None:
        s = get(r, key)
        return s and f"{num(s['wall_s'], 1)} s / {num(s['cpu_s'], 1)} s; {num(s['cpu_us_per_frame'])} µs"

    return cell


def fanout_rate(r: dict[str, Any]) -> str | None:
    s = get(r, "fanout")
    return s and f"{num(s['per_s'])}/s; {delivered('fanout')(r)}; wall {num(s['wall_s'], 1)} s"


def burst_cost(r: dict[str, Any]) -> str | None:
    s = get(r, "burst")
    return s and f"{num(s['cpu_us_per_frame'])} µs; {delivered('burst')(r)}"


def send_message_cost(r: dict[str, Any]) -> str | None:
    s = get(r, "cost", "full")
    return s and f"{num(s['call_us_p50'])} / {num(s['call_us_mean'])} ({num(s['cpu_us_per_call'])})"


def publish_cost(r: dict[str, Any]) -> str | None:
    s = get(r, "cost", "publish")
    return s and f"{pair(s['call_us_p50'], s['call_us_mean'])}; {num(s['flush_s'] / s['sent'] * 1e6)}"


def seed_cost(r: dict[str, Any]) -> str | None:
    s = get(r, "cost")
    if not s or "fixed_sleep_s" not in s:
        return None
    return f"{pair(s['call_us_p50'], s['call_us_mean'], 0)} (+{s['fixed_sleep_s'] * 1e6:,.0f} fixed sleep)"


def idle_kb(biggest: int) -> Cell:
    def cell(r: dict[str, Any]) -> str | None:
        s = get(r, "idle")
        if not s:
            return None
        if s["held"] < 0.9 * biggest:
            # The storm's failed attempts grew the heap too; divided by a few held sockets it means nothing.
            return f"n/a: only {s['held']:,} held"
        return num(s["kb_per_conn"], 1)

    return cell


def gc(key: str) -> Cell:
    def cell(r: dict[str, Any]) -> str | None:
        s = get(r, key, "gc")
        if not s:
            return None
        return f"{s['count']}; {num(s['longest_ms'])} ms" if s["count"] else "none"

    return cell


def idle_detail(r: dict[str, Any]) -> str | None:
    s = get(r, "idle")
    return s and (
        f"{s['held']:,}; {num(s['rss_before_mb'])} → {num(s['rss_after_mb'])} MB; "
        f"{num(s['idle_cpu_pct'], 1)}% of a core"
    )


def storm(count: int, key: str | None = None) -> Cell:
    def cell(r: dict[str, Any]) -> str | None:
        s = get(r, key or f"storm_{count}")
        if not s:
            return None
        share = s["accepted"] / s["requested"] * 100
        first, median, last = (num(s.get(k), 1) for k in ("first_snapshot_s", "median_snapshot_s", "all_snapshots_s"))
        times = f"{first} / {median} / {last} s"
        within = f"{s['within_10s']:,} within 10 s, {s.get('within_20s', 0):,} within 20 s"
        per = s.get("cpu_ms_per_connect")
        text = f"{share:.1f}% ({within}); {times}; CPU {num(s['cpu_s'], 1)} s ({num(per, 2)} ms per connect)"
        failed = ", ".join(f"{n:,} {why}" for why, n in s["failed"].items())
        return f"{text}; failed: {failed}" if failed else text

    return cell


def connect_cost(r: dict[str, Any]) -> str | None:
    s = get(r, "latency_connect")
    return s and f"{num(s.get('cpu_ms_per_connect'), 2)} ms; {s['accepted']:,} of {s['requested']:,}"


def server_latency(key: str) -> Cell:
    def cell(r: dict[str, Any]) -> str | None:
        s = get(r, key, "server")
        if not s:
            return None
        if not s.get("samples"):
            return "no samples"
        return (f"≤ {num(s['p50_ms_at_most'], 1)} / ≤ {num(s['p99_ms_at_most'], 1)}; "
                f"{num(s['within_5ms_pct'], 2)}% within 5 ms; {s['samples']:,} samples")  # fmt: skip

    return cell


def floor_overhead(biggest: int) -> Cell:
    def cell(r: dict[str, Any]) -> str | None:
        s, floor = get(r, "idle"), get(r, "floor", "kb_per_conn")
        if not s or s["held"] < 0.9 * biggest or s["kb_per_conn"] is None:
            return idle_kb(biggest)(r)
        if floor is None:
            return f"? + ? = {num(s['kb_per_conn'], 1)}"
        return f"{num(floor, 1)} + {num(s['kb_per_conn'] - floor, 1)} = {num(s['kb_per_conn'], 1)}"

    return cell


def floor_detail(r: dict[str, Any]) -> str | None:
    s = get(r, "floor")
    if not s or "held" not in s:
        return s and s.get("error")
    return (f"{num(s['kb_per_conn'], 1)} KB; {s['held']:,} held; {num(s['rss_before_mb'])} → "
            f"{num(s['rss_after_mb'])} MB; {num(s['cpu_ms_per_connect'], 2)} ms server CPU per connect")  # fmt: skip


def overhead(r: dict[str, Any]) -> str | None:
    s = get(r, "pipeline")
    if not s:
        return None
    each = ", ".join(f"{p:+.1f}%" for p in s.get("overhead_pairs_pct", []))
    median = s.get("overhead_median_pct")
    return f"{num(median, 1)}% (pairs: {each}); parts {s['overhead_accounted_pct']:.2f}%"


def units(r: dict[str, Any]) -> str | None:
    s = get(r, "pipeline", "on")
    return s and f"{num(s['reporter_call_us'], 2)} µs; {num(s['send_cpu_us'])} µs"


def gaps(r: dict[str, Any]) -> str | None:
    s = get(r, "pipeline", "on")
    return s and (
        f"{num(s['max_gap_s'], 2)} / {num(s['client_max_gap_s'], 2)}; {s['progress_frames']} / {s['client_frames']}"
    )


def big(r: dict[str, Any]) -> str | None:
    s = get(r, "big_snapshots")
    return s and (
        f"{s['accepted']} of {s['requested']}; last at {num(s['all_snapshots_s'], 2)} s; "
        f"{num(s['cpu_ms_per_connect'], 1)} ms"
    )


def rows(sizes: Sizes) -> list[Row]:
    n, fan = sizes.latency_clients, sizes.fanout_clients
    biggest = max(sizes.storm_sizes)
    out: list[Row] = [
        (f"0. Connect cost: server CPU per connect, {n:,} connects {250} at a time (handshake, session, "
         "permission, snapshot): ms; accepted", "≤ 1.5 ms", connect_cost),
        (f"1. Latency on the server, `send_message` commit → socket write ({n:,} sockets on {n:,} submissions, "
         f"{sizes.latency_rate:,.0f} msg/s for {sizes.latency_seconds:.0f} s; the server's histogram, first socket "
         "per event): p50 / p99 ms (bucket bounds)", "p99 ≤ 5 ms", server_latency("latency")),
        ("   client-side, send→receipt p50 / p99 (ms), sender in its own process; includes the client's "
         "scheduling on the shared cores", "", latency("latency")),
        ("   delivered; send rate achieved (senders in parallel)", "", delivered("latency")),
        ("   the send call itself (project: DB write + commit): p50 / p99 ms", "", send_call("latency")),
        ("   client-side, from the send call's return to receipt: p50 / p99 ms (includes client scheduling)", "",
         after_return("latency")),
        ("   wall / server CPU; server CPU per message", "", cost_of("latency")),
        ("   server full GC pauses meanwhile (each stops every socket): count; longest", "", gc("latency")),
        ("1b. Same, sender thread inside the server (where embedded jobs run), on the server: p50 / p99 ms", "",
         server_latency("latency_inproc")),
        ("   client-side p50 / p99 (ms; includes client scheduling)", "", latency("latency_inproc")),
        ("   delivered; send rate achieved", "", delivered("latency_inproc")),
        ("   client-side, from the send call's return to receipt: p50 / p99 ms", "", after_return("latency_inproc")),
        (f"2. Fan-out, 1 submission × {fan:,} clients × {sizes.fanout_messages} msgs at {sizes.fanout_rate:.0f} "
         "msg/s: server CPU µs per delivered frame", "≤ 15 µs", lambda r: num(get(r, "fanout", "cpu_us_per_frame"))),
        ("   deliveries/s (first→last receipt); delivered", "", fanout_rate),
        ("   latency p50 / p99 (ms)", "", latency("fanout")),
        (f"3. Burst of {sizes.burst_per_client * n:,} msgs over {n:,} submissions, 1 client each: sustained msg/s "
         "of one ASGI process (first→last receipt)", "≥ 10,000", lambda r: num(get(r, "burst", "per_s"))),
        ("   server CPU per message; delivered", "", burst_cost),
        ("   latency p50 / p99 (ms) under the burst", "", latency("burst")),
        ("4. Sync caller µs per `send_message`: p50 / mean (process CPU per call, all threads)", "",
         send_message_cost),
        ("   DB write alone (publish stubbed): p50 / mean µs", "",
         lambda r: pair(get(r, "cost", "db_only", "call_us_p50"), get(r, "cost", "db_only", "call_us_mean"), 0)),
        ("   `publishing.publish` alone: caller µs p50 / mean; µs per msg on the background loop", "≤ 200 µs",
         publish_cost),
        ("   `async_to_sync(layer.group_send)`: p50 / mean µs", "anchor ~2,000",
         lambda r: pair(get(r, "cost", "async_to_sync", "call_us_p50"),
                        get(r, "cost", "async_to_sync", "call_us_mean"), 0)),
        ("   new WebSocket connection per message: p50 / mean µs", "", seed_cost),
        (f"5. Idle: server RSS per connection, the {biggest:,} sockets of the largest storm held: server floor + "
         "project = KB", "project ≤ 4 KB", floor_overhead(biggest)),
        (f"   the floor: the same server (`bench.floor`: config.serve's options, an app that accepts, sends one "
         f"frame, waits), {biggest:,} sockets: KB per socket; held; RSS; server CPU per connect", "",
         floor_detail),
        ("   sockets held; server RSS before → after; server CPU while they idle", "", idle_detail),
        (f"   server full GC pauses while they idle {sizes.idle_seconds:.0f} s: count; longest", "", gc("idle")),
    ]  # fmt: skip
    for count in sizes.storm_sizes:
        out.append((f"6. Storm of {count:,} simultaneous connects with session auth: accepted; first / median / last "
                    "snapshot", "",
                    storm(count)))  # fmt: skip
    workers = sizes.storm_workers
    label = f"6w. Storm of {biggest:,} on `config.serve --workers {workers}` (as deployed): accepted; first/median/last"
    out.append((label, "none failed, all ≤ 20 s", storm(biggest, "workers_storm")))
    out += [
        (f"7. Pipeline, {sizes.records:,} records import + validate: records/s, progress off / on", "",
         lambda r: pair(get(r, "pipeline", "off", "records_per_s"), get(r, "pipeline", "on", "records_per_s"), 0)),
        (f"   messaging overhead: whole-run process CPU on vs off, median of {sizes.pipeline_repeats} alternating "
         "pairs (each pair); the parts accounted below", "≤ 5%", overhead),
        ("   parts, CPU: a throttled reporter call (×2 per record); a progress frame sent (caller + publisher)", "",
         units),
        ("   max gap between progress frames (s), at the sender / at a page; frames sent / seen", "", gaps),
        (f"7b. Its owner's {sizes.sessions_per_user} pages open that submission ({sizes.records:,} validated "
         "records) at once: snapshots; last at; server CPU per connect", "≤ 5 ms", big),
    ]  # fmt: skip
    return out
