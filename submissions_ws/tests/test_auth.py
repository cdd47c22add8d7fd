"""The user is loaded in the consumer's one database hop, and only there."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from submissions_ws import close_codes, selectors
from submissions_ws.auth import resolve_user, surely_anonymous
from submissions_ws.hub import get_hub
from submissions_ws.tests.sockets import session_cookie, socket

pytestmark = pytest.mark.django_db(transaction=True)


async def test_the_consumers_hop_is_the_first_to_load_the_user(user, submission, monkeypatch):
    seen = []
    real = selectors.resolve_user

    def recording(scope):
        seen.append(scope["user"]._wrapped.__class__.__name__)  # `object`: not loaded yet
        return real(scope)

    monkeypatch.setattr(selectors, "resolve_user", recording)
    communicator = socket(submission.pk, await session_cookie(user))
    connected, _ = await communicator.connect()

    assert connected
    assert (await communicator.receive_json_from(timeout=3))["type"] == "snapshot"
    assert seen == ["object"]
    await communicator.disconnect()


async def test_a_socket_without_a_session_is_refused_before_joining_any_group(submission):
    hub = await get_hub()
    communicator = socket(submission.pk, cookie=None)
    connected, _ = await communicator.connect()

    assert connected  # accepted only to say why
    assert await communicator.receive_output(timeout=2) == {"type": "websocket.close", "code": close_codes.FORBIDDEN}
    assert submission.pk not in hub.submissions.served()


async def test_a_refused_signed_in_socket_leaves_the_group_it_joined(other_user, submission):
    hub = await get_hub()
    communicator = socket(submission.pk, await session_cookie(other_user))
    await communicator.connect()

    assert await communicator.receive_output(timeout=2) == {"type": "websocket.close", "code": close_codes.FORBIDDEN}
    assert submission.pk not in hub.submissions.served()


def test_a_user_object_already_in_the_scope_is_used_as_it_is(user):
    scope = {"user": user}
    assert not surely_anonymous(scope)
    assert resolve_user(scope) is user


def test_no_user_at_all_is_anonymous():
    assert surely_anonymous({})
    assert isinstance(resolve_user({}), AnonymousUser)
