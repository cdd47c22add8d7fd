"""Settings, ASGI and Celery wiring.

The Celery app is loaded with the package (as cookiecutter-django does), so
it is the current app wherever Django runs: `jobs.tasks`' `shared_task`s
queue through it without importing `config`.
"""

from __future__ import annotations

from config.celery_app import app as celery_app

__all__ = ["celery_app"]
