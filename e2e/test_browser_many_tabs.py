"""Five list tabs and five detail tabs of one person, 22 submissions: every tab stays live."""

from __future__ import annotations

import re
import urllib.request

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

MAKE_SUBMISSIONS = """
from django.contrib.auth import get_user_model
from uid.models import Submission
demo = get_user_model().objects.get(username="demo")
for number in range(21):
    Submission.objects.create(title=f"Extra {number}", owner=demo, status=1, message="Loaded.")
"""
SET_STATUS = """
from common.constants import READY
from submissions.actions import change_status
from uid.models import Submission
change_status(submission=Submission.objects.get(pk=1), status=READY, message="Ready for every tab.")
change_status(submission=Submission.objects.get(title="Extra 20"), status=READY, message="Ready for every tab.")
"""


def test_five_list_tabs_and_five_detail_tabs_all_update(page, site):
    site.manage("shell", stdin=MAKE_SUBMISSIONS)
    context = page.context
    lists = [context.new_page() for _ in range(5)]
    details = [context.new_page() for _ in range(5)]
    for tab in lists:
        tab.goto("/submissions/")
    for tab in details:
        tab.goto("/submissions/1/")
    for tab in lists + details:
        expect(tab.locator("#connection")).to_have_text("Live", timeout=15_000)
    for tab in lists:
        assert tab.locator("#submission-table tbody tr").count() == 20  # one page: 20 rows, 20 sockets before

    site.manage("shell", stdin=SET_STATUS)

    for tab in lists:
        row = tab.locator("#submission-table tbody tr").filter(has_text="Extra 20")
        expect(row.locator("[data-role=notification]")).to_have_text("Ready for every tab.", timeout=10_000)
        expect(row.locator("[data-role=status-badge]")).to_have_text("Ready")
    for tab in details:
        expect(tab.locator("#notification")).to_have_text("Ready for every tab.", timeout=10_000)
    metrics = urllib.request.urlopen(f"{site.base_url}/metrics", timeout=5).read().decode()
    counts = dict(re.findall(r'^submission_live_sockets_open\{endpoint="(\w+)"\} ([\d.]+)$', metrics, re.MULTILINE))
    # 5 detail sockets, and one notification socket per tab (plus the fixture's own page): no socket per row.
    assert float(counts["submission"]) == 5
    assert float(counts["notifications"]) == 11
    refused = re.findall(r'^submission_live_connects_refused_total\{code="4430"\} ([\d.]+)$', metrics, re.MULTILINE)
    assert refused in ([], ["0.0"])
