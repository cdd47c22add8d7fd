from __future__ import annotations

from typing import Any

from django.urls import re_path

from submissions_ws.consumers import SubmissionConsumer
from submissions_ws.user_consumer import UserNotificationConsumer


async def unknown_socket_path(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Refuse a socket at a path no consumer serves: HTTP 403 at the handshake.

    Without it Channels' router raises "No route found", which uvicorn logs
    as a traceback and answers with HTTP 500, once per attempt.
    """
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close"})


# The id is matched loosely and validated by the consumer, so malformed ids
# get the same refusal as foreign ones instead of a bare 404 handshake.
websocket_urlpatterns = [
    re_path(r"^ws/submissions/(?P<pk>[^/]*)/$", SubmissionConsumer.as_asgi()),
    # One per page anywhere in the site: the signed-in person's status notifications.
    re_path(r"^ws/notifications/$", UserNotificationConsumer.as_asgi()),
    # Last: everything else (`/ws/nothing/`, `/ws/submissions/1` without its slash).
    re_path(r"", unknown_socket_path),
]
