"""A stand-in for a socket that the hub and the routes hand messages to (shared by their tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class Socket:
    """Holds what it was handed, as a consumer's outbox would; `seq` is what a submission socket would hold."""

    seq: int | None = 0
    session_key: str | None = None
    user_id: int | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)

    def deliver(self, message: dict[str, Any]) -> None:
        self.messages.append(message)
        self.seq = max(self.seq or 0, message["seq"])

    def end_session(self) -> None:
        self.session_key = None

    @property
    def seqs(self) -> list[int]:
        return [m["seq"] for m in self.messages]
