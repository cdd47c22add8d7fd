"""Settings for `make run` and `manage.py shell` on a developer's machine.

They are the base settings: `DJANGO_DEBUG` is off unless asked for there
(`make dev` sets it), because the embedded default is what a lab runs for real.
"""

from __future__ import annotations

from .base import *  # noqa: F403
