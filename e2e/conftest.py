from __future__ import annotations

import pytest

from e2e.browser import signed_in_page
from e2e.server import SiteProcess


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A real uvicorn process serving a freshly migrated and seeded site."""
    site = SiteProcess.create(tmp_path_factory.mktemp("site"))
    site.start()
    yield site
    site.stop()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, one per test module (see e2e/browser.py)."""
    from playwright.sync_api import sync_playwright

    from e2e.browser import launch, require_chromium

    require_chromium()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, site):
    """A fresh browser context signed in as the seeded demo user, on the list page."""
    page = signed_in_page(browser, site)
    yield page
    page.context.close()
