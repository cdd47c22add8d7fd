"""Submission pages as a signed-in scientist sees them, and who may see them."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from common.constants import COMPLETED, ERROR, LOADED, NEED_REVISION, READY, STATUSES, SUBMITTED, WAITING
from submissions.models import SubmissionEvent
from uid.models import Animal, Sample, Submission

pytestmark = pytest.mark.django_db

CSV = b"id,species\nA1,Sus scrofa\n"
XSS = "<script>alert(1)</script>"


class ElementIndex(HTMLParser):
    """Attributes of every element with an id, to read buttons and badges."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.by_id: dict[str, dict[str, str | None]] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.by_id[found["id"]] = found | {"<tag>": tag}


def element(response, element_id: str) -> dict[str, str | None]:
    return ElementIndex(response.content.decode()).by_id[element_id]


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads go to a temporary folder, never into the repository."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def enqueued(monkeypatch):
    """Jobs queued by `start_phase`, recorded instead of run."""
    calls: list[tuple[str, int]] = []

    def record(phase: str, submission_id: int) -> None:
        calls.append((phase, submission_id))

    monkeypatch.setattr("jobs.runner.enqueue", record)
    monkeypatch.setattr("jobs.services.enqueue", record)
    return calls


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", password="pw-alice-123")


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob", password="pw-bob-123")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def make(owner, status: int = LOADED, **fields) -> Submission:
    return Submission.objects.create(title=fields.pop("title", "Pigs 2024"), owner=owner, status=status, **fields)


def upload(content: bytes = CSV) -> SimpleUploadedFile:
    return SimpleUploadedFile("data.csv", content, content_type="text/csv")


# -- access -------------------------------------------------------------------

PAGES = ["submissions:detail", "submissions:edit"]
ACTIONS = ["submissions:validate", "submissions:submit"]


def test_every_page_asks_anonymous_visitors_to_log_in(client, alice):
    """Anonymous visitors are sent to the login page, whatever they open."""
    submission = make(alice)
    urls = [reverse("submissions:list"), reverse("submissions:create")]
    urls += [reverse(name, args=[submission.pk]) for name in PAGES + ACTIONS]

    for url in urls:
        response = client.post(url) if url.endswith(("validate/", "submit/")) else client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


@pytest.mark.parametrize("name", PAGES)
def test_another_users_submission_page_is_not_found(alice_client, bob, name):
    """Alice cannot open Bob's submission: it does not exist for her."""
    bobs = make(bob)

    assert alice_client.get(reverse(name, args=[bobs.pk])).status_code == 404


@pytest.mark.parametrize("name", ACTIONS)
def test_another_users_submission_cannot_be_acted_on(alice_client, bob, name, enqueued):
    """Alice's POST to Bob's submission is a 404 and starts nothing."""
    bobs = make(bob, status=READY)

    assert alice_client.post(reverse(name, args=[bobs.pk])).status_code == 404
    assert enqueued == []
    bobs.refresh_from_db()
    assert bobs.status == READY


def test_another_users_submission_cannot_be_edited(alice_client, bob, enqueued):
    bobs = make(bob)

    response = alice_client.post(reverse("submissions:edit", args=[bobs.pk]), {"title": "mine now"})

    assert response.status_code == 404
    bobs.refresh_from_db()
    assert bobs.title == "Pigs 2024"


def test_staff_see_and_open_every_submission(client, django_user_model, alice, bob):
    """Staff review everyone's submissions, and see whose each one is."""
    staff = django_user_model.objects.create_user("stella", password="pw", is_staff=True)
    make(alice, title="Alice cows")
    bobs = make(bob, title="Bob pigs")
    client.force_login(staff)

    listing = client.get(reverse("submissions:list")).content.decode()
    detail = client.get(reverse("submissions:detail", args=[bobs.pk]))

    assert "Alice cows" in listing
    assert "Bob pigs" in listing
    assert detail.status_code == 200
    assert "Owner: bob" in detail.content.decode()


# -- layout -------------------------------------------------------------------


def test_login_page_has_username_and_password_fields(client):
    page = client.get(reverse("login")).content.decode()

    assert 'name="username"' in page
    assert 'name="password"' in page
    assert "Submission Live" in page


def test_logging_in_leads_to_the_submission_list(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "pw-alice-123"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("submissions:list")
    assert "alice" in response.content.decode()


def test_navbar_shows_the_user_and_a_post_logout_form(alice_client):
    """Django 5 logs out on POST only, so logout is a form with a CSRF token."""
    page = alice_client.get(reverse("submissions:list")).content.decode()

    assert '<span class="navbar-text me-2" id="nav-username">alice</span>' in page
    assert f'<form method="post" action="{reverse("logout")}"' in page
    assert 'id="logout-button"' in page
    assert "csrfmiddlewaretoken" in page
    assert "/static/vendor/bootstrap/bootstrap.min.css" in page


# -- list ---------------------------------------------------------------------


def test_list_shows_title_status_and_notification(alice_client, alice, bob):
    """Each row links to the submission and shows its status and message."""
    mine = make(alice, status=NEED_REVISION, message="2 animals need a species")
    make(bob, title="Bob secret")

    response = alice_client.get(reverse("submissions:list"))
    page = response.content.decode()

    assert f'href="{mine.get_absolute_url()}">Pigs 2024</a>' in page
    assert '<span class="badge text-bg-warning" data-role="status-badge">Need Revision</span>' in page
    assert "2 animals need a species" in page
    assert "Bob secret" not in page
    assert f'data-ws-path="/ws/submissions/{mine.pk}/"' in page
    assert "submissions/live.js" in page


def test_list_pages_twenty_at_a_time(alice_client, alice):
    for number in range(23):
        make(alice, title=f"Batch {number:02d}")

    first = alice_client.get(reverse("submissions:list")).content.decode()
    second = alice_client.get(reverse("submissions:list"), {"page": 2}).content.decode()

    assert first.count('data-role="status-badge"') == 20
    assert second.count('data-role="status-badge"') == 3
    assert "Page 2 of 2" in second


# -- create -------------------------------------------------------------------


def test_create_page_links_the_templates_and_examples_of_every_format(alice_client):
    page = alice_client.get(reverse("submissions:create")).content.decode()

    for name in (
        "submission_template.xlsx",
        "submission_example.xlsx",
        "submission_template.csv",
        "submission_example.csv",
        "crb_anim_template.csv",
        "crb_anim_example.csv",
    ):
        assert f'href="/data/templates/{name}"' in page
    assert 'enctype="multipart/form-data"' in page


def test_the_create_form_asks_for_the_gene_bank_the_ruleset_needs(alice_client, alice, enqueued):
    """Gene bank name and country are mandatory on every IMAGE record; the submission CSV has no place for them."""
    alice_client.post(
        reverse("submissions:create"),
        {
            "title": "Pigs 2024",
            "description": "Farm A",
            "gene_bank_name": "Banca del germoplasma",
            "gene_bank_country": "Italy",
            "data_file": upload(),
        },
    )

    submission = Submission.objects.get()
    assert (submission.gene_bank_name, submission.gene_bank_country) == ("Banca del germoplasma", "Italy")


def test_creating_a_submission_stores_the_file_and_starts_the_import(alice_client, alice, enqueued):
    """The new submission is Alice's, Waiting on its import, and the page opens on it."""
    response = alice_client.post(
        reverse("submissions:create"), {"title": "Pigs 2024", "description": "Farm A", "data_file": upload()}
    )

    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("submissions:detail", args=[submission.pk])
    assert submission.owner == alice
    assert submission.uploaded_file.read() == CSV
    assert submission.status == WAITING
    assert submission.message == "Importing your data file…"
    assert list(SubmissionEvent.objects.values_list("seq", "status")) == [(1, WAITING)]
    assert enqueued == [("import", submission.pk)]


def test_a_file_over_the_limit_is_refused_with_a_clear_error(alice_client, settings, enqueued):
    settings.UPLOAD_MAX_BYTES = 10

    response = alice_client.post(reverse("submissions:create"), {"title": "Pigs", "data_file": upload()})

    assert response.status_code == 200
    assert "the largest file accepted is 10\xa0bytes" in response.content.decode()
    assert not Submission.objects.exists()
    assert enqueued == []


# -- detail -------------------------------------------------------------------

ALLOWED = {
    WAITING: (False, False, False),
    LOADED: (True, False, True),
    SUBMITTED: (False, False, False),
    ERROR: (True, False, True),
    NEED_REVISION: (True, False, True),
    READY: (True, True, True),
    COMPLETED: (False, False, False),
}


@pytest.mark.parametrize(("status", "name"), STATUSES)
def test_action_buttons_are_enabled_only_when_the_status_allows(alice_client, alice, status, name):
    """Validate, Submit and Edit are usable exactly in the statuses that allow them."""
    submission = make(alice, status=status)

    response = alice_client.get(reverse("submissions:detail", args=[submission.pk]))

    validate, submit, edit = ALLOWED[status]
    assert ("disabled" not in element(response, "btn-validate")) is validate
    assert ("disabled" not in element(response, "btn-submit")) is submit
    assert ("disabled" not in element(response, "btn-edit")["class"].split()) is edit
    assert element(response, "status-badge")["class"].split()[-1].startswith("text-bg-")
    assert f">{name}</span>" in response.content.decode()


def test_detail_shows_status_badge_banner_and_counts(alice_client, alice):
    submission = make(alice, status=READY, message="All records passed", last_seq=1)
    counts = {"animals": 12, "samples": 30, "animal_issues": 0, "sample_issues": 2, "animal_unkn": 0, "sample_unkn": 1}
    SubmissionEvent.objects.create(
        submission=submission, seq=1, status=READY, message="", validation_message=counts, frame="{}",
        created=timezone.now(),
    )  # fmt: skip

    response = alice_client.get(reverse("submissions:detail", args=[submission.pk]))
    page = response.content.decode()

    assert "text-bg-success" in element(response, "status-badge")["class"]
    assert 'id="notification" class="alert alert-success"' in page
    assert "All records passed" in page
    assert '<span id="count-animals" class="fw-semibold">12</span>' in page
    assert '<span id="count-sample-issues" class="fw-semibold text-danger">2</span>' in page
    assert '<span id="count-sample-unkn" class="fw-semibold">1</span>' in page
    assert element(response, "connection")["<tag>"] == "span"
    assert "Connecting…" in page


def test_detail_hands_the_live_client_its_state(alice_client, alice):
    submission = make(alice, status=LOADED, last_seq=4)

    response = alice_client.get(reverse("submissions:detail", args=[submission.pk]))
    state = json.loads(
        response.content.decode().split('id="submission-state" type="application/json">')[1].split("<")[0]
    )

    assert state["submission"] == submission.pk
    assert state["seq"] == 4
    assert state["status"] == LOADED
    assert state["statuses"]["1"] == "Loaded"
    assert state["colours"]["3"] == "danger"
    assert state["actions"]["1"] == ["edit", "validate"]
    assert state["ws_path"] == f"/ws/submissions/{submission.pk}/"
    assert "submissions/live.js" in response.content.decode()


def test_a_hostile_notification_is_shown_as_text(alice_client, alice):
    """Markup in a message is escaped in the banner, the list and the timeline."""
    submission = make(alice, message=XSS, title=XSS, last_seq=1)
    SubmissionEvent.objects.create(
        submission=submission, seq=1, status=LOADED, message=XSS, frame="{}", created=timezone.now()
    )

    detail = alice_client.get(reverse("submissions:detail", args=[submission.pk])).content.decode()
    listing = alice_client.get(reverse("submissions:list")).content.decode()

    for page in (detail, listing):
        assert XSS not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_timeline_lists_events_newest_first(alice_client, alice):
    submission = make(alice, status=LOADED, last_seq=2)
    for seq, status, message in [(1, WAITING, "Importing"), (2, LOADED, "Imported 1 animal")]:
        SubmissionEvent.objects.create(
            submission=submission, seq=seq, status=status, message=message, frame="{}", created=timezone.now()
        )

    page = alice_client.get(reverse("submissions:detail", args=[submission.pk])).content.decode()

    assert page.index('data-seq="2"') < page.index('data-seq="1"')
    assert "Imported 1 animal" in page


def test_progress_bar_shows_only_while_waiting(alice_client, alice):
    running = make(alice, status=WAITING, job_phase="validation")
    idle = make(alice, status=LOADED)

    shown = alice_client.get(reverse("submissions:detail", args=[running.pk]))
    hidden = alice_client.get(reverse("submissions:detail", args=[idle.pk]))

    assert "d-none" not in element(shown, "progress")["class"]
    assert "validation: starting…" in shown.content.decode()
    assert "d-none" in element(hidden, "progress")["class"]
    assert element(hidden, "progress-bar")["aria-valuenow"] == "0"


def test_records_tables_show_accessions(alice_client, alice):
    submission = make(alice)
    animal = Animal.objects.create(submission=submission, name="PIG-1", accession="SAMEA0001", row=2)
    Sample.objects.create(submission=submission, name="BLOOD-1", animal=animal, animal_name="PIG-1", row=3)

    page = alice_client.get(reverse("submissions:detail", args=[submission.pk])).content.decode()

    assert "PIG-1" in page
    assert "BLOOD-1" in page
    assert "SAMEA0001" in page
    assert page.count(">Accession</th>") == 2


def test_counts_link_to_the_validation_report(alice_client, alice):
    submission = make(alice)
    report = reverse("validation:report", args=[submission.pk])  # NoReverseMatch fails the test: it is routed

    page = alice_client.get(reverse("submissions:detail", args=[submission.pk])).content.decode()

    assert f'href="{report}"' in page


# -- validate / submit ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status", "phase"), [("validate", LOADED, "validation"), ("submit", READY, "submission")]
)
def test_an_allowed_action_starts_its_phase(alice_client, alice, enqueued, name, status, phase):
    """The submission goes to Waiting, the job is queued, and the page says so."""
    submission = make(alice, status=status)

    response = alice_client.post(reverse(f"submissions:{name}", args=[submission.pk]), follow=True)

    submission.refresh_from_db()
    assert response.redirect_chain[-1][0] == reverse("submissions:detail", args=[submission.pk])
    assert submission.status == WAITING
    assert enqueued == [(phase, submission.pk)]
    # One current notification: the phase's own status event, not a flash stacked above it.
    page = response.content.decode()
    assert element(response, "notification")["role"] == "status"
    assert submission.message in page
    assert "started." not in page


@pytest.mark.parametrize(("name", "status"), [("validate", WAITING), ("validate", COMPLETED), ("submit", LOADED)])
def test_a_disallowed_action_shows_an_error_and_changes_nothing(alice_client, alice, enqueued, name, status):
    submission = make(alice, status=status)

    response = alice_client.post(reverse(f"submissions:{name}", args=[submission.pk]), follow=True)

    submission.refresh_from_db()
    assert submission.status == status
    assert not SubmissionEvent.objects.exists()
    assert enqueued == []
    assert 'class="alert alert-danger' in response.content.decode()
    assert "cannot start" in response.content.decode()


@pytest.mark.parametrize("name", ACTIONS)
def test_actions_refuse_get(alice_client, alice, name):
    """Starting a job changes state, so a link or prefetch must not do it."""
    submission = make(alice, status=READY)

    assert alice_client.get(reverse(name, args=[submission.pk])).status_code == 405


def test_an_action_without_a_csrf_token_is_forbidden(alice, enqueued):
    """A cross-site form cannot start a validation."""
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(alice)
    submission = make(alice, status=LOADED)
    url = reverse("submissions:validate", args=[submission.pk])

    refused = csrf_client.post(url)
    csrf_client.get(reverse("submissions:detail", args=[submission.pk]))
    accepted = csrf_client.post(url, {"csrfmiddlewaretoken": csrf_client.cookies["csrftoken"].value})

    assert refused.status_code == 403
    assert accepted.status_code == 302
    assert enqueued == [("validation", submission.pk)]


# -- edit ---------------------------------------------------------------------


def test_edit_is_refused_while_the_status_does_not_allow_it(alice_client, alice):
    submission = make(alice, status=WAITING)

    response = alice_client.get(reverse("submissions:edit", args=[submission.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("submissions:detail", args=[submission.pk])
    assert "cannot be edited while it is Waiting" in response.content.decode()


def test_editing_the_title_keeps_the_status(alice_client, alice, enqueued):
    submission = make(alice, status=NEED_REVISION)

    response = alice_client.post(
        reverse("submissions:edit", args=[submission.pk]), {"title": "Renamed", "description": "More"}
    )

    submission.refresh_from_db()
    assert response.status_code == 302
    assert (submission.title, submission.description, submission.status) == ("Renamed", "More", NEED_REVISION)
    assert enqueued == []
    assert messages_of(response) == ["Changes saved."]


def test_a_replacement_file_is_imported_again(alice_client, alice, enqueued):
    submission = make(alice, status=ERROR)
    new_file = b"id,species\nA9,Bos taurus\n"

    alice_client.post(
        reverse("submissions:edit", args=[submission.pk]), {"title": "Fixed", "data_file": upload(new_file)}
    )

    submission.refresh_from_db()
    assert submission.uploaded_file.read() == new_file
    assert submission.status == WAITING
    assert enqueued == [("import", submission.pk)]


def test_edit_form_is_prefilled(alice_client, alice):
    submission = make(alice, title="Cattle", description="Herd B")

    page = alice_client.get(reverse("submissions:edit", args=[submission.pk])).content.decode()

    assert 'value="Cattle"' in page
    assert "Herd B" in page


def test_the_live_page_gets_a_json_answer_and_no_stale_message(alice_client, alice, enqueued):
    """A fetch asking for JSON gets 202 and the page stays; no message waits for the next page."""
    submission = make(alice, status=LOADED)
    url = reverse("submissions:validate", args=[submission.pk])

    response = alice_client.post(url, headers={"accept": "application/json"})

    submission.refresh_from_db()
    assert response.status_code == 202
    assert response.json() == {"ok": True, "message": "Validation started."}
    assert submission.status == WAITING
    assert enqueued == [("validation", submission.pk)]
    assert messages_of(response) == []


def test_the_live_page_is_told_why_an_action_is_refused(alice_client, alice, enqueued):
    """A disallowed action answers 409 with the reason, and nothing changes."""
    submission = make(alice, status=LOADED)

    response = alice_client.post(
        reverse("submissions:submit", args=[submission.pk]), headers={"accept": "application/json"}
    )

    submission.refresh_from_db()
    assert response.status_code == 409
    assert response.json() == {"ok": False, "error": "A submission in status Loaded cannot start submission."}
    assert submission.status == LOADED
    assert enqueued == []


# -- cancel -------------------------------------------------------------------


def running(owner, **fields) -> Submission:
    return make(owner, status=WAITING, job_phase="import", job_state="running", job_previous_status=LOADED, **fields)


def test_the_owner_cancels_a_running_phase_with_a_post(alice_client, alice):
    submission = running(alice)

    response = alice_client.post(reverse("submissions:cancel", args=[submission.pk]), HTTP_ACCEPT="application/json")

    assert response.status_code == 202
    assert response.json() == {"ok": True, "message": "Cancelling the import…"}
    submission.refresh_from_db()
    assert submission.job_cancel_requested is True


def test_staff_may_cancel_and_everyone_else_gets_404(client, django_user_model, alice, bob):
    submission = running(alice)
    url = reverse("submissions:cancel", args=[submission.pk])
    client.force_login(bob)
    assert client.post(url).status_code == 404
    client.force_login(django_user_model.objects.create_user("stella", password="pw", is_staff=True))
    assert client.post(url).status_code == 302
    submission.refresh_from_db()
    assert submission.job_cancel_requested is True


def test_cancel_needs_a_post_with_csrf_and_a_sign_in(alice, django_user_model):
    submission = running(alice)
    url = reverse("submissions:cancel", args=[submission.pk])
    assert Client().post(url).status_code == 302  # to the login page
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(alice)
    assert guarded.get(url).status_code == 405
    assert guarded.post(url).status_code == 403
    submission.refresh_from_db()
    assert submission.job_cancel_requested is False


def test_cancel_when_nothing_runs_is_refused_with_the_reason(alice_client, alice):
    submission = make(alice, status=READY)

    response = alice_client.post(reverse("submissions:cancel", args=[submission.pk]), HTTP_ACCEPT="application/json")

    assert response.status_code == 409
    assert response.json()["error"] == "Nothing is running that could be cancelled; the submission is Ready."


def test_the_cancel_button_shows_only_while_a_phase_runs(alice_client, alice):
    shown = alice_client.get(running(alice).get_absolute_url())
    hidden = alice_client.get(make(alice, status=READY).get_absolute_url())

    assert "d-none" not in (element(shown, "cancel-form")["class"] or "")
    assert "d-none" in element(hidden, "cancel-form")["class"]
    assert element(shown, "btn-cancel")["<tag>"] == "button"
