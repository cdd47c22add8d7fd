"""Import and validate N records with live progress on, or off.

"Off" is what the services do without a reporter (`progress=None`); "on" is
what a job does (`jobs.progress.ProgressReporter`, which publishes through
`send_message`). The difference is what messaging costs a job; it is taken
on the process's CPU time (all threads, the publisher's too), because wall
time on a shared 2-core machine varies by more than the 2% being measured. Progress
times are taken where the reporter publishes (patched in, so the per-record
path carries no extra work); the gap that matters to a page is the longest
stretch without a frame from the start of the import to the end of the
validation.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import time
from pathlib import Path
from typing import Any
from unittest import mock

from bench.sending import emit


def run(pk: int, *, records: int, progress_on: bool, csv_path: Path) -> dict[str, Any]:
    from common.constants import PHASE_IMPORT, PHASE_VALIDATION
    from jobs import progress as progress_module
    from jobs.progress import ProgressReporter
    from uid.example_data import write_example_csv
    from uid.importer import import_records
    from uid.models import Submission
    from validation.services import validate_submission

    if not csv_path.exists():
        write_example_csv(csv_path, animals=-(-records // 3), samples_per_animal=2)
    submission = Submission.objects.get(pk=pk)
    sent: list[float] = []
    real_send = progress_module.send_message

    def timed_send(*args: Any, **kwargs: Any) -> Any:
        sent.append(time.time())
        return real_send(*args, **kwargs)

    from bench.sender import _flush, warm_up

    warm_up()  # in both modes, so neither pays for starting the publisher thread
    with mock.patch.object(progress_module, "send_message", timed_send):
        cpu = time.process_time()
        started = time.time()
        # As jobs.pipeline runs them: the reporter's keepalive covers steps that cannot count.
        report = ProgressReporter(submission, PHASE_IMPORT) if progress_on else None
        with report.keepalive() if report else contextlib.nullcontext():
            result = import_records(submission=submission, file=csv_path, progress=report)
        imported = time.time()
        report = ProgressReporter(submission, PHASE_VALIDATION) if progress_on else None
        with report.keepalive() if report else contextlib.nullcontext():
            validate_submission(submission=submission, progress=report)
        finished = time.time()
        cpu = time.process_time() - cpu
    total = result.animals + result.samples
    _flush()
    costs = unit_costs(submission) if progress_on else {}
    return {
        **costs,
        "records": total,
        "import_s": imported - started,
        "validate_s": finished - imported,
        "seconds": finished - started,
        "records_per_s": total / (finished - started),
        "cpu_s": cpu,
        "progress_frames": len(sent),
        "sent_times": sent,
        "started": started,
        "finished": finished,
        "max_gap_s": max_gap(sent, started, finished) if progress_on else None,
    }


def unit_costs(submission: Any) -> dict[str, float]:
    """What messaging costs per unit, measured apart from the noisy whole.

    On a shared machine two whole runs differ by more than the 2% being
    looked for, so the overhead is also accounted from its parts: one
    throttled reporter call per record per phase, and the progress frames
    sent (caller and publisher thread, CPU).
    """
    from bench.sender import _flush
    from jobs import progress as progress_module
    from jobs.progress import ProgressReporter
    from submissions.events import Progress
    from submissions.helpers import send_message

    calls = 200_000
    with mock.patch.object(progress_module, "send_message", _no_send):
        reporter = ProgressReporter(submission, "validation")
        reporter(0, calls)  # the one that sends
        started = time.process_time()
        for done in range(calls):
            reporter(done, calls * 2)
        call_us = (time.process_time() - started) / calls * 1e6
    sends = 100
    started = time.process_time()
    for done in range(sends):
        send_message(submission, progress=Progress("validation", done, sends))
    _flush()
    send_us = (time.process_time() - started) / sends * 1e6
    return {"reporter_call_us": call_us, "send_cpu_us": send_us}


def _no_send(*args: Any, **kwargs: Any) -> None:
    """Stands in for `send_message` while timing the reporter's own bookkeeping."""


def max_gap(times: list[float], started: float, finished: float) -> float:
    """Longest stretch without a frame between `started` and `finished`."""
    points = [started, *sorted(t for t in times if started <= t <= finished), finished]
    return max(b - a for a, b in itertools.pairwise(points))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pk", type=int, required=True)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--progress", choices=["on", "off"], required=True)
    parser.add_argument("--csv", required=True)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    emit(run(options.pk, records=options.records, progress_on=options.progress == "on", csv_path=Path(options.csv)))


if __name__ == "__main__":
    main()
