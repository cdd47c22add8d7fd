"""The hub: dispatch by type, log sweeps, their confirmation round, a failing layer, rejoin, wake and ended sign-ins."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any
from unittest import mock

import pytest
from channels.db import database_sync_to_async
from channels.layers import BaseChannelLayer, InMemoryChannelLayer

from common.constants import ERROR, LOADED, READY
from submissions.events import USER_EVENT_TYPE
from submissions.helpers import send_message
from submissions.publishing import EVENT_TYPE, group_name
from submissions_ws import selectors, user_selectors
from submissions_ws.hub import Hub, get_hub
from submissions_ws.tests.subscribers import Socket
from uid.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)

# Long enough that only a wake (never the timer) can start a sweep while a test runs.
NEVER = 1000.0


class FlakyLayer(InMemoryChannelLayer):
    """An in-process layer that can go down the way Redis does: calls fail and memberships are lost."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.down = False
        self.joins: list[tuple[str, str]] = []

    def go_down(self) -> None:
        self.down = True
        self.groups.clear()  # a restarted Redis remembers no subscription

    async def receive(self, channel: str) -> dict[str, Any]:
        while True:
            if self.down:
                raise ConnectionError("layer down")
            with contextlib.suppress(TimeoutError):
                return await asyncio.wait_for(super().receive(channel), 0.05)

    async def group_add(self, group: str, channel: str) -> None:
        if self.down:
            raise ConnectionError("layer down")
        self.joins.append((group, channel))
        await super().group_add(group, channel)

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        if self.down:
            raise ConnectionError("layer down")
        await super().group_send(group, message)


@database_sync_to_async
def written_elsewhere(submission: Submission, status: int) -> int:
    """An event in the log whose doorbell never rang here (another process, a lost publish)."""
    with mock.patch("submissions.events.publish_to_group"), mock.patch("submissions.events.publish"):
        submission.status = status
        submission.save()
        send_message(submission, None)
    return submission.last_seq


@database_sync_to_async
def published(submission: Submission, status: int) -> int:
    submission.status = status
    submission.save()
    send_message(submission, None)
    return submission.last_seq


async def until(condition, timeout: float = 3.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def started(layer: Any, *, confirm_sweeps: int = 0) -> AsyncIterator[Hub]:
    hub = Hub(layer, sweep_seconds=NEVER, confirm_sweeps=confirm_sweeps, session_seconds=NEVER)
    await hub.start()
    try:
        yield hub
    finally:
        await hub.stop()


async def test_the_embedded_hub_relays_from_the_log_on_its_first_sweep(submission, settings):
    """In-process layers cannot lose a doorbell in transit, so one sweep repairs a gap."""
    settings.REALTIME_SWEEP_SECONDS = NEVER  # only the sweep below runs
    hub = await get_hub()
    socket = Socket()
    await hub.submissions.subscribe(submission.pk, socket)
    await written_elsewhere(submission, READY)

    await hub.sweep()

    assert socket.seqs == [1]


async def test_a_cross_process_hub_relays_only_what_stays_behind_for_a_second_sweep(submission):
    """With Redis a committed event's doorbell may still be in flight: the first sweep only notes the gap."""
    hub = Hub(FlakyLayer(), sweep_seconds=NEVER, confirm_sweeps=1, session_seconds=NEVER)
    hub.channel.name = "hub.test"
    behind, caught_up = Socket(), Socket()
    await hub.submissions.subscribe(submission.pk, behind)
    other = await Submission.objects.acreate(title="other", owner_id=submission.owner_id)
    await hub.submissions.subscribe(other.pk, caught_up)
    await written_elsewhere(submission, READY)
    await written_elsewhere(other, LOADED)

    await hub.sweep()
    assert behind.seqs == [], "a doorbell may still be on its way"
    assert caught_up.seqs == []
    caught_up.seq = 1  # its doorbell came between the sweeps
    await hub.sweep()

    assert behind.seqs == [1]
    assert caught_up.seqs == [], "what the doorbell brought is not read again from the log"
    await hub.sweep()
    assert behind.seqs == [1]


async def test_get_hub_confirms_gaps_only_for_cross_process_layers(monkeypatch):
    class CrossProcessLayer(BaseChannelLayer):  # as channels_redis is: not the in-memory layer
        async def new_channel(self, prefix: str = "specific.") -> str:
            return f"{prefix}test"

        async def receive(self, channel: str) -> dict[str, Any]:
            await asyncio.Event().wait()
            return {}

    embedded = await get_hub()
    assert embedded.confirm_sweeps == 0
    from submissions_ws import hub as hub_module

    await hub_module.stop_hub()
    monkeypatch.setattr(hub_module, "get_channel_layer", CrossProcessLayer)
    assert (await get_hub()).confirm_sweeps == 1


async def test_after_a_layer_outage_the_hub_rejoins_its_groups_and_sweeps_at_once(submission):
    layer = FlakyLayer()
    async with started(layer) as hub:
        socket = Socket()
        await hub.submissions.subscribe(submission.pk, socket)
        assert await published(submission, LOADED) == 1
        await until(lambda: socket.seqs == [1])

        layer.go_down()
        missed = await written_elsewhere(submission, ERROR)  # its doorbell is lost with the layer
        await asyncio.sleep(0.3)  # the hub's receive fails a few times meanwhile
        layer.down = False
        # The first message after the outage tells the hub the layer is back.
        await layer.send(hub.channel.name, {"type": "layer.back"})

        await until(lambda: socket.seqs == [1, missed])  # swept at once, not after NEVER seconds
        assert layer.joins.count((group_name(submission.pk), hub.channel.name)) == 2
        latest = await published(submission, READY)  # through the re-joined group
        await until(lambda: socket.seqs == [1, missed, latest])


async def test_a_socket_that_joined_while_the_layer_was_down_gets_events_from_the_log(submission):
    layer = FlakyLayer()
    async with started(layer) as hub:
        layer.down = True
        socket = Socket()
        await hub.submissions.subscribe(submission.pk, socket)  # the join fails; the socket stays registered
        seq = await written_elsewhere(submission, READY)

        await hub.sweep()

        assert socket.seqs == [seq]


async def test_memberships_are_renewed_before_the_layer_expires_them(submission):
    """A page open longer than the layer's group expiry keeps receiving doorbells."""
    layer = FlakyLayer(group_expiry=1)
    async with started(layer) as hub:
        socket = Socket()
        await hub.submissions.subscribe(submission.pk, socket)
        await asyncio.sleep(1.6)  # past the expiry: without renewal the group would be gone

        seq = await published(submission, READY)

        await until(lambda: socket.seqs == [seq])
        assert len(layer.joins) >= 3


async def test_layer_messages_go_to_the_route_named_by_their_type(submission, user):
    """`submission.event` reaches the submission's sockets, `user.event` the owner's notification sockets."""
    layer = FlakyLayer()
    async with started(layer) as hub:
        watching, notified = Socket(), Socket()
        await hub.submissions.subscribe(submission.pk, watching)
        await hub.users.subscribe(user.pk, notified)
        await written_elsewhere(submission, READY)
        (status_message,) = await database_sync_to_async(selectors.event_messages)(submission.pk, after=0)
        (user_message,) = await database_sync_to_async(user_selectors.latest_user_events)([submission.pk])
        assert (status_message["type"], user_message["type"]) == (EVENT_TYPE, USER_EVENT_TYPE)

        await layer.send(hub.channel.name, status_message)
        await until(lambda: watching.seqs == [1])
        assert notified.messages == []
        await layer.send(hub.channel.name, user_message)
        await until(lambda: notified.messages == [user_message])

        assert watching.messages == [status_message]


async def test_a_message_of_a_type_no_handler_is_named_after_is_ignored(submission):
    """Not even a type that names one of the hub's other methods or attributes: the hub goes on serving."""
    layer = FlakyLayer()
    async with started(layer) as hub:
        socket = Socket()
        await hub.submissions.subscribe(submission.pk, socket)
        strays = (
            {"type": "stop"},
            {"type": "sweep.seconds"},  # names an attribute that is not a handler
            {"type": "end.ended_sessions"},  # names a method that is not a handler
            {"type": "nobody.handles"},
            {"type": "._private"},
            {"type": ["submission.event"]},
            {},
        )
        for stray in strays:
            await layer.send(hub.channel.name, stray)

        latest = await published(submission, READY)

        await until(lambda: socket.seqs == [latest])
        assert hub.submissions.served() == {submission.pk}


async def test_an_ended_sign_in_detaches_sockets_of_both_kinds(submission, user):
    hub = Hub(FlakyLayer(), sweep_seconds=NEVER, confirm_sweeps=0, session_seconds=NEVER)
    watching, notified = Socket(session_key="gone"), Socket(session_key="gone")
    await hub.submissions.subscribe(submission.pk, watching)
    await hub.users.subscribe(user.pk, notified)

    await hub.end_ended_sessions()  # no session row holds "gone"
    await written_elsewhere(submission, READY)
    await hub.sweep()

    assert (watching.session_key, notified.session_key) == (None, None)
    assert (watching.messages, notified.messages) == ([], [])


async def test_a_message_a_socket_cannot_take_does_not_stop_the_doorbells(submission, user):
    class Broken(Socket):
        def deliver(self, message: dict[str, Any]) -> None:
            raise KeyError("kind")

    layer = FlakyLayer()
    async with started(layer) as hub:
        other = await Submission.objects.acreate(title="other", owner_id=user.pk)
        await hub.submissions.subscribe(other.pk, Broken())
        socket = Socket()
        await hub.submissions.subscribe(submission.pk, socket)
        await layer.send(hub.channel.name, {"type": EVENT_TYPE, "submission": other.pk})

        latest = await published(submission, READY)

        await until(lambda: socket.seqs == [latest])
