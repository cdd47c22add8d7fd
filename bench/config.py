"""Benchmark sizes, each overridable from the environment (`BENCH_<NAME>`).

The defaults are scaled so the whole `make bench` stays within about fifteen
minutes on a noisy 2-core machine; RESULTS.md prints the sizes used next to
the issue's own numbers.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Sizes:
    # c2 (the stock consumer on uvicorn + RedisPubSubChannelLayer) is optional: about 2.5 more minutes.
    systems: str = "a,b,c,d"
    workers: int = 4
    # 1. latency and 3. burst share the same sockets: one per submission.
    latency_clients: int = 1000
    latency_rate: float = 500.0
    latency_seconds: float = 10.0
    # Sender processes sharing the rate (a single one waits for every PostgreSQL commit).
    latency_senders: int = 3
    burst_per_client: int = 10
    # 2. fan-out: one submission.
    fanout_clients: int = 1000
    fanout_messages: int = 30
    fanout_rate: float = 50.0
    # 4. publish cost.
    cost_calls: int = 2000
    seed_cost_calls: int = 200
    # 6. connect storms; 5. idle memory is measured on the sockets of the largest.
    storms: str = "2000,10000"
    storm_deadline: float = 80.0
    # How long the largest storm's sockets are held idle (server CPU and GC pauses meanwhile).
    idle_seconds: float = 6.0
    # The largest storm again on (a) served by `config.serve --workers storm_workers` (issue 17, goal 1; 0: skip).
    storm_workers: int = 2
    # The bare-server floor (bench.floor) held at the largest storm's size (0: skip).
    floor: int = 1
    # 7. pipeline: each mode runs `pipeline_repeats` times, alternating; the overhead is the median of the pairs.
    records: int = 100_000
    pipeline_repeats: int = 5
    # Profile the project's server with py-spy in an extra run of the scenarios that miss their goal.
    profile: int = 1

    @classmethod
    def from_env(cls) -> Sizes:
        values = {}
        for field in fields(cls):
            raw = os.environ.get(f"BENCH_{field.name.upper()}")
            if raw is not None:
                values[field.name] = type(getattr(cls, field.name))(raw)
        return cls(**values)

    @property
    def system_keys(self) -> list[str]:
        return [key.strip() for key in self.systems.split(",") if key.strip()]

    @property
    def storm_sizes(self) -> list[int]:
        return [int(n) for n in self.storms.split(",") if n.strip()]

    @property
    def users(self) -> int:
        """One submission per user; the latency test needs one socket per submission."""
        return self.latency_clients

    @property
    def sessions_per_user(self) -> int:
        """Enough sessions that every idle or storm socket has its own."""
        return max(1, math.ceil(max(self.storm_sizes) / self.users))

    @property
    def staff(self) -> int:
        """Staff users for the fan-out, 40 sockets each, under the cap of 50 per user."""
        return max(1, math.ceil(self.fanout_clients / 40))
