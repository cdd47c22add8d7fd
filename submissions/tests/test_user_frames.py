from __future__ import annotations

import json
from datetime import UTC, datetime

from common.constants import NEED_REVISION
from submissions.user_frames import user_event_message, user_group_name


def test_the_layer_message_carries_the_owner_and_an_encoded_frame():
    when = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
    message = user_event_message(
        user_id=7,
        submission_id=3,
        seq=4,
        title="Goats <2026>",
        status=NEED_REVISION,
        notification="word " * 200,
        timestamp=when,
    )

    frame = json.loads(message.pop("frame"))
    assert message == {"type": "user.event", "user": 7, "submission": 3, "seq": 4}
    assert frame["type"] == "notification"
    assert frame["title"] == "Goats <2026>"
    assert frame["message"] == "Need Revision"
    assert frame["url"] == "/submissions/3/"
    assert frame["timestamp"] == "2026-11-23T22:00:00+00:00"
    assert frame["notification_message"] == "word " * 200
    assert user_group_name(7) == "user.7"
