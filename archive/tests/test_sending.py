"""Pressing Submit with BioSamples configured: what is sent, in which order, and what the submitter is told."""

from __future__ import annotations

import pytest

from archive.loopback import TIMEOUT, Answer
from archive.models import ArchivedDocument
from archive.sending import animals_in_graph_order
from common.constants import COMPLETED, NEED_REVISION, READY, WAITING
from submissions.models import SubmissionEvent
from uid.formats import Parsed
from uid.formats.store import store_records
from uid.models import Animal, Sample
from validation.models import ValidationResult

UNAVAILABLE = "Submission paused: archive unavailable, please try again later."


def events(submission) -> list[tuple[int, str]]:
    return list(SubmissionEvent.objects.filter(submission=submission).values_list("status", "message"))


def accession(model, name: str) -> str:
    return model.objects.get(name=name).accession


def test_parents_go_before_children_and_animals_before_samples_with_accessions_as_targets(
    double, ready, submit, published
):
    submission = submit(ready)

    assert submission.status == COMPLETED
    assert events(submission) == [
        (WAITING, "Submitting your records to the archive…"),
        (COMPLETED, "Completed: all 5 records are in the archive with their accessions (5 new, 0 updated)."),
    ]
    assert double.posted_names() == ["bull", "cow", "calf", "blood", "hair"]
    calf = double.by_name("calf")
    assert calf["accession"] == accession(Animal, "calf")
    assert calf["relationships"] == [
        {"source": calf["accession"], "type": "child of", "target": accession(Animal, "bull")},
        {"source": calf["accession"], "type": "child of", "target": accession(Animal, "cow")},
    ]
    for part in ("blood", "hair"):
        assert double.by_name(part)["relationships"] == [
            {"source": accession(Sample, part), "type": "derived from", "target": calf["accession"]}
        ]
    progress = [(f["progress"]["done"], f["progress"]["total"]) for f in published if f["type"] == "progress"]
    # The job's claim (queued → running) says (0, 0) until the phase counts, and the keepalive may repeat
    # it; from then on every frame counts records of 5, never going back.
    counted = [frame for frame in progress if frame != (0, 0)]
    assert progress.index(counted[0]) > 0
    assert counted[-1] == (5, 5)
    assert all(total == 5 for _, total in counted), progress
    assert [done for done, _ in counted] == sorted(done for done, _ in counted)
    assert double.tokens_issued == 1  # one token for the whole submission


def test_the_documents_carry_image_attributes_with_terms_units_and_the_submission_fields(double, ready, submit):
    submit(ready)

    cow = double.by_name("cow")["characteristics"]
    assert cow["Material"] == [{"text": "organism", "ontologyTerms": ["http://purl.obolibrary.org/obo/OBI_0100026"]}]
    assert cow["Species"] == [
        {"text": "Bos taurus", "ontologyTerms": ["http://purl.obolibrary.org/obo/NCBITaxon_9913"]}
    ]
    assert cow["Sex"] == [{"text": "female", "ontologyTerms": ["http://purl.obolibrary.org/obo/PATO_0000383"]}]
    assert cow["Birth date"] == [{"text": "2019-05-02", "unit": "YYYY-MM-DD"}]
    assert cow["Birth location accuracy"] == [{"text": "missing geographic information"}]
    assert cow["Mapped breed"] == [
        {"text": "cattle breed", "ontologyTerms": ["http://purl.obolibrary.org/obo/LBO_0000001"]}
    ]
    assert cow["Gene bank name"] == [{"text": "CryoBank"}]
    # The ruleset's Gene bank country is one of 16 NCIT terms (formats.md §4.4): it goes with its IRI.
    assert cow["Gene bank country"] == [
        {"text": "Italy", "ontologyTerms": ["http://purl.obolibrary.org/obo/NCIT_C16761"]}
    ]
    assert cow["Data source type"] == [{"text": "Template"}]
    assert cow["Data source version"] == [{"text": ready.created.date().isoformat()}]
    assert cow["Person email"] == [{"text": "mailto:anna@example.org"}]
    assert cow["Organization name"] == [{"text": "University of Milan"}]
    assert cow["Person role"] == [{"text": "submitter", "ontologyTerms": ["http://www.ebi.ac.uk/efo/EFO_0001741"]}]
    assert double.by_name("calf")["characteristics"]["Birth date"] == [{"text": "2024-03", "unit": "YYYY-MM"}]
    blood = double.by_name("blood")
    assert blood["taxId"] == 9913
    assert blood["characteristics"]["Material"][0]["text"] == "specimen from organism"
    assert blood["characteristics"]["Derived from"] == [{"text": "calf"}]
    assert blood["characteristics"]["Animal age at collection"] == [{"text": "1", "unit": "years"}]
    assert blood["characteristics"]["Developmental stage"] == [
        {"text": "adult", "ontologyTerms": ["http://www.ebi.ac.uk/efo/EFO_0001272"]}
    ]


def test_archive_unavailable_pauses_in_ready_and_the_next_submit_sends_only_the_rest(double, ready, submit):
    """The third record fails every retry: two keep their accessions and are never created again."""
    original = double._create
    calls = {"n": 0}

    def flaky(document):
        calls["n"] += 1
        if 3 <= calls["n"] <= 5:  # the third record's three attempts
            return 503, {"error": "Service Unavailable"}
        return original(document)

    double._create = flaky
    submission = submit(ready)

    assert submission.status == READY
    assert submission.message == (
        f"{UNAVAILABLE} 2 of 5 records are in the archive already; Submit sends the rest and never creates those again."
    )
    assert [a.name for a in Animal.objects.exclude(accession="")] == ["bull", "cow"]

    submission = submit(submission)

    assert submission.status == COMPLETED
    assert submission.message.endswith("(3 new, 0 updated, 2 unchanged).")
    created = [sample["name"] for sample in double.samples.values()]
    assert sorted(created) == ["blood", "bull", "calf", "cow", "hair"]  # each exactly once
    assert not Animal.objects.filter(accession="").exists()


def test_a_second_submission_after_an_edit_updates_the_accessioned_record_with_put(double, ready, submit):
    submission = submit(ready)
    cow = Animal.objects.get(name="cow")
    release = double.samples[cow.accession]["release"]
    Animal.objects.filter(pk=cow.pk).update(birth_location="Lodi")
    submission.status = READY
    submission.save()

    submission = submit(submission)

    assert submission.status == COMPLETED
    assert submission.message.endswith("(0 new, 1 updated, 4 unchanged).")
    puts = [r for r in double.requests if r.method == "PUT"]
    assert [r.path for r in puts] == [f"/biosamples/samples/{cow.accession}"]
    assert double.samples[cow.accession]["characteristics"]["Birth location"] == [{"text": "Lodi"}]
    assert double.samples[cow.accession]["release"] == release  # a PUT keeps the first release
    assert len(double.samples) == 5


def test_a_refused_document_puts_the_archives_messages_in_the_report_and_needs_revision(
    double, ready, submit, mailoutbox
):
    double.reject["calf"] = ["Sex: value 'female' does not match the breed's records"]

    submission = submit(ready)

    assert submission.status == NEED_REVISION
    assert submission.message == (
        'The archive refused 3 of 5 records. Open the validation report to see why (column "archive"), fix them, '
        "validate and submit again. The 2 records already in the archive keep their accessions."
    )
    calf = ValidationResult.objects.get(record_type="animal", record_name="calf")
    assert calf.status == "Error"
    assert calf.issues == [
        {
            "column": "archive",
            "message": ".characteristics: Sex: value 'female' does not match the breed's records",
            "severity": "Error",
        }
    ]
    blood = ValidationResult.objects.get(record_type="sample", record_name="blood")
    assert blood.issues[0]["message"].startswith('Not sent: its animal "calf" has no accession yet')
    assert double.posted_names() == ["bull", "cow", "calf"]  # the samples were not even tried
    assert len(mailoutbox) == 1  # the owner hears of it, as of any archive refusal
    assert "The archive refused 3 of 5 records" in mailoutbox[0].body


def test_a_document_biosamples_would_refuse_fails_against_the_double(double, ready, submit, monkeypatch):
    """The double checks each document's shape, so a malformed one cannot pass unnoticed."""
    from archive import documents

    real = documents.value
    monkeypatch.setattr(documents, "value", lambda text, **kw: {**real(text, **kw), "value": text})

    submission = submit(ready)

    assert submission.status == NEED_REVISION
    result = ValidationResult.objects.get(record_type="animal", record_name="bull")
    assert "should NOT have additional properties ['value']" in result.issues[0]["message"]
    assert not double.samples


def test_credentials_webin_refuses_leave_ready_with_a_clear_message(double, ready, submit, settings):
    settings.WEBIN_PASSWORD = "wrong"

    submission = submit(ready)

    assert submission.status == READY
    assert submission.message.startswith(
        "The archive refused the site's Webin credentials (Webin refused the username and password). "
        "Ask an administrator to check WEBIN_USERNAME and WEBIN_PASSWORD, then submit again."
    )
    assert not double.samples


def test_a_403_from_biosamples_is_a_credentials_message_not_an_error(double, ready, submit):
    double.script("POST", 403)

    submission = submit(ready)

    assert submission.status == READY
    assert "The archive refused the site's Webin credentials (BioSamples answered 403" in submission.message
    assert "Traceback" not in submission.message


def test_a_revoked_token_is_renewed_once_and_the_submission_goes_on(double, ready, submit):
    """BioSamples stops accepting the token after the first sample: one new token, no pause."""
    original = double._create

    revoked = []

    def revoke_once(document):
        result = original(document)
        if not revoked:
            revoked.append(True)
            double.revoke_tokens()
        return result

    double._create = revoke_once

    submission = submit(ready)

    assert submission.status == COMPLETED
    assert double.tokens_issued == 2
    assert len(double.samples) == 5


def test_429_waits_for_retry_after_then_goes_on(double, ready, submit):
    double.script("POST", Answer(429, {"Retry-After": "1"}))

    submission = submit(ready)

    assert submission.status == COMPLETED
    posts = [r for r in double.requests if r.method == "POST"]
    assert posts[1].at - posts[0].at >= 1.0  # the second try came after Retry-After


def test_a_retry_after_longer_than_we_wait_pauses_in_ready(double, ready, submit, settings):
    settings.BIOSAMPLES_MAX_WAIT_SECONDS = 5
    double.script("POST", Answer(429, {"Retry-After": "3600"}))

    submission = submit(ready)

    assert submission.status == READY
    assert submission.message.startswith(UNAVAILABLE)
    assert "0 of 5 records are in the archive already" in submission.message


def test_5xx_is_retried_with_backoff_and_succeeds(double, ready, submit):
    double.script("POST", 500, 502)

    submission = submit(ready)

    assert submission.status == COMPLETED
    assert len([r for r in double.requests if r.method == "POST"]) == 7


def test_timeouts_are_retried_then_pause_in_ready(double, ready, submit, settings):
    settings.BIOSAMPLES_TIMEOUT_SECONDS = 0.3
    settings.BIOSAMPLES_ATTEMPTS = 2
    double.script("POST", TIMEOUT, TIMEOUT)

    submission = submit(ready)

    assert submission.status == READY
    assert submission.message.startswith(UNAVAILABLE)
    assert len([r for r in double.requests if r.method == "POST"]) == 2


def test_an_unreachable_archive_pauses_in_ready(double, ready, submit, settings):
    settings.BIOSAMPLES_URL = "http://127.0.0.1:9/biosamples"  # the discard port: connection refused

    submission = submit(ready)

    assert submission.status == READY
    assert submission.message.startswith(UNAVAILABLE)


def test_every_accession_is_stored_with_its_document_digest_and_release(double, ready, submit):
    submit(ready)

    rows = ArchivedDocument.objects.filter(submission=ready)
    assert rows.count() == 5
    for row in rows:
        model = Animal if row.record_type == "animal" else Sample
        assert model.objects.filter(accession=row.accession).count() == 1
        assert row.release.endswith("Z")
        assert len(row.digest) == 64


def test_the_embedded_default_assigns_accessions_without_any_network(ready, submit, settings):
    settings.BIOSAMPLES_URL = ""

    submission = submit(ready)

    assert submission.status == COMPLETED
    accessions = list(Animal.objects.values_list("accession", flat=True)) + list(
        Sample.objects.values_list("accession", flat=True)
    )
    assert all(a.startswith("SAMEA") for a in accessions)
    assert len(set(accessions)) == 5


def reimport(submission, *, birth_location: str, drop: str) -> None:
    """Store the submission's records again, as a re-imported file: new rows, one edited, one gone."""
    animal_fields = ("name", "species", "breed", "sex", "father_name", "mother_name", "birth_date", "birth_location")
    animal_fields += ("alternative_id", "accuracy")
    sample_fields = ("name", "animal_name", "organism_part", "accuracy", "developmental_stage")
    sample_fields += ("animal_age_at_collection", "animal_age_at_collection_units")

    def rows(model, fields):
        records = model.objects.filter(submission=submission).exclude(name=drop).order_by("row")
        return [(record.row, tuple(getattr(record, name) for name in fields)) for record in records]

    animals = rows(Animal, animal_fields)
    animals = [(row, (*values[:-3], birth_location, *values[-2:])) for row, values in animals]
    parsed = Parsed(animal_fields, animals, sample_fields, rows(Sample, sample_fields))
    store_records(submission=submission, parsed=parsed)


def test_a_reimported_file_keeps_the_accessions_of_its_records_and_the_next_submit_updates_them(double, ready, submit):
    submission = submit(ready)
    before = {record.name: record.accession for record in [*Animal.objects.all(), *Sample.objects.all()]}
    old_pks = set(Animal.objects.values_list("pk", flat=True))

    reimport(submission, birth_location="Lodi", drop="hair")
    assert not old_pks & set(Animal.objects.values_list("pk", flat=True))  # the records really are new rows
    submission.status = READY
    submission.save()
    submission = submit(submission)

    assert submission.status == COMPLETED
    assert submission.message.endswith("(0 new, 3 updated, 1 unchanged).")
    after = {record.name: record.accession for record in [*Animal.objects.all(), *Sample.objects.all()]}
    assert after == {name: accession for name, accession in before.items() if name != "hair"}
    assert not [r for r in double.requests if r.method == "POST" and r.path.endswith("/samples")][5:]
    puts = sorted(r.path for r in double.requests if r.method == "PUT")
    assert puts == sorted(f"/biosamples/samples/{before[name]}" for name in ("bull", "cow", "calf"))
    assert len(double.samples) == 5
    assert double.samples[before["cow"]]["characteristics"]["Birth location"] == [{"text": "Lodi"}]


@pytest.mark.timeout(30)
def test_animals_are_ordered_in_linear_time_a_long_chain_listed_child_first(db):
    count = 50_000
    # Animal i's mother is animal i+1: the file lists every child before its mother.
    chain = [Animal(pk=i, name=f"A{i}", mother_name=f"A{i + 1}" if i + 1 < count else "") for i in range(count)]

    ordered = animals_in_graph_order(chain)

    assert [animal.pk for animal in ordered] == list(range(count - 1, -1, -1))


def test_the_graph_order_takes_each_pass_through_the_file_in_file_order():
    calf = Animal(pk=1, name="calf", mother_name="cow")
    cow = Animal(pk=2, name="cow")
    other = Animal(pk=3, name="other")
    loop_a = Animal(pk=4, name="a", mother_name="b")
    loop_b = Animal(pk=5, name="b", mother_name="a")

    ordered = animals_in_graph_order([calf, loop_a, cow, other, loop_b])

    assert [animal.name for animal in ordered] == ["cow", "other", "calf", "a", "b"]
