"""WebSocket close codes this server uses, and what a page should do.

Codes 4000-4999 are reserved for applications by RFC 6455.
"""

from __future__ import annotations

GOING_AWAY = 1001  # server shutting down (sent by uvicorn itself): reconnect
UNSUPPORTED_DATA = 1003  # binary frame from the client: fix the client
MESSAGE_TOO_BIG = 1009  # client frame over MAX_CLIENT_FRAME bytes: fix the client
SERVICE_RESTART = 1012  # graceful restart: reconnect with `since`
TRY_AGAIN_LATER = 1013  # database unavailable: reconnect with backoff
BAD_FRAME = 4400  # invalid JSON or unknown `type`: fix the client
SESSION_ENDED = 4401  # logged out, password changed or session expired: sign in again
FORBIDDEN = 4403  # anonymous, not yours, or no such submission: do not retry
RATE_LIMITED = 4429  # too many client frames per second: reconnect later
TOO_MANY = 4430  # too many open sockets for this user: close some pages
