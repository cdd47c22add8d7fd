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


def signed_in_page(browser, site, *, username: str = "demo", password: str = "demo-password"):
    """A fresh browser context signed in (the seeded demo user by default), on the list page."""
    from playwright.sync_api import expect

    context = browser.new_context(base_url=site.base_url)
    context.add_init_script(SOCKET_TRACKER)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit], input[type=submit]")
    expect(page.get_by_text("Demo submission").first).to_be_visible()
    return page


# Every WebSocket a page opens, in `window.__sockets`, so a test can count a
# tab's sockets and drop one as a network would, without a hook in the site's JS.
SOCKET_TRACKER = """(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      window.__sockets.push(this);
      this.addEventListener("close", (event) => {
        this.closeCode = event.code;
      });
    }
  };
})();"""


def open_sockets(page) -> list[str]:
    """Path and query of each socket this tab holds open now."""
    return page.evaluate(
        """() => window.__sockets.filter((s) => s.readyState === WebSocket.OPEN)
                 .map((s) => { const u = new URL(s.url); return u.pathname + u.search; }).sort()"""
    )


def drop_sockets(page, path: str) -> int:
    """Close this tab's open sockets whose path starts with `path`, as a lost connection would."""
    return page.evaluate(
        """(path) => {
          const open = window.__sockets.filter(
            (s) => s.readyState === WebSocket.OPEN && new URL(s.url).pathname.startsWith(path),
          );
          open.forEach((s) => s.close());
          return open.length;
        }""",
        path,
    )
