"""Template downloads and the detail page's record actions, as a browser posts them."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from common.constants import COMPLETED, LOADED, PHASE_IMPORT, READY, WAITING
from uid.example_files import DOWNLOADS
from uid.models import Animal, Sample, Submission


@pytest.fixture
def enqueued(monkeypatch):
    calls: list[tuple[str, int]] = []
    monkeypatch.setattr("jobs.services.enqueue", lambda phase, pk: calls.append((phase, pk)))
    return calls


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def ready(submission):
    Submission.objects.filter(pk=submission.pk).update(status=READY)
    cow = Animal.objects.create(submission=submission, name="COW1")
    Sample.objects.create(submission=submission, name="S1", animal=cow, animal_name="COW1")
    return submission


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(DOWNLOADS))
def test_every_template_and_example_downloads_as_an_attachment(client, user, name):
    client.force_login(user)

    response = client.get(f"/data/templates/{name}")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    if name.endswith(".xlsx"):
        # Workbooks carry their save time, so compare what the sheets hold.
        assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
        assert sheets(response.content) == sheets(DOWNLOADS[name].build())
    else:
        kind = "application/sql" if name.endswith(".sql") else "text/csv"
        assert response["Content-Type"] == f"{kind}; charset=utf-8"
        assert response.content == DOWNLOADS[name].build()


def sheets(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}


@pytest.mark.django_db
def test_downloads_need_a_login_and_an_existing_name(client, user):
    response = client.get("/data/templates/submission_example.xlsx")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))

    client.force_login(user)
    assert client.get("/data/templates/secrets.txt").status_code == 404


class RecordActions(HTMLParser):
    """Whether each record-action form's fieldset is enabled, and whether the "not now" hint shows."""

    def __init__(self) -> None:
        super().__init__()
        self.form = ""
        self.shown: dict[str, bool] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self.form = values.get("id") or ""
        elif tag == "fieldset" and values.get("data-needs") == "edit":
            self.shown[self.form] = "disabled" not in values
        elif values.get("id") == "record-actions-unavailable":
            self.shown["hint"] = "d-none" not in (values.get("class") or "").split()


def record_actions(page: str) -> dict[str, bool]:
    parser = RecordActions()
    parser.feed(page)
    return parser.shown


@pytest.mark.django_db
def test_the_record_actions_are_enabled_only_when_editing_is_allowed(client, user, ready):
    """The forms are always on the page, so the live page can enable them when the status allows editing."""
    client.force_login(user)
    page = client.get(ready.get_absolute_url()).content.decode()
    assert record_actions(page) == {"reload-form": True, "delete-form": True, "reset-form": True, "hint": False}

    for status in (WAITING, COMPLETED):
        Submission.objects.filter(pk=ready.pk).update(status=status)
        page = client.get(ready.get_absolute_url()).content.decode()
        assert record_actions(page) == {"reload-form": False, "delete-form": False, "reset-form": False, "hint": True}
        assert "Records can be changed when the submission is Loaded, Error, Need Revision or Ready" in page


@pytest.mark.django_db
def test_deleting_by_id_list_redirects_with_the_message(client, user, ready):
    client.force_login(user)

    response = client.post(
        reverse("submissions:delete_records", args=[ready.pk]), {"kind": "animals", "ids": "COW1\n"}, follow=True
    )

    assert messages_of(response) == ["You've removed 1 animal and their 1 sample. Rerun validation please!"]
    assert "You&#x27;ve removed 1 animal and their 1 sample." in response.content.decode()  # the live banner too
    assert not Animal.objects.exists()


@pytest.mark.django_db
def test_unknown_ids_are_an_error_message_and_nothing_is_deleted(client, user, ready):
    client.force_login(user)

    response = client.post(reverse("submissions:delete_records", args=[ready.pk]), {"kind": "samples", "ids": "S9"})

    assert messages_of(response) == [
        'No sample with these ids in this submission: "S9". Nothing was deleted; check the ids and try again.'
    ]
    assert Sample.objects.exists()


@pytest.mark.django_db
def test_the_live_page_gets_json(client, user, ready):
    client.force_login(user)
    url = reverse("submissions:reset", args=[ready.pk])

    response = client.post(url, HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "message": "Validation results cleared; the records are as loaded. Rerun validation please!",
    }
    assert Submission.objects.get(pk=ready.pk).status == LOADED


@pytest.mark.django_db
def test_reload_stores_the_new_file_and_starts_the_import(client, user, ready, enqueued):
    client.force_login(user)
    workbook = DOWNLOADS["submission_example.xlsx"].build()

    response = client.post(
        reverse("submissions:reload", args=[ready.pk]), {"data_file": SimpleUploadedFile("herd.xlsx", workbook)}
    )

    ready.refresh_from_db()
    assert messages_of(response) == ["Importing the new file; it replaces all records."]
    assert (ready.status, enqueued) == (WAITING, [(PHASE_IMPORT, ready.pk)])
    assert ready.uploaded_file.read() == workbook


@pytest.mark.django_db
def test_reload_refuses_a_bad_file_and_keeps_everything(client, user, ready, enqueued):
    client.force_login(user)

    response = client.post(
        reverse("submissions:reload", args=[ready.pk]), {"data_file": SimpleUploadedFile("herd.xls", b"\xd0\xcf")}
    )

    assert messages_of(response)[0].startswith("The file was not accepted: Spreadsheet workbooks (.xls) are not")
    assert (Submission.objects.get(pk=ready.pk).status, enqueued) == (READY, [])


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["reload", "delete_records", "reset"])
def test_actions_are_post_only_csrf_checked_and_hidden_from_others(client, user, other_user, staff_user, ready, action):
    url = reverse(f"submissions:{action}", args=[ready.pk])
    client.force_login(user)
    assert client.get(url).status_code == 405

    client.force_login(other_user)
    assert client.post(url, {"kind": "animals", "ids": "COW1"}).status_code == 404

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(url, {"kind": "animals", "ids": "COW1"}).status_code == 403
    assert Animal.objects.exists()


@pytest.mark.django_db
def test_staff_may_act_as_they_may_edit(client, staff_user, ready):
    client.force_login(staff_user)

    client.post(reverse("submissions:delete_records", args=[ready.pk]), {"kind": "samples", "ids": "S1"})

    assert not Sample.objects.exists()


@pytest.mark.django_db
def test_a_status_that_forbids_editing_is_an_error_message(client, user, ready):
    Submission.objects.filter(pk=ready.pk).update(status=COMPLETED)
    client.force_login(user)

    response = client.post(reverse("submissions:reset", args=[ready.pk]))

    assert messages_of(response) == [
        "This submission is Completed: its records are in the archive and cannot be changed."
    ]
