from __future__ import annotations

import pytest
from channels.layers import get_channel_layer

from submissions_ws.hub import stop_hub


@pytest.fixture(autouse=True)
async def fresh_hub():
    """Each test's event loop gets its own hub, stopped afterwards."""
    yield
    await stop_hub()
    await get_channel_layer().flush()
