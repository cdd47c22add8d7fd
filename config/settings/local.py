"""Settings for `make run` and `manage.py shell` on a developer's machine."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import env_bool

# Off unless asked for (`make dev` sets DJANGO_DEBUG=1): the embedded default is
# what a lab runs for real, and the debug page shows settings, paths and URLs.
DEBUG = env_bool("DJANGO_DEBUG", False)
