from __future__ import annotations

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from common.constants import NEED_REVISION, SUBMITTED
from uid.models import Animal, Sample
from validation.models import ValidationResult
from validation.services import validate_submission


@pytest.fixture
def validated(submission):
    """A submission with a passing cow, a cow in Error and a sample with warnings, validated."""
    Animal.objects.create(
        submission=submission,
        name="COW1",
        alternative_id="EAR1",
        species="Bos taurus",
        breed="Jersey",
        sex="female",
        birth_date="2019",
        birth_country="IT",
        birth_location="Milano",
        latitude="45.46",
        longitude="9.19",
        accuracy="precise coordinates",
    )
    Animal.objects.create(
        submission=submission,
        name="COW2",
        alternative_id="EAR2",
        species="Bos taurus",
        breed="Jersey",
        sex="cow",
        birth_country="IT",
    )
    Sample.objects.create(
        submission=submission,
        name="S1",
        alternative_id="TUBE1",
        animal_name="COW1",
        collection_date="2020",
        organism_part="blood",
    )
    validate_submission(submission=submission)
    return submission


def records_shown(html: str, names: tuple[str, ...] = ("COW1", "COW2", "S1")) -> set[str]:
    """Which of `names` have a row in the report table."""
    return {name for name in names if f'<td class="text-break">{name}</td>' in html}


def report_url(submission, **params: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("validation:report", args=[submission.pk]) + (f"?{query}" if query else "")


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client, validated):
    """The report is private: without a session the page redirects to the login form."""
    response = client.get(report_url(validated))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_other_users_get_not_found(client, other_user, validated):
    """Someone else's report looks exactly like a missing one."""
    client.force_login(other_user)

    assert client.get(report_url(validated)).status_code == 404
    assert client.get(reverse("validation:report", args=[validated.pk + 1000])).status_code == 404


@pytest.mark.django_db
def test_owner_sees_summary_records_statuses_and_messages(client, user, validated):
    """The owner sees per-type counts and each record with its status and messages."""
    client.force_login(user)

    response = client.get(report_url(validated))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Validation report" in html
    assert 'id="validation-summary"' in html
    assert records_shown(html) == {"COW1", "COW2", "S1"}
    assert "&lt;cow&gt; of field Sex is not one of the allowed terms" in html
    assert "Recommended field Sample storage in specimen from organism section could not be found" in html
    assert html.count('badge text-bg-success">Pass<') == 1
    assert html.count('badge text-bg-warning">Warning<') == 1
    assert html.count('badge text-bg-danger">Error<') == 1


@pytest.mark.django_db
def test_staff_can_see_any_report(client, staff_user, validated):
    """Staff help submitters, so they may open every report."""
    client.force_login(staff_user)

    response = client.get(report_url(validated))

    html = response.content.decode()
    assert response.status_code == 200
    assert records_shown(html) == {"COW1", "COW2", "S1"}
    assert "&lt;cow&gt; of field Sex is not one of the allowed terms" in html


@pytest.mark.django_db
def test_filters_by_record_type_and_status(client, user, validated):
    """?type= and ?status= narrow the table; unknown values are ignored."""
    client.force_login(user)

    errors = client.get(report_url(validated, type="animal", status="Error")).content.decode()
    samples = client.get(report_url(validated, type="sample")).content.decode()
    everything = client.get(report_url(validated, type="plant", status="Bad")).content.decode()

    assert records_shown(errors) == {"COW2"}
    assert records_shown(samples) == {"S1"}
    assert records_shown(everything) == {"COW1", "COW2", "S1"}


@pytest.mark.django_db
def test_long_reports_are_paginated_and_keep_the_filter(client, user, submission):
    """100 records per page; page links carry the current filter along."""
    ValidationResult.objects.bulk_create(
        ValidationResult(
            submission=submission, record_type="animal", record_id=i, record_name=f"A{i:03d}", status="Pass"
        )
        for i in range(150)
    )
    client.force_login(user)

    first = client.get(report_url(submission, status="Pass")).content.decode()
    second = client.get(report_url(submission, status="Pass", page="2")).content.decode()

    names = ("A000", "A099", "A100", "A149")
    assert records_shown(first, names) == {"A000", "A099"}
    assert records_shown(second, names) == {"A100", "A149"}
    assert "Page 1 of 2" in first
    assert "?status=Pass&amp;page=2" in first


@pytest.mark.django_db
def test_record_values_are_escaped(client, user, submission):
    """Values from the uploaded file are shown as text, never run as markup."""
    Animal.objects.create(submission=submission, name="<script>alert(1)</script>", sex="<b>x</b>")
    validate_submission(submission=submission)
    client.force_login(user)

    html = client.get(report_url(submission)).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;&lt;b&gt;x&lt;/b&gt;&gt; of field Sex is not one of the allowed terms" in html
    assert "<script>alert(1)</script>" not in html
    assert "<b>x</b>" not in html


@pytest.mark.django_db
def test_before_validation_the_report_says_so(client, user, submission):
    """A submission never validated shows a hint instead of empty counts."""
    client.force_login(user)

    html = client.get(report_url(submission)).content.decode()

    assert "have not been validated yet" in html
    assert "No records match." in html


# -- CSV export ---------------------------------------------------------------------


def csv_url(submission, **params: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("validation:report_csv", args=[submission.pk]) + (f"?{query}" if query else "")


def download(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


@pytest.mark.django_db
def test_csv_export_url():
    assert reverse("validation:report_csv", args=[7]) == "/validation/7/report.csv"


@pytest.mark.django_db
def test_csv_export_needs_login_and_hides_other_users_reports(client, other_user, validated):
    assert client.get(csv_url(validated))["Location"].startswith(reverse("login"))
    client.force_login(other_user)

    assert client.get(csv_url(validated)).status_code == 404
    assert client.get(reverse("validation:report_csv", args=[validated.pk + 1000])).status_code == 404


@pytest.mark.django_db
def test_staff_can_export_any_report(client, staff_user, validated):
    client.force_login(staff_user)

    rows = download(client.get(csv_url(validated)))

    assert {(row[0], row[1], row[2]) for row in rows[1:]} == {
        ("animal", "COW1", "Pass"),
        ("animal", "COW2", "Error"),
        ("sample", "S1", "Warning"),
    }


@pytest.mark.django_db
def test_csv_export_streams_an_attachment_with_one_row_per_message(client, user, validated):
    client.force_login(user)

    response = client.get(csv_url(validated))

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="validation-report-{validated.pk}.csv"'
    rows = download(response)
    assert rows[0] == ["record_type", "id", "status", "severity", "column", "message"]
    assert ["animal", "COW1", "Pass", "", "", ""] in rows
    cow2_sex = next(row for row in rows if row[:5] == ["animal", "COW2", "Error", "Error", "Sex"])
    assert cow2_sex[5].startswith("<cow> of field Sex is not one of the allowed terms")
    # The Error record's recommendations stay Warnings, message by message.
    assert ["animal", "COW2", "Error", "Warning", "Birth date"] in [row[:5] for row in rows]
    assert any(row[:4] == ["sample", "S1", "Warning", "Warning"] and "Sample storage" in row[5] for row in rows)
    expected = sum(max(len(result.issues), 1) for result in ValidationResult.objects.filter(submission=validated))
    assert len(rows) == 1 + expected


@pytest.mark.django_db
def test_csv_export_keeps_the_page_filter(client, user, validated):
    client.force_login(user)

    rows = download(client.get(csv_url(validated, type="animal", status="Error")))

    assert {row[1] for row in rows[1:]} == {"COW2"}


@pytest.mark.django_db
def test_csv_export_neutralises_formulas_from_the_uploaded_file(client, user, submission):
    """A record id or value written as a formula is exported as text that a spreadsheet will not run."""
    evil = '=HYPERLINK("http://evil")'
    Animal.objects.create(submission=submission, name=evil, sex="@SUM(1+1)*cmd|' /C calc'!A0")
    validate_submission(submission=submission)
    client.force_login(user)

    rows = download(client.get(csv_url(submission)))

    assert {row[1] for row in rows[1:]} == {"'" + evil}
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert any("@SUM(1+1)" in cell for cell in cells)


@pytest.mark.django_db
def test_large_reports_stream_in_several_chunks(client, user, submission):
    """Thousands of results arrive in pieces instead of one string built in memory."""
    ValidationResult.objects.bulk_create(
        ValidationResult(submission=submission, record_type="animal", record_id=i, record_name=f"A{i}", status="Pass")
        for i in range(2_500)
    )
    client.force_login(user)

    chunks = list(client.get(csv_url(submission)).streaming_content)

    assert len(chunks) > 2
    assert len(list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))) == 2_501


@pytest.mark.django_db(transaction=True)
async def test_under_asgi_the_export_streams_asynchronously(async_client, user, submission):
    """Production serves ASGI, where Django would buffer a synchronous iterator whole before sending it."""
    await ValidationResult.objects.abulk_create(
        ValidationResult(submission=submission, record_type="animal", record_id=i, record_name=f"A{i}", status="Pass")
        for i in range(1_200)
    )
    await async_client.aforce_login(user)

    response = await async_client.get(csv_url(submission))

    assert response.is_async
    chunks = [chunk async for chunk in response.streaming_content]
    assert len(chunks) > 1
    assert b"".join(chunks).decode("utf-8-sig").count("\n") == 1_201


@pytest.mark.django_db
def test_the_report_page_links_to_the_export_with_its_filter(client, user, validated):
    client.force_login(user)

    html = client.get(report_url(validated, status="Error", page="1")).content.decode()

    assert f'href="{csv_url(validated)}?status=Error"' in html
    assert "Download CSV" in html


# -- grouping, issue filters, field table ------------------------------------------


@pytest.mark.django_db
def test_report_groups_identical_messages_with_counts_and_links(client, user, submission):
    """Three cows with the same wrong sex make one group of 3, linking to exactly those records."""
    for name in ("COW1", "COW2", "COW3"):
        Animal.objects.create(
            submission=submission,
            name=name,
            alternative_id=f"EAR-{name}",
            species="Bos taurus",
            breed="Jersey",
            sex="cow",
            birth_country="IT",
        )
    validate_submission(submission=submission)
    client.force_login(user)

    html = client.get(report_url(submission)).content.decode()

    assert "Animal messages" in html
    assert '<td class="group-count">3</td>' in html
    assert '<td class="group-severity"><span class="badge rounded-pill text-bg-danger">Error</span>' in html
    assert "&lt;cow&gt; of field Sex is not one of the allowed terms" in html
    assert "?type=animal&amp;column=Sex&amp;message=%3Ccow%3E+of+field+Sex+is+not+one+of" in html


@pytest.mark.django_db
def test_column_and_message_filters_narrow_the_records(client, user, validated):
    """?column= shows only records with an issue in that column; ?message= only those with that message."""
    client.force_login(user)

    by_column = client.get(report_url(validated, column="Sample storage")).content.decode()
    message = ValidationResult.objects.get(record_name="COW2").issues[0]["message"]
    by_message = client.get(reverse("validation:report", args=[validated.pk]), {"message": message}).content.decode()

    assert records_shown(by_column) == {"S1"}
    assert records_shown(by_message) == {"COW2"}
    assert 'id="message-filter"' in by_message


@pytest.mark.django_db
def test_csv_export_keeps_the_column_filter(client, user, validated):
    """The download holds only the messages the page shows."""
    client.force_login(user)

    rows = download(client.get(csv_url(validated, column="Sample storage")))

    assert [row[:5] for row in rows[1:]] == [["sample", "S1", "Warning", "Warning", "Sample storage"]]


@pytest.mark.django_db
def test_report_shows_the_field_table(client, user, validated):
    """The Required levels are on the page, from the ruleset the rules use."""
    client.force_login(user)

    html = client.get(report_url(validated)).content.decode()

    assert 'id="field-table"' in html
    assert "<td><code>Species</code></td><td>mandatory</td>" in html
    assert "<td><code>Birth date</code></td><td>recommended</td>" in html
    assert "<td><code>Specimen collection protocol</code></td><td>recommended</td>" in html
    assert "<td><code>Animal age at collection</code></td><td>optional</td>" in html


@pytest.mark.django_db
def test_rows_link_to_the_edit_page_only_while_editing_is_allowed(client, user, validated):
    """Loaded, Error, Need Revision and Ready allow edits; Submitted does not."""
    client.force_login(user)
    cow = Animal.objects.get(name="COW1")
    edit = reverse("validation:edit_record", args=[validated.pk, "animal", cow.pk])
    validated.status = NEED_REVISION
    validated.save()

    assert edit in client.get(report_url(validated)).content.decode()
    validated.status = SUBMITTED
    validated.save()
    assert edit not in client.get(report_url(validated)).content.decode()
