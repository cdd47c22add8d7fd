"""The list page in a real Chromium: rows fed by the tab's one notification socket, caught up after a drop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.browser import drop_sockets, open_sockets, signed_in_page

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SET_STATUS = """
from django.contrib.auth import get_user_model
from common.constants import {status}
from submissions.actions import change_status
from uid.models import Submission
owner = get_user_model().objects.get(username={owner!r})
submission, _ = Submission.objects.get_or_create(title={title!r}, owner=owner)
change_status(submission=submission, status={status}, message={message!r})
"""
MAKE_PEOPLE = """
from django.contrib.auth import get_user_model
from common.constants import LOADED
from uid.models import Submission
User = get_user_model()
User.objects.create_user("sam", password="sam-staff-password", is_staff=True)
bob = User.objects.create_user("bob", password="bob-password-123")
Submission.objects.create(title="Bob's herd", owner=bob, status=LOADED, message="Loaded.")
"""


def row(page, title: str):
    return page.locator("#submission-table tbody tr", has_text=title)


def test_a_list_tab_that_lost_its_socket_shows_what_changed_meanwhile(page, site):
    """The socket has no replay: on reconnect the page re-reads /api/submissions/."""
    page.goto("/submissions/")
    expect(page.locator("#connection")).to_have_text("Live")
    page.evaluate("window.__sameDocument = true")
    demo = row(page, "Demo submission")

    page.context.set_offline(True)
    assert drop_sockets(page, "/ws/notifications/") == 1
    expect(page.locator("#connection")).to_contain_text("Offline since", timeout=10_000)
    expect(demo.locator("[data-role=status-badge]")).to_have_attribute("data-live", "false")
    site.manage(
        "shell",
        stdin=SET_STATUS.format(owner="demo", title="Demo submission", status="NEED_REVISION", message="Fix 2 rows."),
    )
    # Away while it happened: no socket could have told this tab.
    assert open_sockets(page) == []
    expect(page.locator("#connection")).to_contain_text("Offline since")
    assert demo.locator("[data-role=notification]").inner_text() != "Fix 2 rows."
    page.context.set_offline(False)

    expect(page.locator("#connection")).to_have_text("Live", timeout=20_000)
    expect(demo.locator("[data-role=notification]")).to_have_text("Fix 2 rows.", timeout=10_000)
    expect(demo.locator("[data-role=status-badge]")).to_have_text("Need Revision")
    assert open_sockets(page) == ["/ws/notifications/"]
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"


def test_a_staff_list_tab_follows_other_peoples_submissions_on_one_socket(browser, site):
    site.manage("shell", stdin=MAKE_PEOPLE)
    page = signed_in_page(browser, site, username="sam", password="sam-staff-password")
    try:
        expect(page.locator("#connection")).to_have_text("Live")
        bobs = row(page, "Bob's herd")
        expect(bobs).to_be_visible()
        # One socket for every row, everyone's: no socket per row of another person.
        assert open_sockets(page) == ["/ws/notifications/?all=1"]

        site.manage(
            "shell",
            stdin=SET_STATUS.format(owner="bob", title="Bob's herd", status="ERROR", message="Bob's file is empty."),
        )

        expect(bobs.locator("[data-role=notification]")).to_have_text("Bob's file is empty.", timeout=10_000)
        expect(bobs.locator("[data-role=status-badge]")).to_have_text("Error")
        # Toasts stay the person's own: Bob's change is on the row, not in a toast for Sam.
        assert page.locator("#toast-area .toast").count() == 0
        assert open_sockets(page) == ["/ws/notifications/?all=1"]
    finally:
        page.context.close()
