"""`{% notification_state %}`: what `toasts.js` needs on every signed-in page.

A template tag rather than a context processor, so base.html asks for it
where the toast script is, and no settings change for a page-level detail.
"""

from __future__ import annotations

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString

from submissions.selectors import status_tables

register = template.Library()

NOTIFICATIONS_WS_PATH = "/ws/notifications/"


@register.simple_tag
def notification_state() -> SafeString:
    tables = status_tables()
    state = {"ws_path": NOTIFICATIONS_WS_PATH, "statuses": tables["statuses"], "colours": tables["colours"]}
    return json_script(state, "notification-state")
