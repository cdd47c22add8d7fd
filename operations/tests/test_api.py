"""The JSON API: session or token, the pages' owner/staff rule, the event log in order."""

from __future__ import annotations

import pytest
from django.test import Client

from apitokens.services import create_token
from common.constants import LOADED, WAITING
from submissions.actions import change_status
from submissions.events import Progress
from submissions.helpers import send_message
from uid.models import Submission

pytestmark = pytest.mark.django_db


def bearer(user) -> dict[str, str]:
    _token, raw = create_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_a_token_lists_only_the_owners_submissions(client, user, other_user, submission):
    Submission.objects.create(title="Not alice's", owner=other_user)

    response = client.get("/api/submissions/", **bearer(user))

    assert response.status_code == 200
    assert [row["title"] for row in response.json()] == ["Cattle 2026"]


def test_staff_see_every_submission(client, staff_user, other_user, submission):
    Submission.objects.create(title="Not alice's", owner=other_user)

    titles = {row["title"] for row in client.get("/api/submissions/", **bearer(staff_user)).json()}

    assert titles == {"Cattle 2026", "Not alice's"}


def test_anonymous_and_bad_tokens_are_refused(client, submission):
    assert client.get("/api/submissions/").status_code == 401
    assert client.get("/api/submissions/", HTTP_AUTHORIZATION="Bearer sl_wrong").status_code == 401


def test_a_session_works_too(user, submission):
    session = Client()
    session.force_login(user)

    assert session.get(f"/api/submissions/{submission.pk}/").json()["title"] == "Cattle 2026"


def test_someone_elses_submission_is_a_404_like_a_missing_one(client, other_user, submission):
    headers = bearer(other_user)

    assert client.get(f"/api/submissions/{submission.pk}/", **headers).status_code == 404
    assert client.get(f"/api/submissions/{submission.pk}/events", **headers).status_code == 404
    assert client.get("/api/submissions/999999/", **headers).status_code == 404


def test_detail_has_status_notification_counts_progress_and_last_seq(client, user, submission):
    change_status(submission=submission, status=LOADED, message="Loaded 2 animals.")
    submission.status, submission.job_phase = WAITING, "validation"
    submission.message = "Validation started."
    submission.save()
    send_message(submission)
    send_message(submission, progress=Progress("validation", 12000, 36000))

    body = client.get(f"/api/submissions/{submission.pk}/", **bearer(user)).json()

    assert body["status"] == WAITING
    assert body["status_name"] == "Waiting"
    assert body["notification"] == "Validation started."
    assert body["last_seq"] == 2
    assert body["job_running"] is True
    assert body["job_phase"] == "validation"
    assert body["progress"] == {"phase": "validation", "done": 12000, "total": 36000}
    assert body["counts"]["animals"] == 0


def test_events_since_n_are_the_log_in_order(client, user, submission):
    for number in range(1, 6):
        change_status(submission=submission, status=LOADED, message=f"step {number}")

    events = client.get(f"/api/submissions/{submission.pk}/events?since=2", **bearer(user)).json()

    assert [event["seq"] for event in events] == [3, 4, 5]
    assert [event["notification"] for event in events] == ["step 3", "step 4", "step 5"]
    assert events[0]["status_name"] == "Loaded"


def test_the_openapi_schema_is_served(client):
    schema = client.get("/api/openapi.json").json()

    assert {"/api/submissions/", "/api/submissions/{pk}/", "/api/submissions/{pk}/events"} <= set(schema["paths"])
