"""The live client's tables: rendered once per signed-in page, straight from common.constants."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory

from common import constants
from common.context_processors import live_client, live_client_state

pytestmark = pytest.mark.django_db


def test_the_tables_are_the_servers_own():
    """Every status's code, name, colour and actions, and the groups the client branches on."""
    user = get_user_model().objects.create_user("alice", password="pw-alice-123")

    state = live_client_state(user)

    assert state["codes"] == {
        "WAITING": constants.WAITING,
        "LOADED": constants.LOADED,
        "SUBMITTED": constants.SUBMITTED,
        "ERROR": constants.ERROR,
        "NEED_REVISION": constants.NEED_REVISION,
        "READY": constants.READY,
        "COMPLETED": constants.COMPLETED,
    }
    assert state["names"] == {str(code): name for code, name in constants.STATUSES}
    assert state["colours"][str(constants.ERROR)] == "danger"
    assert state["actions"][str(constants.READY)] == ["edit", "submit", "validate"]
    assert state["actions"][str(constants.WAITING)] == ["cancel"]
    assert state["job_running"] == [constants.WAITING, constants.SUBMITTED]
    assert state["alert"] == [constants.ERROR]
    assert state["records_changed"] == [constants.LOADED, constants.COMPLETED]
    assert (state["user"], state["staff"]) == (user.pk, False)
    assert state["notifications_ws_path"] == "/ws/notifications/"
    assert state["api_submissions"] == "/api/submissions/"


def test_anonymous_pages_get_no_tables():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    assert live_client(request) == {}


def test_a_signed_in_page_carries_them_once_as_json():
    user = get_user_model().objects.create_user("sam", password="pw-sam-12345", is_staff=True)
    client = Client()
    client.force_login(user)

    page = client.get("/submissions/").content.decode()

    assert page.count('id="live-client"') == 1
    state = json.loads(page.split('id="live-client" type="application/json">')[1].split("</script>")[0])
    assert state["names"][str(constants.NEED_REVISION)] == "Need Revision"
    assert state["staff"] is True
