"""ASGI entry point: HTTP, WebSockets and the lifespan of the process."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
# Set up Django (and the app registry) before anything imports models.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from config.lifespan import lifespan  # noqa: E402
from submissions_ws.entry import SocketEntry  # noqa: E402
from submissions_ws.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # The full origin (scheme, host, port) must be this site's (submissions_ws/origin.py); then
        # one scope copy with the session and a user that the consumer loads in its own single
        # database hop (submissions_ws/auth.py), so connects finish in arrival order and an outage
        # is answered by the consumer with 1013. One flat step instead of Channels' middleware
        # stack, whose scope copies every idle socket kept (submissions_ws/entry.py).
        "websocket": SocketEntry(websocket_urlpatterns),
        "lifespan": lifespan,
    }
)
