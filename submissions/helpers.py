"""The seed's public entry point: `from submissions.helpers import send_message`.

The function lives in `submissions.events`, with the layer messages it
publishes; this module keeps the seed's import path (README, the seed
snippet, scripts outside the suite) working verbatim.
"""

from __future__ import annotations

from submissions.events import Progress, send_message

__all__ = ["Progress", "send_message"]
