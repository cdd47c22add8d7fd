"""Editing one record: the page, the rows it writes, and the status event it publishes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from common.constants import LOADED, NEED_REVISION, READY, SUBMITTED
from pages.record_editing import CHANGED_MESSAGE, EDITED_ISSUE, EditRefused, editable_fields, update_record
from submissions.models import SubmissionEvent
from uid.models import Animal, Sample, Submission
from validation.helpers import construct_validation_message
from validation.models import EDITED, ValidationResult
from validation.services import validate_submission


@pytest.fixture
def ready(submission):
    """A validated submission whose cow and sample pass, in Ready."""
    cow = Animal.objects.create(
        submission=submission,
        name="COW1",
        species="Bos taurus",
        breed="Jersey",
        sex="female",
        birth_date="2019",
        birth_country="IT",
    )
    Sample.objects.create(
        submission=submission,
        name="S1",
        animal=cow,
        animal_name="COW1",
        collection_date="2020",
        organism_part="blood",
        storage="fresh",
        protocol_url="https://example.org/p.pdf",
    )
    validate_submission(submission=submission)
    submission.status = READY
    submission.save()
    return submission


def values(record, **changes: str) -> dict[str, str]:
    kind = "animal" if isinstance(record, Animal) else "sample"
    return {field.name: getattr(record, field.name) for field in editable_fields(kind)} | changes


def edit_url(submission, record) -> str:
    kind = "animal" if isinstance(record, Animal) else "sample"
    return reverse("validation:edit_record", args=[submission.pk, kind, record.pk])


@pytest.mark.django_db
def test_saving_after_validation_marks_record_and_submission_need_revision(ready):
    """The change is stored, the record's verdict is replaced, and pages get the status event."""
    cow = Animal.objects.get(name="COW1")
    seq = Submission.objects.get(pk=ready.pk).last_seq

    changed = update_record(
        submission=ready, record_type="animal", record_id=cow.pk, values=values(cow, breed="Holstein")
    )

    assert changed == ["Supplied breed"]
    assert Animal.objects.get(pk=cow.pk).breed == "Holstein"
    result = ValidationResult.objects.get(submission=ready, record_type="animal", record_id=cow.pk)
    assert (result.status, result.issues) == (EDITED, [{"message": EDITED_ISSUE, "column": ""}])
    ready.refresh_from_db()
    assert (ready.status, ready.message) == (NEED_REVISION, CHANGED_MESSAGE)
    event = SubmissionEvent.objects.get(submission=ready, seq=seq + 1)
    assert (event.status, event.message) == (NEED_REVISION, "Data has changed, validation has to be called")
    assert event.validation_message["animal_unkn"] == 1  # the edited cow is no longer counted as checked
    assert construct_validation_message(ready)["sample_unkn"] == 0


@pytest.mark.django_db
def test_an_unchanged_form_changes_nothing(ready):
    """Saving without changes keeps the verdict and publishes no event."""
    cow = Animal.objects.get(name="COW1")
    events = SubmissionEvent.objects.count()

    assert update_record(submission=ready, record_type="animal", record_id=cow.pk, values=values(cow)) == []

    assert SubmissionEvent.objects.count() == events
    assert Submission.objects.get(pk=ready.pk).status == READY


@pytest.mark.django_db
def test_editing_a_sample_relinks_it_to_its_new_animal(ready):
    """Changing animal_id points the sample at that animal of the submission."""
    bull = Animal.objects.create(submission=ready, name="BULL", sex="male")
    sample = Sample.objects.get(name="S1")

    changed = values(sample, animal_name="BULL")
    update_record(submission=ready, record_type="sample", record_id=sample.pk, values=changed)

    assert Sample.objects.get(pk=sample.pk).animal == bull


@pytest.mark.django_db
def test_before_any_validation_an_edit_keeps_the_status(submission):
    """A Loaded submission has no verdict to invalidate: the record is saved, nothing else changes."""
    submission.status = LOADED
    submission.save()
    cow = Animal.objects.create(submission=submission, name="COW1", sex="female")

    update_record(submission=submission, record_type="animal", record_id=cow.pk, values=values(cow, sex="male"))

    assert Animal.objects.get(pk=cow.pk).sex == "male"
    assert Submission.objects.get(pk=submission.pk).status == LOADED
    assert not ValidationResult.objects.exists()
    assert not SubmissionEvent.objects.filter(submission=submission).exists()


@pytest.mark.django_db
def test_statuses_without_edit_refuse_and_write_nothing(ready):
    """While Submitted, the record stays as it was."""
    ready.status = SUBMITTED
    ready.save()
    cow = Animal.objects.get(name="COW1")

    with pytest.raises(EditRefused, match="cannot be edited while the submission is Submitted"):
        update_record(submission=ready, record_type="animal", record_id=cow.pk, values=values(cow, sex="male"))

    assert Animal.objects.get(pk=cow.pk).sex == "female"


# -- the page -----------------------------------------------------------------------


@pytest.mark.django_db
def test_edit_page_shows_the_record_and_its_last_messages(client, user, ready):
    """The form is filled with the stored values; the id is shown but not editable."""
    cow = Animal.objects.get(name="COW1")
    ValidationResult.objects.filter(record_id=cow.pk, record_type="animal").update(
        status="Warning",
        messages=[{"message": "birth_date is empty; it is recommended.", "column": "birth_date"}],
        shared_messages=None,
    )
    client.force_login(user)

    html = client.get(edit_url(ready, cow)).content.decode()

    assert '<span class="text-break" id="record-id">COW1</span>' in html
    assert 'name="breed" value="Jersey"' in html
    assert 'name="name"' not in html
    assert "birth_date is empty; it is recommended." in html
    assert "csrfmiddlewaretoken" in html
    # Each field says how much it matters, the two countries that either one is needed.
    assert "Mandatory. One of: male, female, record of unknown sex." in html
    assert "Used as EFABIS Breed country when that is empty." in html


@pytest.mark.django_db
def test_posting_the_form_saves_and_tells_the_person_to_validate_again(client, user, ready):
    """After the redirect the report shows the record as Need Revision and the message says why."""
    cow = Animal.objects.get(name="COW1")
    client.force_login(user)

    response = client.post(edit_url(ready, cow), values(cow, sex="male"), follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("validation:report", args=[ready.pk]) + "?type=animal"
    assert "Saved Sex. Data has changed, validation has to be called: validate again." in html
    assert 'badge text-bg-info">Need Revision<' in html
    assert html.count('<td class="text-info-emphasis edited-count">1</td>') == 1  # animals; samples show 0
    assert Animal.objects.get(pk=cow.pk).sex == "male"
    assert Submission.objects.get(pk=ready.pk).status == NEED_REVISION


@pytest.mark.django_db
def test_other_users_cannot_see_or_edit_records(client, other_user, ready):
    """Someone else's record is a 404 for GET and POST, and stays unchanged."""
    cow = Animal.objects.get(name="COW1")
    client.force_login(other_user)

    assert client.get(edit_url(ready, cow)).status_code == 404
    assert client.post(edit_url(ready, cow), values(cow, sex="male")).status_code == 404
    assert Animal.objects.get(pk=cow.pk).sex == "female"


@pytest.mark.django_db
def test_unknown_record_types_and_records_of_other_submissions_are_not_found(client, user, ready):
    other = Submission.objects.create(title="Other", owner=user)
    stranger = Animal.objects.create(submission=other, name="X")
    client.force_login(user)

    assert client.get(reverse("validation:edit_record", args=[ready.pk, "plant", 1])).status_code == 404
    assert client.get(edit_url(ready, stranger)).status_code == 404


@pytest.mark.django_db
def test_edit_page_refuses_while_the_status_does_not_allow_editing(client, user, ready):
    """While Submitted, the page sends the person back to the report with the reason."""
    ready.status = SUBMITTED
    ready.save()
    cow = Animal.objects.get(name="COW1")
    client.force_login(user)

    response = client.post(edit_url(ready, cow), values(cow, sex="male"), follow=True)

    assert "Records cannot be edited while the submission is Submitted." in response.content.decode()
    assert Animal.objects.get(pk=cow.pk).sex == "female"


@pytest.mark.django_db
def test_cross_site_posts_are_refused(user, ready):
    """The form needs the CSRF token; a forged post changes nothing."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    cow = Animal.objects.get(name="COW1")

    assert client.post(edit_url(ready, cow), values(cow, sex="male")).status_code == 403
    assert Animal.objects.get(pk=cow.pk).sex == "female"


@pytest.mark.django_db
def test_too_long_values_are_refused_with_a_message(client, user, ready):
    cow = Animal.objects.get(name="COW1")
    client.force_login(user)

    response = client.post(edit_url(ready, cow), values(cow, sex="m" * 40))

    assert response.status_code == 200
    assert "Ensure this value has at most 32 characters" in response.content.decode()
    assert Animal.objects.get(pk=cow.pk).sex == "female"


@pytest.mark.django_db
def test_markup_in_values_and_messages_shows_as_text_on_the_edit_page(client, user, ready):
    """Values come from an uploaded file: the page prints them, the browser never runs them."""
    cow = Animal.objects.get(name="COW1")
    Animal.objects.filter(pk=cow.pk).update(name="<i>COW1</i>", sex="<script>alert(1)</script>")
    validate_submission(submission=ready)
    client.force_login(user)

    html = client.get(edit_url(ready, cow)).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "<i>COW1</i>" not in html
    assert '<span class="text-break" id="record-id">&lt;i&gt;COW1&lt;/i&gt;</span>' in html
    assert 'name="sex" value="&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert "&lt;&lt;script&gt;alert(1)&lt;/script&gt;&gt; of field Sex is not one of the allowed terms" in html
