"""One Routes class for both socket kinds: the same "behind for N sweeps" repair, whichever feed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from unittest import mock

import pytest
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer

from common.constants import ERROR, LOADED, READY
from submissions.helpers import send_message
from submissions_ws import selectors, user_selectors
from submissions_ws.feeds import SubmissionFeed, UserFeed
from submissions_ws.routes import Feed, GroupChannel, Routes
from submissions_ws.tests.subscribers import Socket
from uid.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass(frozen=True)
class Kind:
    """One kind of route: its feed, whose key a socket subscribes with, and the doorbell the layer would ring."""

    feed: Callable[[], Feed]
    key: Callable[[Submission], int]
    doorbell: Callable[[Submission], dict[str, Any]]


KINDS = {
    "submission": Kind(
        feed=SubmissionFeed,
        key=lambda submission: submission.pk,
        doorbell=lambda submission: selectors.event_messages(submission.pk, after=submission.last_seq - 1)[0],
    ),
    "user": Kind(
        feed=UserFeed,
        key=lambda submission: submission.owner_id,
        doorbell=lambda submission: user_selectors.latest_user_events([submission.pk])[0],
    ),
}


def routes_of(kind: Kind, *, confirm_sweeps: int) -> Routes:
    channel = GroupChannel(InMemoryChannelLayer())
    channel.name = "hub.test"
    return Routes(channel, kind.feed(), confirm_sweeps=confirm_sweeps)


@database_sync_to_async
def written_elsewhere(submission: Submission, status: int) -> None:
    """An event in the log whose doorbell never rang here (another process, a lost publish)."""
    with mock.patch("submissions.events.publish_to_group"), mock.patch("submissions.events.publish"):
        submission.status = status
        submission.save()
        send_message(submission, None)


@pytest.mark.parametrize("name", KINDS)
@pytest.mark.parametrize("confirm_sweeps", [0, 1, 2])
async def test_either_kind_repairs_a_gap_once_it_stayed_behind_for_more_than_confirm_sweeps(
    name, confirm_sweeps, submission
):
    kind = KINDS[name]
    routes = routes_of(kind, confirm_sweeps=confirm_sweeps)
    socket = Socket()
    await routes.subscribe(kind.key(submission), socket)
    await written_elsewhere(submission, READY)

    for _ in range(confirm_sweeps):
        await routes.sweep()
        assert socket.seqs == [], "a doorbell may still be on its way"
    await routes.sweep()
    assert socket.seqs == [1]
    await routes.sweep()

    assert socket.seqs == [1], "a repaired gap is not relayed again"


@pytest.mark.parametrize("name", KINDS)
async def test_either_kind_leaves_a_gap_the_doorbell_closed_between_sweeps_alone(name, submission):
    kind = KINDS[name]
    routes = routes_of(kind, confirm_sweeps=1)
    socket = Socket()
    await routes.subscribe(kind.key(submission), socket)
    await written_elsewhere(submission, LOADED)
    await routes.sweep()  # notes the gap

    routes.dispatch(await database_sync_to_async(kind.doorbell)(submission))  # the doorbell, late
    await routes.sweep()
    await routes.sweep()

    assert socket.seqs == [1]


@pytest.mark.parametrize("name", KINDS)
async def test_either_kind_keeps_repairing_a_key_that_falls_behind_again(name, submission):
    """Each new gap counts its own sweeps: the second event is repaired after its own confirmation."""
    kind = KINDS[name]
    routes = routes_of(kind, confirm_sweeps=1)
    socket = Socket()
    await routes.subscribe(kind.key(submission), socket)
    await written_elsewhere(submission, LOADED)
    await routes.sweep()
    await routes.sweep()
    await written_elsewhere(submission, ERROR)

    await routes.sweep()
    assert socket.seqs == [1]
    await routes.sweep()

    assert socket.seqs == [1, 2]


async def test_a_submission_key_that_left_and_came_back_counts_its_sweeps_afresh(submission):
    routes = routes_of(KINDS["submission"], confirm_sweeps=1)
    first = Socket()
    await routes.subscribe(submission.pk, first)
    await written_elsewhere(submission, READY)
    await routes.sweep()  # one round behind
    await routes.unsubscribe(submission.pk, first)
    again = Socket()
    await routes.subscribe(submission.pk, again)

    await routes.sweep()
    assert again.seqs == [], "the round counted before it left is forgotten"
    await routes.sweep()

    assert again.seqs == [1]


@pytest.mark.parametrize("name", KINDS)
async def test_the_first_socket_joins_the_group_and_the_last_one_leaves_it(name, submission):
    kind = KINDS[name]
    routes = routes_of(kind, confirm_sweeps=0)
    layer = routes.channel.layer
    group = routes.feed.group(kind.key(submission))
    one, two = Socket(), Socket()

    await routes.subscribe(kind.key(submission), one)
    await routes.subscribe(kind.key(submission), two)
    assert set(layer.groups[group]) == {"hub.test"}
    await routes.unsubscribe(kind.key(submission), one)
    assert group in layer.groups
    await routes.unsubscribe(kind.key(submission), two)

    assert group not in layer.groups
    assert routes.served() == set()


@pytest.mark.parametrize("name", KINDS)
async def test_a_detached_socket_gets_nothing_more(name, submission):
    kind = KINDS[name]
    routes = routes_of(kind, confirm_sweeps=0)
    kept, detached = Socket(), Socket()
    await routes.subscribe(kind.key(submission), kept)
    await routes.subscribe(kind.key(submission), detached)
    routes.detach(kind.key(submission), detached)

    await written_elsewhere(submission, READY)
    await routes.sweep()

    assert (kept.seqs, detached.seqs) == ([1], [])
