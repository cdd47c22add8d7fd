"""Toasts, the list page and the one notification of a submission's page, in a real Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PAYLOAD = '<img src=x onerror="window.__pwned=1">'


def change_status(site, *, title: str, status: str, message: str) -> None:
    """The seed snippet's way, from another process: only the event log connects it to the server."""
    site.manage(
        "shell",
        stdin=f"""
from django.contrib.auth import get_user_model
from common.constants import {status}
from submissions.helpers import send_message
from uid.models import Submission
owner = get_user_model().objects.get(username="demo")
submission, _ = Submission.objects.get_or_create(title={title!r}, owner=owner)
submission.status = {status}
submission.message = {message!r}
submission.save()
send_message(submission, None)
""",
    )


def wait_until_listening(page) -> None:
    expect(page.locator("#toast-area")).to_have_attribute("data-state", "live")


def test_the_list_page_shows_a_toast_and_updates_the_row_and_html_stays_text(page, site):
    page.goto("/submissions/")
    wait_until_listening(page)
    page.evaluate("window.__sameDocument = true")
    row = page.locator("#submission-table tr", has_text="Demo submission")

    change_status(site, title="Demo submission", status="ERROR", message=f"Import failed: {PAYLOAD}")

    toast = page.locator("#toast-area .toast", has_text="Demo submission")
    expect(toast).to_be_visible(timeout=5_000)
    expect(toast).to_contain_text("Error")
    expect(toast).to_contain_text(f"Import failed: {PAYLOAD}")
    expect(row.locator("[data-role=status-badge]")).to_have_text("Error")
    expect(row.locator("[data-role=notification]")).to_have_text(f"Import failed: {PAYLOAD}")
    assert page.locator("img[src=x]").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"


def test_a_toast_on_another_page_links_to_the_submission(page, site):
    page.goto("/submissions/new/")
    wait_until_listening(page)

    change_status(site, title="Goats 2026", status="READY", message="All records passed validation.")

    toast = page.locator("#toast-area .toast", has_text="Goats 2026")
    expect(toast).to_be_visible(timeout=5_000)
    expect(toast).to_contain_text("Ready")
    expect(toast).to_contain_text("All records passed validation.")
    toast.get_by_role("link", name="Open submission").click()
    expect(page.locator("h1")).to_contain_text("Goats 2026")
    expect(page.locator("#status-badge")).to_have_text("Ready")


def test_the_submissions_own_page_updates_without_a_toast_for_it(page, site):
    page.goto("/submissions/1/")
    expect(page.locator("#connection")).to_have_text("Live")
    wait_until_listening(page)

    change_status(site, title="Demo submission", status="LOADED", message="Loaded 4 animals and 0 samples.")
    expect(page.locator("#status-badge")).to_have_text("Loaded", timeout=5_000)
    # A later change elsewhere does toast: by then a toast for this page would have shown too.
    change_status(site, title="Pigs 2026", status="COMPLETED", message="Completed: accessions for 9 records.")

    expect(page.locator("#toast-area .toast", has_text="Pigs 2026")).to_be_visible(timeout=5_000)
    expect(page.locator("#toast-area .toast")).to_have_count(1)


def test_logging_out_elsewhere_stops_the_notification_socket(page, browser, site):
    """The same sign-in ended in another tab: the socket closes (4401) and does not reconnect."""
    page.goto("/submissions/new/")
    wait_until_listening(page)

    other = page.context.new_page()
    other.goto("/submissions/")
    other.click("#logout-button")

    expect(page.locator("#toast-area")).to_have_attribute("data-state", "signed-out", timeout=10_000)


def visible_notices(page) -> list[str]:
    """Every message box a person sees on the page: banners, flashes and alerts."""
    return page.locator(".alert:visible, #messages:visible").all_inner_texts()


@pytest.mark.parametrize("javascript", [True, False], ids=["live", "without-javascript"])
def test_a_submissions_page_shows_one_notification_after_an_action(browser, site, javascript):
    """Validate: the page shows the submission's notification once, not a flash, a banner and an alert stacked."""
    change_status(site, title="Demo submission", status="LOADED", message="Loaded 3 animals. Validate them next.")
    context = browser.new_context(base_url=site.base_url, java_script_enabled=javascript)
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.fill("input[name=username]", "demo")
        page.fill("input[name=password]", "demo-password")
        page.click("button[type=submit], input[type=submit]")
        page.goto("/submissions/1/")
        if javascript:
            expect(page.locator("#connection")).to_have_text("Live")
        page.click("#btn-validate")
        if javascript:
            expect(page.locator("#status-badge")).not_to_have_text("Loaded", timeout=15_000)
        else:
            page.wait_for_url("**/submissions/1/")
        expect(page.locator("#notification")).not_to_have_text("Loaded 3 animals. Validate them next.")
        notices = visible_notices(page)
    finally:
        context.close()

    assert len(notices) == 1, notices
    assert "Validation started." not in notices[0]
