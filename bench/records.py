"""The records scenarios: 7. a pipeline of N records, progress off and on; 7b. pages opening its submission.

Each pipeline run is a process of its own (`bench.pipeline`), so its CPU is
the job's alone, with one page of the submission open on the server.
"""

from __future__ import annotations

import itertools
import statistics
from typing import Any

from bench.pipeline import max_gap
from bench.procs import PYTHON, run_json
from bench.scenarios import Context, Meter, settle

# 7b's rounds of the owner's pages opening the big submission at once.
BIG_SNAPSHOT_ROUNDS = 5


def pipeline(ctx: Context) -> None:
    """7. N records imported and validated, progress off and on, alternating; one page watches."""
    pk = ctx.data["pipeline_pk"]
    ctx.pool.ramp(ctx.targets([(ctx.data["owner_sessions"][0][1], pk)]), batch=1, deadline=30)
    runs: dict[str, list[dict[str, Any]]] = {"off": [], "on": []}
    for progress in ["off", "on"] * ctx.sizes.pipeline_repeats:
        ctx.pool.reset()
        run = run_json(
            [PYTHON, "-m", "bench.pipeline", f"--pk={pk}", f"--records={ctx.sizes.records}",
             f"--progress={progress}", f"--csv={ctx.system.workdir / 'records.csv'}"],
            ctx.system.env, timeout=1200,
        )  # fmt: skip
        settle(ctx.server)
        seen = [t for t in ctx.pool.stats()["progress"] if run["started"] <= t <= run["finished"]]
        run["client_frames"] = len(seen)
        run["client_max_gap_s"] = max_gap(seen, run["started"], run["finished"]) if seen else None
        gaps = sorted(b - a for a, b in itertools.pairwise(sorted(run.pop("sent_times"))))
        run["gaps_over_1s"] = [round(g, 2) for g in gaps if g > 1]
        runs[progress].append(run)
    best = {mode: min(attempts, key=lambda r: r["cpu_s"]) for mode, attempts in runs.items()}
    off, on = best["off"], best["on"]
    # One reporter call per record in each of the two phases, and the frames sent.
    accounted_s = (2 * on["records"] * on["reporter_call_us"] + on["progress_frames"] * on["send_cpu_us"]) / 1e6
    # Issue 17, goal 5: the whole-run difference itself, over alternating pairs (off, on), median of the pairs.
    pairs = [(b["cpu_s"] - a["cpu_s"]) / a["cpu_s"] * 100 for a, b in zip(runs["off"], runs["on"], strict=True)]
    ctx.results["pipeline"] = {
        **best,
        "runs": runs,
        "overhead_pairs_pct": pairs,
        "overhead_median_pct": statistics.median(pairs),
        "overhead_cpu_pct": (on["cpu_s"] - off["cpu_s"]) / off["cpu_s"] * 100,
        "overhead_wall_pct": (on["seconds"] - off["seconds"]) / off["seconds"] * 100,
        "overhead_accounted_pct": accounted_s / off["cpu_s"] * 100,
    }
    ctx.log(f"pipeline: cpu off {off['cpu_s']:.1f}s on {on['cpu_s']:.1f}s, gap {on['max_gap_s']}")
    ctx.pool.close()
    settle(ctx.server)
    big_snapshots(ctx)


def big_snapshots(ctx: Context) -> None:
    """7b. Pages opening a submission that now has N validated records: the snapshot counts them.

    The owner's pages open at once, `BIG_SNAPSHOT_ROUNDS` times: the server's
    CPU is read in clock ticks (10 ms), which over one round of 10 connects is
    1 ms per connect, so one round alone could neither resolve the figure nor
    state its noise. The rounds are its blocks.
    """
    pk = ctx.data["pipeline_pk"]
    sessions = ctx.data["owner_sessions"][0]  # the pipeline submission's owner
    rounds: list[dict[str, Any]] = []
    for _ in range(BIG_SNAPSHOT_ROUNDS):
        with Meter(ctx.server) as meter:
            result = ctx.pool.connect(ctx.targets([(key, pk) for key in sessions]), deadline=120)
        result["cpu_ms_per_connect"] = meter.cpu / max(1, result["accepted"]) * 1000
        rounds.append(result)
        ctx.pool.close()
        settle(ctx.server)
    total = {
        "requested": sum(r["requested"] for r in rounds),
        "accepted": sum(r["accepted"] for r in rounds),
        # The slowest round's last snapshot.
        "all_snapshots_s": max(
            (r["all_snapshots_s"] for r in rounds if r["all_snapshots_s"] is not None), default=None
        ),
        "cpu_ms_per_connect": statistics.mean(r["cpu_ms_per_connect"] for r in rounds),
        "rounds": len(rounds),
        "blocks": {"cpu_ms_per_connect": [r["cpu_ms_per_connect"] for r in rounds]},
    }
    ctx.results["big_snapshots"] = total
    ctx.log(f"big snapshots: {total['accepted']} in {total['all_snapshots_s']} s, {total['cpu_ms_per_connect']} ms")
