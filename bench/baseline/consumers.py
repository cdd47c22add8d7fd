"""The classic consumer: a channel and a group membership per socket.

`receive` is the seed system's send path: a sender opens a socket of its own
and the server forwards what it sends to the submission's group.
"""

from __future__ import annotations

import json
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils import timezone


class SubmissionConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.close()
            return
        self.submission_id = int(self.scope["url_route"]["kwargs"]["pk"])
        self.group = f"submission.{self.submission_id}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        # The page needs a first state; the baseline has no database of
        # submissions, so this snapshot costs an encode but no query.
        snapshot = {
            "type": "snapshot",
            "seq": 0,
            "submission": self.submission_id,
            "timestamp": timezone.now().isoformat(),
        }
        await self.send(text_data=json.dumps(snapshot))

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await self.channel_layer.group_send(
            self.group, {"type": "submission.status", "frame": json.loads(text_data or "{}")}
        )

    async def submission_status(self, event: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(event["frame"]))
