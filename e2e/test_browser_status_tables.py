"""The pages render statuses from the server's tables (the `live-client` JSON), not from codes of their own.

Each test edits the tables in the real page before its scripts read them: a
page that followed its own copy of the codes would ignore the edit and fail.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SET_STATUS = """
from common.constants import {status}
from submissions.actions import change_status
from uid.models import Submission
change_status(submission=Submission.objects.get(title="Demo submission"), status={status}, message={message!r})
"""


def serve_with_tables(page, edit: str) -> None:
    """Edit the page's live-client JSON as the parser inserts it, before any script reads it.

    `edit` is the body of a JS function of `tables` (the JSON the server rendered).
    """
    page.add_init_script(
        """(() => {
          const edit = (tables) => { EDIT };
          new MutationObserver((changes, observer) => {
            const node = document.getElementById("live-client");
            if (!node || !node.textContent) return;
            const tables = JSON.parse(node.textContent);
            edit(tables);
            node.textContent = JSON.stringify(tables);
            observer.disconnect();
          }).observe(document, { childList: true, subtree: true, characterData: true });
        })();""".replace("EDIT", edit)
    )


def test_the_detail_page_names_colours_and_announces_by_the_servers_tables(page, site):
    # Ready gets another name and colour, is announced as an alert (as Error is), and allows only Edit.
    serve_with_tables(
        page,
        """const ready = tables.codes.READY;
           tables.names[ready] = "Ready (by the table)";
           tables.colours[ready] = "dark";
           tables.alert = [ready];
           tables.actions[ready] = ["edit"];""",
    )
    page.goto("/submissions/1/")
    expect(page.locator("#connection")).to_have_text("Live")

    site.manage("shell", stdin=SET_STATUS.format(status="READY", message="All records passed validation."))

    badge = page.locator("#status-badge")
    expect(badge).to_have_text("Ready (by the table)", timeout=10_000)
    expect(badge).to_have_class(re.compile(r"\btext-bg-dark\b"))
    expect(page.locator("#notification")).to_match_aria_snapshot('- alert: "All records passed validation."')
    expect(page.locator("#btn-submit")).to_be_disabled()
    expect(page.locator("#btn-validate")).to_be_disabled()
    expect(page.locator("#timeline li[data-seq]").first).to_contain_text("Ready (by the table)")


def test_the_detail_page_shows_a_job_starting_in_the_status_the_tables_call_waiting(page, site):
    """The one status the client names itself (Waiting: the progress bar) is read from `codes` too."""

    serve_with_tables(page, "tables.codes.WAITING = tables.codes.NEED_REVISION;")
    page.goto("/submissions/1/")
    expect(page.locator("#connection")).to_have_text("Live")
    expect(page.locator("#progress")).to_be_hidden()

    site.manage("shell", stdin=SET_STATUS.format(status="NEED_REVISION", message="Fix 2 rows."))

    expect(page.locator("#notification")).to_have_text("Fix 2 rows.", timeout=10_000)
    expect(page.locator("#progress")).to_be_visible()
    expect(page.locator("#progress-label")).to_have_text("starting…")


def test_list_rows_and_toasts_name_statuses_by_the_servers_tables(page, site):
    serve_with_tables(
        page,
        """tables.names[tables.codes.LOADED] = "Loaded (by the table)";
           tables.alert = [tables.codes.LOADED];""",
    )
    page.goto("/submissions/")
    expect(page.locator("#connection")).to_have_text("Live")

    site.manage("shell", stdin=SET_STATUS.format(status="LOADED", message="Loaded 3 animals."))

    row = page.locator("#submission-table tbody tr", has_text="Demo submission")
    expect(row.locator("[data-role=status-badge]")).to_have_text("Loaded (by the table)", timeout=10_000)
    toast = page.locator("#toast-area .toast", has_text="Demo submission")
    expect(toast).to_contain_text("Loaded (by the table)")
    expect(toast).to_have_attribute("role", "alert")
