"""ASGI entry point: HTTP, WebSockets and the lifespan of the process."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
# Set up Django (and the app registry) before anything imports models.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from config.lifespan import lifespan  # noqa: E402
from submissions_ws.auth import DeferredAuthMiddlewareStack  # noqa: E402
from submissions_ws.origin import SameOriginValidator  # noqa: E402
from submissions_ws.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # The full origin (scheme, host, port) must be this site's (submissions_ws/origin.py).
        "websocket": SameOriginValidator(
            # Channels' auth stack, except that the consumer loads the user in its own single
            # database hop (submissions_ws/auth.py): connects then finish in arrival order.
            # No database hop before the consumer, which answers an outage itself with 1013.
            DeferredAuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
        "lifespan": lifespan,
    }
)
