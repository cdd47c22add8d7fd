"""A real person's path in a real headless Chromium, against the real server."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.browser import create_submission
from uid.example_data import write_example_csv

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

# Watch the live parts of the page from inside it: proves they changed in
# place (no reload) and keeps every value they took, however briefly.
RECORD_CHANGES = """() => {
  window.__sameDocument = true;
  window.__seen = {badge: [], progress: [], banner: []};
  const watch = (selector, key) => new MutationObserver(() => {
    window.__seen[key].push(document.querySelector(selector).textContent.trim());
  }).observe(document.querySelector(selector), {subtree: true, childList: true, characterData: true});
  watch('#status-badge', 'badge');
  watch('#progress-label', 'progress');
  watch('#notification', 'banner');
}"""


def test_upload_import_and_validate_update_the_page_live(page, tmp_path):
    data = tmp_path / "herd.csv"
    write_example_csv(data, animals=1500, samples_per_animal=2, prefix="HERD26-")
    create_submission(page, title="Herd book 2026", data_file=data)

    expect(page.locator("#status-badge")).to_have_text("Loaded", timeout=60_000)
    expect(page.locator("#notification")).to_contain_text("Loaded 1500 animals and 3000 samples")
    expect(page.locator("#connection")).to_have_text("Live")
    expect(page.locator("#btn-validate")).to_be_enabled()
    expect(page.locator("#btn-submit")).to_be_disabled()
    page.evaluate(RECORD_CHANGES)

    page.click("#btn-validate")

    expect(page.locator("#status-badge")).to_have_text("Ready", timeout=60_000)
    expect(page.locator("#notification")).to_contain_text("All records passed validation")
    expect(page.locator("#count-animals")).to_have_text("1500")
    expect(page.locator("#count-samples")).to_have_text("3000")
    expect(page.locator("#count-animal-issues")).to_have_text("0")
    expect(page.locator("#btn-submit")).to_be_enabled()
    seen = page.evaluate("window.__seen")
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"
    assert "Waiting" in seen["badge"]
    assert any(text.startswith("validation") for text in seen["progress"]), seen["progress"]
    assert any("Validating" in text for text in seen["banner"]), seen["banner"]
    assert page.locator("#timeline li").count() >= 4


def test_messages_render_as_text_never_html(page, site):
    payload = '<img src=x onerror="window.__pwned=1">'
    script = f"""
from common.constants import ERROR
from submissions.helpers import send_message
from uid.models import Submission
submission = Submission.objects.get(pk=1)
submission.status = ERROR
submission.message = {payload!r}
submission.save()
send_message(submission, None)
"""
    page.goto("/submissions/1/")
    expect(page.locator("#connection")).to_have_text("Live")

    site.manage("shell", stdin=script)

    expect(page.locator("#notification")).to_contain_text(payload, timeout=5_000)
    expect(page.locator("#status-badge")).to_have_text("Error")
    assert page.locator("#notification img").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_record_values_from_an_uploaded_file_render_as_text(page, tmp_path):
    """Script in a data file shows as text on the detail and report pages and never runs."""
    payload = '<img src=x onerror="window.__pwned=1">'
    header = (
        "record_type,id,alternative_id,description,species,breed,sex,birth_date,birth_country,"
        "father_id,mother_id,animal_id,collection_date,organism_part,storage,protocol_url,latitude,longitude"
    )
    quoted = '"' + payload.replace('"', '""') + '"'
    # In the species too: the report quotes a species it cannot check, so the payload reaches the report page.
    row = f"animal,cow-1,,{quoted},{quoted},{quoted},dragon,2020-01-01,FR,,,,,,,,,"
    data = tmp_path / "xss.csv"
    data.write_text(f"{header}\n{row}\n", encoding="utf-8")
    create_submission(page, title="Escaping check", data_file=data)
    expect(page.locator("#status-badge")).to_have_text("Loaded", timeout=30_000)

    page.reload()
    expect(page.get_by_text(payload).first).to_be_visible()
    page.click("#btn-validate")
    expect(page.locator("#status-badge")).to_have_text("Need Revision", timeout=30_000)
    page.goto(page.locator("#report-link").get_attribute("href"))
    expect(page.get_by_text("dragon").first).to_be_visible()
    expect(page.get_by_text(payload).first).to_be_visible()

    assert page.locator("img[src=x]").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_a_finished_import_marks_the_records_on_the_page_as_changed(page, site):
    """Tables are rendered once; after a new import the page says so rather than showing old rows."""
    script = """
from common.constants import LOADED
from submissions.helpers import send_message
from uid.models import Submission
submission = Submission.objects.get(pk=1)
submission.status = LOADED
submission.message = "Loaded 3 animals and 0 samples. Validate them next."
submission.save()
send_message(submission, None)
"""
    page.goto("/submissions/1/")
    expect(page.locator("#connection")).to_have_text("Live")
    expect(page.locator("#records-stale")).to_be_hidden()

    site.manage("shell", stdin=script)

    expect(page.locator("#records-stale")).to_be_visible(timeout=5_000)
    expect(page.locator("#count-animals")).to_have_text("–")
    expect(page.locator("#status-badge")).to_have_text("Loaded")
