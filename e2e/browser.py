"""Debian's Chromium under Playwright; never a downloaded browser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = "Debian's chromium is not installed (apt-get install -y chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI requires a real browser: {reason}")
    pytest.skip(reason)


def launch(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


def create_submission(page, *, title: str, data_file: Path, open_form: bool = True) -> None:
    """Fill the create page as a person does, with the gene bank the IMAGE ruleset makes mandatory, and send it."""
    if open_form:
        page.goto("/submissions/new/")
    page.fill("input[name=title]", title)
    page.fill("input[name=gene_bank_name]", f"{title} Gene Bank")
    page.fill("input[name=gene_bank_country]", "Italy")
    page.set_input_files("input[type=file]", str(data_file))
    page.click("form button[type=submit]:not(#logout-button)")


def signed_in_page(browser, site):
    """A fresh browser context signed in as the seeded demo user, on the list page."""
    from playwright.sync_api import expect

    context = browser.new_context(base_url=site.base_url)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "demo")
    page.fill("input[name=password]", "demo-password")
    page.click("button[type=submit], input[type=submit]")
    expect(page.get_by_text("Demo submission").first).to_be_visible()
    return page
