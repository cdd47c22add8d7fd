"""`live_client`: the tables and addresses every live page's JS reads.

Rendered once per signed-in page by base.html (`json_script`, id
`live-client`), so the client has no copy of the status codes: names,
colours, allowed actions and which statuses mean a running job all come from
`common.constants`. A context processor, not a view's context, because
every page's toasts need it; it costs nothing until a template uses it.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.http import HttpRequest

from common.constants import (
    ACTIONS_BY_STATUS,
    ALERT_STATUSES,
    JOB_RUNNING_STATUSES,
    RECORDS_CHANGED_STATUSES,
    STATUS_COLOURS,
    STATUS_NAMES,
    STATUSES,
)

# The README's contract: the per-user socket and the JSON API's list.
NOTIFICATIONS_WS_PATH = "/ws/notifications/"
API_SUBMISSIONS_PATH = "/api/submissions/"


def status_tables() -> dict[str, Any]:
    """Status names, colours, actions and groups, keyed by code as JSON keys are (strings)."""
    return {
        # By constant name, for the one place the client needs one status itself (Waiting).
        "codes": {name.upper().replace(" ", "_"): code for code, name in STATUSES},
        "names": {str(code): name for code, name in STATUS_NAMES.items()},
        "colours": {str(code): colour for code, colour in STATUS_COLOURS.items()},
        "actions": {str(code): sorted(actions) for code, actions in ACTIONS_BY_STATUS.items()},
        "job_running": sorted(JOB_RUNNING_STATUSES),
        "alert": sorted(ALERT_STATUSES),
        "records_changed": sorted(RECORDS_CHANGED_STATUSES),
    }


def live_client_state(user: Any) -> dict[str, Any]:
    """What `static/submissions/socket.js` reads as `LiveSocket.config`."""
    return {
        **status_tables(),
        "notifications_ws_path": NOTIFICATIONS_WS_PATH,
        "api_submissions": API_SUBMISSIONS_PATH,
        "user": user.pk,
        "staff": bool(user.is_staff),
    }


def live_client(request: HttpRequest) -> dict[str, Any]:
    """Template context: `live_client` for a signed-in person.

    A callable, which the template language calls when a template reads it,
    so pages that do not (a JSON error page) build nothing.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"live_client": partial(live_client_state, user)}
