"""Changing your password in one tab keeps your other tabs live; another browser of yours is signed out."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.browser import signed_in_page
from e2e.server import SiteProcess

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

NEW_PASSWORD = "a-brand-new-pass-42"
PUSH_STATUS = """
from common.constants import READY
from submissions.helpers import send_message
from uid.models import Submission
submission = Submission.objects.get(pk=1)
submission.status = READY
submission.message = "Still live after the password change"
submission.save()
send_message(submission, None)
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A site of this module's own: the test changes the demo password."""
    site = SiteProcess.create(tmp_path_factory.mktemp("sessions"))
    site.start()
    yield site
    site.stop()


def test_a_password_change_keeps_this_browsers_pages_live_and_signs_out_the_others(browser, site):
    watching = signed_in_page(browser, site)
    elsewhere = signed_in_page(browser, site)
    for page in (watching, elsewhere):
        page.goto("/submissions/1/")
        expect(page.locator("#connection")).to_have_text("Live")

    # In another tab of the same browser.
    settings_tab = watching.context.new_page()
    settings_tab.goto("/accounts/password_change/")
    settings_tab.fill("input[name=old_password]", "demo-password")
    settings_tab.fill("input[name=new_password1]", NEW_PASSWORD)
    settings_tab.fill("input[name=new_password2]", NEW_PASSWORD)
    settings_tab.get_by_role("button", name="Change password").click()
    expect(settings_tab.get_by_text("Your password was changed")).to_be_visible()

    # The other browser's sign-in ended; the check that saw it kept this browser's tab.
    expect(elsewhere.locator("#connection")).to_contain_text("signed out", timeout=10_000)
    site.manage("shell", stdin=PUSH_STATUS)
    expect(watching.locator("#notification")).to_contain_text("Still live after the password change", timeout=5_000)
    expect(watching.locator("#connection")).to_have_text("Live")
    for page in (watching, elsewhere):
        page.context.close()
