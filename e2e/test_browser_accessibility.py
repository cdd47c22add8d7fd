"""Live updates a screen reader hears (WAI-ARIA, WCAG 2.1 SC 4.1.3), read from Chromium's accessibility tree."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import expect

from e2e.browser import create_submission, drop_sockets
from uid.example_data import write_example_csv

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SET_STATUS = """
from common.constants import {status}
from submissions.helpers import send_message
from uid.models import Submission
submission = Submission.objects.get(pk=1)
submission.status = {status}
submission.message = {message!r}
submission.save()
send_message(submission, None)
"""

# Every value the progress parts take, with the time, from inside the page.
RECORD_PROGRESS = """() => {
  window.__progress = {label: [], spoken: [], valuenow: []};
  const bar = document.getElementById('progress-bar');
  new MutationObserver(() => window.__progress.valuenow.push(bar.getAttribute('aria-valuenow')))
    .observe(bar, {attributes: true, attributeFilter: ['aria-valuenow']});
  for (const [id, key] of [['progress-label', 'label'], ['progress-announcement', 'spoken']]) {
    const node = document.getElementById(id);
    new MutationObserver(() => window.__progress[key].push([Date.now(), node.textContent]))
      .observe(node, {subtree: true, childList: true, characterData: true});
  }
}"""


def test_banner_alert_log_and_connection_are_live_regions(page, site):
    page.goto("/submissions/1/")
    expect(page.locator("#connection")).to_match_aria_snapshot("- status: Live")
    expect(page.locator("#timeline").locator("..")).to_match_aria_snapshot(
        '- log "Timeline":\n  - list:\n    - listitem'
    )

    site.manage("shell", stdin=SET_STATUS.format(status="ERROR", message="The import failed: row 3 is empty."))
    expect(page.locator("#notification")).to_match_aria_snapshot('- alert: "The import failed: row 3 is empty."')
    expect(page.locator("#timeline").locator("..")).to_match_aria_snapshot(
        '- log "Timeline":\n  - list:\n    - listitem: /Error.*The import failed. row 3 is empty/'
    )

    site.manage("shell", stdin=SET_STATUS.format(status="LOADED", message="Loaded 3 animals."))
    expect(page.locator("#notification")).to_match_aria_snapshot('- status: "Loaded 3 animals."')

    page.context.set_offline(True)
    assert drop_sockets(page, "/ws/submissions/") == 1
    expect(page.locator("#connection")).to_match_aria_snapshot("- status: /Reconnecting…|Offline since .*/")
    page.context.set_offline(False)
    expect(page.locator("#connection")).to_match_aria_snapshot("- status: Live", timeout=20_000)


def test_progress_is_readable_and_announced_at_most_every_few_seconds(page, tmp_path):
    data = tmp_path / "herd.csv"
    write_example_csv(data, animals=1000, samples_per_animal=2, prefix="A11Y-")
    create_submission(page, title="Accessible herd", data_file=data)
    expect(page.locator("#status-badge")).to_have_text("Loaded", timeout=90_000)
    expect(page.locator("#connection")).to_have_text("Live")
    page.click("#btn-validate")
    expect(page.locator("#status-badge")).to_have_text("Ready", timeout=120_000)
    page.evaluate(RECORD_PROGRESS)

    # The archive phase: the slowest, one document per record (the embedded archive answers).
    page.click("#btn-submit")

    expect(page.locator("#status-badge")).to_have_text("Completed", timeout=180_000)
    seen = page.evaluate("window.__progress")

    bar = page.locator("#progress-bar")
    assert bar.get_attribute("aria-valuemin") == "0"
    assert bar.get_attribute("aria-valuemax") == "100"
    assert len(set(seen["valuenow"])) >= 2, seen
    readable = re.compile(r"^submission: [\d,]+ of 3,000 records submitted · [\d,]+/s · about \d+ (s|min) left$")
    assert any(readable.match(text) for _, text in seen["label"]), seen["label"][:10]
    spoken = [(at, text) for at, text in seen["spoken"] if text]
    assert spoken, "the progress was never announced"
    gaps = [later - earlier for (earlier, _), (later, _) in itertools.pairwise(spoken)]
    # At most every 5 s, except the final 100 % which is said at once.
    assert all(gap >= 4_900 for gap in gaps[:-1]), gaps
    # The visible label moved with every frame; the polite region far less often.
    assert len(seen["label"]) > 2 * len(spoken), (len(seen["label"]), spoken)
    assert re.match(r"^submission \d+% done: ", spoken[0][1]), spoken[0]
