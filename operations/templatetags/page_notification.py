"""`{% current_notification submission %}`: the one notification a submission's page shows.

The detail page used to stack a flash message ("Validation started."), the
notification banner and the action's own alert. It now shows one: a refusal
flashed by this request (an error or a warning: nothing was recorded, so it
is news) or else the submission's notification, the newest status event.
Success and info flashes are dropped: what they say is that status event,
already in the banner and the timeline. Reading the messages here marks
them seen, so they do not reappear on the next page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.contrib.messages import get_messages

from common.constants import ERROR, STATUS_COLOURS

register = template.Library()

URGENT_LEVELS = {"error": "danger", "warning": "warning"}


@dataclass(frozen=True, slots=True)
class Notification:
    text: str
    colour: str
    urgent: bool


@register.simple_tag(takes_context=True)
def current_notification(context: dict[str, Any], submission: Any) -> Notification:
    refusal = None
    request = context.get("request")
    if request is not None:
        for message in get_messages(request):
            if message.level_tag in URGENT_LEVELS:
                refusal = message
    if refusal is not None:
        return Notification(str(refusal), URGENT_LEVELS[refusal.level_tag], refusal.level_tag == "error")
    return Notification(submission.message, STATUS_COLOURS[submission.status], submission.status == ERROR)
