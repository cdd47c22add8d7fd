"""The .xlsx path in a real headless Chromium: IMAGE's template and the example workbook load live."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from e2e.browser import create_submission
from uid.example_files import xlsx_example_file

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_an_uploaded_workbook_loads_live_and_its_records_can_be_deleted_by_id(page, tmp_path):
    workbook = tmp_path / "herd.xlsx"
    workbook.write_bytes(xlsx_example_file(animals=12, samples_per_animal=2, prefix="XL26-"))
    page.goto("/submissions/new/")
    template = page.locator("#download-xlsx-template")
    expect(template).to_have_attribute("href", "/data/templates/submission_template.xlsx")
    create_submission(page, title="Workbook herd", data_file=workbook, open_form=False)

    expect(page.locator("#status-badge")).to_have_text("Loaded", timeout=60_000)
    expect(page.locator("#notification")).to_have_text("Loaded 12 animals and 24 samples. Validate them next.")
    expect(page.locator("#connection")).to_have_text("Live")
    expect(page.locator("#btn-validate")).to_be_enabled()
    # The record actions follow the status live, like the buttons: the page opened while Waiting.
    page.click("#record-actions summary")
    expect(page.locator("#btn-reload")).to_be_enabled()
    expect(page.locator("#record-actions-unavailable")).to_be_hidden()

    page.reload()  # the tables are rendered by the server; the live page only says they changed
    expect(page.locator("#animals-heading")).to_contain_text("(12)")
    expect(page.locator("#samples-heading")).to_contain_text("(24)")
    first = page.locator("#animals-table tbody tr").first
    expect(first).to_contain_text("XL26-ANIMAL_0001")
    expect(first).to_contain_text("2012-01-01")  # an Excel date cell, stored as YYYY-MM-DD

    page.click("#record-actions summary")
    page.select_option("#delete-form select[name=kind]", "animals")
    page.fill("#delete-form textarea[name=ids]", "XL26-ANIMAL_0001\nXL26-ANIMAL_0002")
    page.click("#btn-delete")

    expect(page.locator("#notification")).to_have_text(
        "You've removed 2 animals and their 4 samples. Rerun validation please!"
    )
    expect(page.locator("#animals-heading")).to_contain_text("(10)")
    expect(page.locator("#samples-heading")).to_contain_text("(20)")

    page.click("#btn-validate")
    expect(page.locator("#status-badge")).to_have_text("Ready", timeout=60_000)
    expect(page.locator("#count-animals")).to_have_text("10")
    expect(page.locator("#count-animal-issues")).to_have_text("0")
    page.click("#record-actions summary")
    expect(page.locator("#btn-delete")).to_be_enabled()

    page.click("#btn-submit")
    # Once the records go to the archive they cannot be changed: the forms turn off without a reload.
    for button in ("#btn-reload", "#btn-delete", "#btn-reset"):
        expect(page.locator(button)).to_be_disabled(timeout=60_000)
    expect(page.locator("#reload-file")).to_be_disabled()
    expect(page.locator("#record-actions-unavailable")).to_be_visible()


def test_the_image_template_downloaded_from_the_create_page_filled_in_and_uploaded_loads_live(page, tmp_path):
    """What a new user does: take IMAGE's empty template from the page, fill it in, upload it, watch it load."""
    page.goto("/submissions/new/")
    with page.expect_download() as download:
        page.click("#download-xlsx-template")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)

    book = load_workbook(template)
    assert book["animal"]["A1"].value == "Animal id in data source"
    book["submission"].append(["IMAGE", "Browser herd", "", "", "Gene bank of Milan", "Italy"])
    book["breed"].append(["Large White", "", "", "", "United Kingdom", "Maiale"])  # Italian for pig
    book["animal"].append(["BRW-SOW1", "", "BRW-EAR1", "", "", "Large White", "Maiale", "female", date(2020, 3, 1)])
    book["animal"].append(["BRW-BOAR1", "", "BRW-EAR2", "", "", "Large White", "Maiale", "male", "2019-05-02"])
    for name, animal in (("BRW-S1", "BRW-SOW1"), ("BRW-S2", "BRW-BOAR1")):
        book["sample"].append([name, "", "", animal, "https://example.org/p.pdf", "", date(2022, 1, 5)])
        book["sample"][f"L{book['sample'].max_row}"] = "blood"
        book["sample"][f"N{book['sample'].max_row}"] = "20 months"
    filled = tmp_path / "filled.xlsx"
    book.save(filled)

    create_submission(page, title="Template herd", data_file=filled, open_form=False)

    expect(page.locator("#status-badge")).to_have_text("Loaded", timeout=60_000)
    expect(page.locator("#notification")).to_have_text("Loaded 2 animals and 2 samples. Validate them next.")
    expect(page.locator("#connection")).to_have_text("Live")
