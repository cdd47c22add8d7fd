"""Scenario 7's validation step run alone: N example records imported once, then validated, timed.

`make bench` runs the whole pipeline against every system (18 minutes); a
change to the rules needs only this figure. It uses a throw-away SQLite
database (`--db`), imports the example file of `--records` records, and
validates it `--repeats` times with progress off, as `bench.pipeline` does,
printing the best validation time and records per second (best of several,
because this 2-core machine is shared and noisy).

    DATABASE_URL=sqlite:////tmp/bench-validation.sqlite3 \
        .venv/bin/python -m bench.validation_alone --records 100000
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--csv", default="/tmp/bench-validation.csv")
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from uid import example_data
    from uid.example_data import write_example_csv
    from uid.importer import import_records
    from uid.models import Submission
    from validation.services import validate_submission

    call_command("migrate", verbosity=0)
    csv_path = Path(options.csv)
    write_example_csv(csv_path, animals=-(-options.records // 3), samples_per_animal=2)
    owner, _ = get_user_model().objects.get_or_create(username="bench-validation")
    Submission.objects.filter(owner=owner).delete()
    submission = Submission.objects.create(title="Validation bench", owner=owner, **_metadata(example_data))
    result = import_records(submission=submission, file=csv_path)
    records = result.animals + result.samples
    times = []
    for _ in range(options.repeats):
        started = time.perf_counter()
        message = validate_submission(submission=submission)
        times.append(time.perf_counter() - started)
    best = min(times)
    print(
        json.dumps(
            {
                "records": records,
                "validate_s": [round(t, 2) for t in times],
                "best_s": round(best, 2),
                "records_per_s": round(records / best),
                "message": message,
            }
        )
    )


def _metadata(example_data: object) -> dict[str, object]:
    """The example submission's gene bank and contacts (absent before the ruleset branch, measured too)."""
    metadata = getattr(example_data, "example_submission_metadata", None)
    return metadata() if metadata else {}


if __name__ == "__main__":
    main()
