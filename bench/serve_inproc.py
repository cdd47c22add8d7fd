"""Serve `bench.inproc:application` with exactly the options of `config.serve`.

Column (b) needs the in-process sender endpoints of `bench.inproc`, while
every server option stays the one place the project decides them
(`config.serve`): its call to `uvicorn.run` is kept, only the app is swapped.
"""

from __future__ import annotations

from typing import Any
from unittest import mock

import uvicorn

from config import serve

APP = "bench.inproc:application"


def main() -> None:
    real_run = uvicorn.run

    def run(app: str, **options: Any) -> None:
        real_run(APP, **options)

    with mock.patch.object(uvicorn, "run", run):
        serve.main()


if __name__ == "__main__":
    main()
