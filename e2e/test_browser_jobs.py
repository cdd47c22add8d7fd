"""The Cancel button and the queue, in a real headless Chromium against the real server."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.browser import create_submission
from uid.example_data import write_example_csv

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_cancel_appears_while_the_import_runs_and_cancelling_imports_nothing(page, tmp_path):
    data = tmp_path / "herd.csv"
    # Big enough that its parse still runs when the button is pressed a moment after the page opens.
    write_example_csv(data, animals=60_000, samples_per_animal=2, prefix="CANCEL26-")
    create_submission(page, title="Herd to cancel", data_file=data)
    expect(page.locator("#connection")).to_have_text("Live", timeout=30_000)
    page.evaluate("() => { window.__sameDocument = true; }")

    cancel = page.locator("#btn-cancel")
    expect(cancel).to_be_visible()
    cancel.click()

    expect(page.locator("#notification")).to_have_text(
        "Import cancelled; nothing was imported. Edit the submission to upload a data file again.", timeout=30_000
    )
    expect(cancel).to_be_hidden()
    expect(page.locator("#progress")).to_be_hidden()
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"
    page.reload()
    expect(page.locator("#animals-table")).to_contain_text("No animals imported.")
    expect(page.locator("#btn-cancel")).to_be_hidden()


SET_STATUS = """
from common.constants import {status}
from submissions.helpers import send_message
from uid.models import Submission
submission = Submission.objects.get(title="Demo submission")
submission.status = {status}
submission.message = {message!r}
submission.save()
send_message(submission, None)
"""

# A queued job's progress frame as the server words it, handed to the page's open
# submission socket: the embedded server publishes one only for its own queue.
QUEUED_FRAME = """([seq, status]) => {
  const socket = window.__sockets.find((s) => s.readyState === WebSocket.OPEN && s.url.includes("/ws/submissions/"));
  const frame = {type: "progress", submission: Number(location.pathname.split("/")[2]), seq, status,
                 progress: {phase: "validation", done: 0, total: 0, queued: true, ahead: 2}};
  socket.onmessage({data: JSON.stringify(frame)});
}"""


def test_a_queued_job_shows_its_place_in_line(page, site):
    page.get_by_text("Demo submission").first.click()
    expect(page.locator("#connection")).to_have_text("Live")
    expect(page.locator("#btn-cancel")).to_be_hidden()
    site.manage("shell", stdin=SET_STATUS.format(status="WAITING", message="Validation queued."))
    expect(page.locator("#status-badge")).to_have_text("Waiting")
    seq = int(page.locator("#timeline li[data-seq]").first.get_attribute("data-seq"))
    status = int(page.locator("#status-badge").get_attribute("data-status"))  # Waiting, as the server codes it

    page.evaluate(QUEUED_FRAME, [seq, status])

    expect(page.locator("#progress-label")).to_have_text("Queued (2 ahead of you)")
    expect(page.locator("#progress")).to_have_attribute("data-state", "queued")
    site.manage("shell", stdin=SET_STATUS.format(status="LOADED", message="Back to Loaded."))
    expect(page.locator("#progress")).to_be_hidden()
