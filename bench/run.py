"""`make bench`: every system, every scenario, one table in bench/RESULTS.md.

Systems run one after another (never two servers at once on two cores), each
on a fresh database. Client workers are started once and reused. Raw numbers
go to bench/results.json next to the table.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import messaging, records, scenarios
from bench.compare import load_previous
from bench.config import Sizes
from bench.machine import describe
from bench.pool import ClientPool
from bench.procs import raise_file_limit
from bench.profile import Profiler, summarize
from bench.report import write_results
from bench.scenarios import Context
from bench.systems import System, build

HERE = Path(__file__).resolve().parent


def plan(ctx: Context) -> list[tuple[str, Callable[[], None]]]:
    """The scenarios of one system, in order: connections on a fresh server first, then messaging."""
    key = ctx.system.key
    if ctx.sender == "seed":
        # Storms, idle memory and fan-out are (c)'s: the seed's path adds a connection per message to them.
        return [
            ("latency", lambda: messaging.latency(ctx)),
            ("close", lambda: (ctx.pool.close(), scenarios.settle(ctx.server))),
            ("cost", lambda: messaging.cost(ctx)),
        ]
    biggest = max(ctx.sizes.storm_sizes)
    steps: list[tuple[str, Callable[[], None]]] = [("storm and idle", lambda: scenarios.storm_and_hold(ctx, biggest))]
    steps += [(f"storm {n}", lambda n=n: scenarios.storm(ctx, n)) for n in ctx.sizes.storm_sizes if n != biggest]
    steps.append(("latency", lambda: messaging.latency(ctx)))
    if key == "b":
        steps.append(("latency in-process", lambda: messaging.latency(ctx, inproc=True, key="latency_inproc")))
    steps.append(("burst", lambda: messaging.burst(ctx, inproc=key == "b")))
    steps.append(("close", lambda: (ctx.pool.close(), scenarios.settle(ctx.server))))
    steps.append(("fanout", lambda: messaging.fanout(ctx)))
    steps.append(("cost", lambda: messaging.cost(ctx)))
    if ctx.system.app == "project":
        steps.append(("pipeline", lambda: records.pipeline(ctx)))
    if key in {"a", "b"} and ctx.sizes.profile:
        steps += profiled(ctx)
    return steps


def profiled(ctx: Context) -> list[tuple[str, Callable[[], None]]]:
    """Extra runs under py-spy of the scenarios where the project spends its server CPU.

    (a): fan-out, burst, a storm. (b): the in-process burst and the latency of
    a sender in another process, whose events reach pages through the sweep.
    """
    out = HERE / "profiles"
    smallest = min(ctx.sizes.storm_sizes)

    def run(name: str, scenario: Callable[[], None]) -> None:
        raw = out / f"{ctx.system.key}-{name}.txt"
        with Profiler(ctx.server.pid, raw):
            scenario()
        ctx.results.setdefault("profiles", {})[name] = summarize(raw)

    def burst() -> None:
        messaging.burst(ctx, inproc=ctx.system.key == "b")
        ctx.pool.close()

    def sweep() -> None:
        messaging.latency(ctx, key="latency_profiled", connect=False)
        ctx.pool.close()

    def fanout() -> None:
        messaging.fanout(ctx, connect=False)

    keep = ("burst", "fanout", "latency", f"storm_{smallest}")
    saved: dict[str, Any] = {}
    steps: list[tuple[str, Callable[[], None]]] = [
        ("save", lambda: saved.update({k: ctx.results.get(k) for k in keep})),
        ("connect", lambda: messaging.connect_owners(ctx)),
        ("profile burst", lambda: run("burst", burst)),
    ]
    if ctx.system.key == "a":
        steps += [
            ("connect fanout", lambda: messaging.connect_staff(ctx)),
            ("profile fanout", lambda: run("fanout", fanout)),
            ("profile storm", lambda: run(f"storm of {smallest}", lambda: scenarios.storm(ctx, smallest))),
        ]
    else:
        steps += [
            ("connect sweep", lambda: messaging.connect_owners(ctx)),
            ("profile sweep", lambda: run("latency via the sweep", sweep)),
        ]
    steps.append(("restore", lambda: ctx.results.update(saved)))
    return steps


def run_system(system: System, pool: ClientPool, sizes: Sizes, results: dict[str, Any], senders: list[str]) -> None:
    """Serve one system and run the plan of each sender against it (c's server also serves d)."""
    print(f"== {system.title}", flush=True)
    system.prepare(sizes)
    server = system.server()
    server.start()
    try:
        for sender in senders:
            ctx = Context(system, server, pool, sizes, sender, {"server_log": str(server.log_path)})
            results["d" if sender == "seed" else system.key] = ctx.results
            for name, step in plan(ctx):
                began = time.monotonic()
                try:
                    step()
                except Exception as error:  # noqa: BLE001 - one failed scenario must not lose the others
                    traceback.print_exc()
                    ctx.results.setdefault("errors", {})[name] = repr(error)
                    pool.close()
                ctx.results.setdefault("step_seconds", {})[name] = round(time.monotonic() - began, 1)
        if system.key == "a" and sizes.storm_workers:
            # Issue 17, goal 1: the largest storm on the project as deployed (Procfile: WORKERS processes).
            server.stop()
            server = system.server(workers=sizes.storm_workers)
            server.start()
            ctx = Context(system, server, pool, sizes, "project", results["a"])
            step_began = time.monotonic()
            try:
                pool.connect(ctx.targets(ctx.spread(20)), deadline=30)  # warm-up: imports, pools, each worker's hub
                pool.close()
                scenarios.settle(server)
                scenarios.storm(ctx, max(sizes.storm_sizes), key="workers_storm")
            except Exception as error:  # noqa: BLE001
                traceback.print_exc()
                ctx.results.setdefault("errors", {})["workers storm"] = repr(error)
                pool.close()
            ctx.results.setdefault("step_seconds", {})["workers storm"] = round(time.monotonic() - step_began, 1)
    finally:
        server.stop()
        system.teardown()
        logs = HERE / "logs"
        logs.mkdir(exist_ok=True)
        shutil.copy(server.log_path, logs / f"{system.key}-server.log")


def run_floor(system: System, pool: ClientPool, sizes: Sizes) -> dict[str, Any]:
    """The bare server's floor (bench.floor), before any project server, with the largest storm's sockets."""
    print("== floor: the project's server options around a trivial ASGI app", flush=True)
    system.workdir.mkdir(parents=True, exist_ok=True)
    server = system.server(floor=True)
    server.start()
    try:
        result = scenarios.floor(server, pool, max(sizes.storm_sizes))
    except Exception as error:  # noqa: BLE001 - the systems still run
        traceback.print_exc()
        pool.close()
        return {"error": repr(error)}
    finally:
        server.stop()
    print(f"  [floor] {result['held']} held, {result['kb_per_conn']} KB/conn", flush=True)
    return result


def _slim(data: Any) -> Any:
    """Results without the per-call lists senders return (they are summarised already)."""
    if isinstance(data, dict):
        return {k: _slim(v) for k, v in data.items() if k not in {"durations_us", "returned", "snapshot_times"}}
    return data


def main() -> None:
    sizes = Sizes.from_env()
    previous = load_previous(HERE / "results.json")  # before anything is measured (bench.compare)
    limit = raise_file_limit()
    keys = sizes.system_keys
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    shutil.rmtree(HERE / "profiles", ignore_errors=True)
    started = time.time()
    machine = describe(start=True)
    results: dict[str, Any] = {}
    pool = ClientPool(sizes.workers)
    try:
        runs = [(key, ["project" if key in {"a", "b"} else "baseline"]) for key in keys if key != "d"]
        if "d" in keys:
            # The seed path is measured against c's server: after c's own plan, or on its own.
            if "c" in keys:
                runs = [(key, [*senders, "seed"] if key == "c" else senders) for key, senders in runs]
            else:
                runs.append(("c", ["seed"]))
        if sizes.floor and {"a", "b"} & set(keys):
            results["floor"] = run_floor(build("a", workdir), pool, sizes)
        for key, senders in runs:
            run_system(build(key, workdir), pool, sizes, results, senders)
            if key in {"a", "b"} and "floor" in results:
                results[key]["floor"] = results["floor"]
    finally:
        pool.shutdown()
    machine.update(describe(start=False))
    machine["limit_nofile"] = limit
    machine["duration_s"] = time.time() - started
    raw = {"machine": machine, "sizes": vars(sizes), "results": _slim(results), "previous": previous}
    (HERE / "results.json").write_text(json.dumps(raw, indent=1))
    table = write_results(HERE / "RESULTS.md", results, sizes, machine, previous)
    print(table)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
