"""Records per second of the IMAGE Excel template and CRB-Anim imports, and their longest silence.

Runnable alone, on the embedded default's database (SQLite, a fresh file):

    .venv/bin/python -m bench.formats --xlsx-animals 10000 --crb-samples 100000

Each file is generated first (not timed), then imported through
`uid.importer.import_records` as the import job calls it: with the job's
`ProgressReporter` and its keepalive, whose frames are timed where they are
published (the publishing itself is left out). "max gap" is the longest
stretch without a progress frame from the start of the import to its end,
what a page watching the import sees; "calls" counts the importer's own
progress calls, "max call gap" the longest stretch between them (the steps
that cannot count, such as the id check, are bridged by the keepalive).
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock


def measure(name: str, data: bytes) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from common.constants import PHASE_IMPORT
    from jobs import progress as progress_module
    from jobs.progress import ProgressReporter
    from uid.importer import import_records
    from uid.models import Submission

    owner, _ = get_user_model().objects.get_or_create(username=f"bench-{name}")
    submission = Submission.objects.create(title=name, owner=owner)
    calls: list[float] = []
    frames: list[float] = []
    reporter = ProgressReporter(submission, PHASE_IMPORT)

    def progress(done: int, total: int) -> None:
        calls.append(time.time())
        reporter(done, total)

    def sent(*args: Any, **kwargs: Any) -> None:
        frames.append(time.time())

    with mock.patch.object(progress_module, "send_message", sent):
        started = time.time()
        with reporter.keepalive():
            result = import_records(submission=submission, file=io.BytesIO(data), progress=progress)
        finished = time.time()
    records = result.animals + result.samples
    return {
        "format": name,
        "file_mb": len(data) / 1e6,
        "records": records,
        "seconds": finished - started,
        "records_per_s": records / (finished - started),
        "progress_calls": len(calls),
        "max_call_gap_s": _gap(calls, started, finished),
        "frames": len(frames),
        "max_gap_s": _gap(frames, started, finished),
    }


def _gap(times: list[float], started: float, finished: float) -> float:
    points = [started, *sorted(t for t in times if started <= t <= finished), finished]
    return max(b - a for a, b in itertools.pairwise(points))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--xlsx-animals", type=int, default=10_000, help="animals, with 2 samples each")
    parser.add_argument("--crb-samples", type=int, default=100_000, help="sample rows, 2 per animal")
    arguments = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="bench-formats-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'db.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.core.management import call_command

    from uid.example_files import crb_anim_example_file, xlsx_example_file

    call_command("migrate", verbosity=0)
    files = {
        "IMAGE Excel template": xlsx_example_file(animals=arguments.xlsx_animals, samples_per_animal=2, prefix="X"),
        "CRB-Anim CSV": crb_anim_example_file(animals=arguments.crb_samples // 2, samples_per_animal=2, prefix="C"),
    }
    print("| format | file | records | seconds | records/s | progress calls; max gap | frames; max gap |")
    print("|---|---|---|---|---|---|---|")
    for name, data in files.items():
        row = measure(name, data)
        print(
            f"| {row['format']} | {row['file_mb']:.1f} MB | {row['records']:,} | {row['seconds']:.1f} | "
            f"{row['records_per_s']:,.0f} | {row['progress_calls']:,}; {row['max_call_gap_s']:.2f} s | "
            f"{row['frames']:,}; {row['max_gap_s']:.2f} s |"
        )


if __name__ == "__main__":
    main()
