"""CryoWeb dump import on its own: records/s and the longest progress silence, for each pg_dump form.

Runnable alone, without `make bench` (it needs no server or clients):

    .venv/bin/python -m bench.cryoweb                       # embedded default: a fresh SQLite file
    DATABASE_URL=postgres://... .venv/bin/python -m bench.cryoweb   # distributed mode's PostgreSQL

It writes an example dump of `--vessels` vessels (10 per animal) in the
INSERT and the COPY form, and imports each the way the import job does
(`ProgressReporter` with its keepalive). Reading (tokenizing and joining)
is timed apart from the whole import, which includes storing.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock


def run(*, vessels: int, form: str) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from common.constants import PHASE_IMPORT
    from jobs import progress as progress_module
    from jobs.progress import ProgressReporter
    from uid.cryoweb_example import example_dump
    from uid.formats import cryoweb
    from uid.importer import import_records
    from uid.models import Submission

    animals = max(vessels // 10, 1)
    dump = example_dump(animals=animals, vessels_per_animal=10, prefix=f"{form}-{time.time_ns()}-", form=form)
    started = time.perf_counter()
    cryoweb.parse(dump)
    read_s = time.perf_counter() - started
    owner, _ = get_user_model().objects.get_or_create(username="bench-cryoweb")
    submission = Submission.objects.create(title=f"CryoWeb {form}", owner=owner)
    sent: list[float] = []
    real_send = progress_module.send_message

    def timed_send(*args: Any, **kwargs: Any) -> Any:
        sent.append(time.perf_counter())
        return real_send(*args, **kwargs)

    with mock.patch.object(progress_module, "send_message", timed_send):
        report = ProgressReporter(submission, PHASE_IMPORT)
        started = time.perf_counter()
        with report.keepalive():
            result = import_records(submission=submission, file=_BytesFile(dump), progress=report)
        finished = time.perf_counter()
    records = result.animals + result.samples
    points = [started, *sent, finished]
    return {
        "form": form,
        "megabytes": round(len(dump) / 1e6, 1),
        "records": records,
        "read_s": round(read_s, 2),
        "read_records_per_s": round(records / read_s),
        "import_s": round(finished - started, 2),
        "records_per_s": round(records / (finished - started)),
        "progress_frames": len(sent),
        "max_gap_s": round(max(b - a for a, b in itertools.pairwise(points)), 2),
    }


def _BytesFile(data: bytes) -> Any:
    import io

    return io.BytesIO(data)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vessels", type=int, default=100_000)
    parser.add_argument("--forms", default="insert,copy")
    options = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-cryoweb-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'db.sqlite3'}")
    os.environ.setdefault("MEDIA_ROOT", str(workdir / "media"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    for form in options.forms.split(","):
        print(json.dumps(run(vessels=options.vessels, form=form)), flush=True)


if __name__ == "__main__":
    main()
