"""The user feed's sweep: what the channel layer missed is relayed from the log, once, and only to the owner."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import pytest
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer

from common.constants import ERROR, LOADED, READY
from submissions.helpers import send_message
from submissions_ws.feeds import UserFeed
from submissions_ws.routes import GroupChannel, Routes
from uid.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)


def user_routes(*, confirm_sweeps: int) -> Routes:
    """The hub's user routes on a layer of their own, as `Hub` builds them."""
    channel = GroupChannel(InMemoryChannelLayer())
    channel.name = "hub.test"
    return Routes(channel, UserFeed(), confirm_sweeps=confirm_sweeps)


@dataclass(eq=False)
class Socket:
    session_key: str | None = "key"
    frames: list[dict[str, Any]] = field(default_factory=list)

    def deliver(self, message: dict[str, Any]) -> None:
        self.frames.append(message)

    def end_session(self) -> None:
        self.session_key = None


@database_sync_to_async
def written_elsewhere(submission: Submission, status: int) -> None:
    """An event in the log whose doorbell never rang here."""
    with mock.patch("submissions.events.publish_to_group"), mock.patch("submissions.events.publish"):
        submission.status = status
        submission.save()
        send_message(submission, None)


async def test_a_cross_process_hub_repairs_only_what_stays_behind_for_a_second_sweep(user, submission):
    routes = user_routes(confirm_sweeps=1)
    socket = Socket()
    await routes.subscribe(user.pk, socket)

    await written_elsewhere(submission, ERROR)
    await routes.sweep()
    assert socket.frames == [], "a doorbell may still be on its way"
    await routes.sweep()

    assert [(m["submission"], m["seq"]) for m in socket.frames] == [(submission.pk, 1)]
    await routes.sweep()
    assert len(socket.frames) == 1


async def test_a_doorbell_that_comes_late_is_not_delivered_twice(user, submission):
    routes = user_routes(confirm_sweeps=0)
    socket = Socket()
    await routes.subscribe(user.pk, socket)
    await written_elsewhere(submission, READY)
    await routes.sweep()
    relayed = socket.frames[0]

    routes.dispatch(dict(relayed))

    assert socket.frames == [relayed]


async def test_old_events_and_other_peoples_submissions_are_not_announced(user, other_user, submission):
    await written_elsewhere(submission, LOADED)
    theirs = await database_sync_to_async(Submission.objects.create)(title="Not yours", owner=other_user)
    routes = user_routes(confirm_sweeps=0)
    socket = Socket()
    await routes.subscribe(user.pk, socket)

    await written_elsewhere(theirs, ERROR)
    await routes.sweep()

    assert socket.frames == []


async def test_a_submission_created_after_the_page_opened_is_announced(user):
    routes = user_routes(confirm_sweeps=0)
    socket = Socket()
    await routes.subscribe(user.pk, socket)
    fresh = await database_sync_to_async(Submission.objects.create)(title="Fresh", owner=user)

    await written_elsewhere(fresh, LOADED)
    await routes.sweep()

    assert [(m["submission"], m["seq"]) for m in socket.frames] == [(fresh.pk, 1)]
