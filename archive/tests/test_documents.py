"""The documents of every example format pass BioSamples' checks, with IMAGE's attribute names."""

from __future__ import annotations

import io

import pytest

from archive.documents import animal_document, digest, sample_document, submission_characteristics
from archive.embedded import EmbeddedArchive
from archive.sending import Tally, animals_in_graph_order, send_records
from uid.example_files import crb_anim_example_file, csv_example_file, xlsx_example_file
from uid.importer import import_records
from uid.models import Animal, Sample

RELEASE = "2026-01-02T03:04:05Z"


@pytest.mark.parametrize(
    "example",
    [csv_example_file, lambda: xlsx_example_file(animals=4), lambda: crb_anim_example_file(animals=3)],
    ids=["csv", "xlsx", "crb-anim"],
)
def test_every_record_of_the_example_files_is_accepted_by_the_embedded_archive(submission, example):
    import_records(submission=submission, file=io.BytesIO(example()))

    tally = send_records(submission=submission, archive=EmbeddedArchive(), progress=lambda d, t: None, tally=Tally())

    assert tally.refused == {}
    assert tally.created == tally.total == Animal.objects.count() + Sample.objects.count()
    assert not Animal.objects.filter(accession="").exists()
    assert not Sample.objects.filter(accession="").exists()


def test_the_graph_order_puts_parents_first_and_leaves_a_loop_for_last(submission):
    make = lambda name, father="", mother="", row=0: Animal.objects.create(  # noqa: E731
        submission=submission, name=name, father_name=father, mother_name=mother, row=row
    )
    animals = [make("grandchild", "child", row=1), make("child", "bull", "cow", row=2), make("bull", row=3)]
    animals += [make("cow", row=4), make("a", "b", row=5), make("b", "a", row=6)]

    assert [a.name for a in animals_in_graph_order(animals)] == ["bull", "cow", "child", "grandchild", "a", "b"]


def test_a_document_has_biosamples_fields_canonical_terms_and_no_empty_attributes(submission):
    cow = Animal.objects.create(
        submission=submission, name="cow", species="bos taurus", sex="Female", latitude="45.1", accuracy="exact"
    )
    document = animal_document(cow, shared=submission_characteristics(submission), release=RELEASE, parents=[])

    assert list(document) == ["name", "release", "taxId", "characteristics", "relationships"]
    assert document["taxId"] == 9913
    characteristics = document["characteristics"]
    assert characteristics["Birth location latitude"] == [{"text": "45.1", "unit": "decimal degrees"}]
    assert characteristics["Birth location accuracy"] == [{"text": "precise coordinates"}]
    assert characteristics["Project"] == [{"text": "IMAGE"}]
    assert "Birth location longitude" not in characteristics  # empty fields are left out
    assert characteristics["Species"] == characteristics["organism"]


def test_the_digest_ignores_release_and_accession_but_not_what_the_record_says(submission):
    cow = Animal.objects.create(submission=submission, name="cow", species="Bos taurus")
    calf = Animal.objects.create(submission=submission, name="calf", species="Bos taurus")
    shared = submission_characteristics(submission)
    new = animal_document(calf, shared=shared, release=RELEASE, parents=["SAMEA1"])
    resent = animal_document(
        calf, shared=shared, release="2027-01-01T00:00:00Z", parents=["SAMEA1"], accession="SAMEA2"
    )
    other_parent = animal_document(calf, shared=shared, release=RELEASE, parents=["SAMEA3"])

    assert digest(new) == digest(resent)
    assert digest(new) != digest(other_parent)
    assert digest(new) != digest(animal_document(cow, shared=shared, release=RELEASE, parents=["SAMEA1"]))


def test_a_sample_is_derived_from_its_animals_accession(submission):
    cow = Animal.objects.create(submission=submission, name="cow", species="Bos taurus", accession="SAMEA7")
    milk = Sample.objects.create(submission=submission, name="milk", animal=cow, organism_part="milk")
    document = sample_document(milk, shared={}, release=RELEASE, animal=cow, animal_accession=cow.accession)

    assert document["relationships"] == [{"source": "milk", "type": "derived from", "target": "SAMEA7"}]
    assert document["characteristics"]["Derived from"] == [{"text": "cow"}]


def test_without_a_contact_sheet_the_owner_is_the_submitter(submission):
    submission.owner.first_name, submission.owner.last_name, submission.owner.email = "Alice", "Liddell", "a@ex.org"
    submission.owner.save()
    submission.refresh_from_db()

    shared = submission_characteristics(submission)

    assert shared["Person last name"] == [{"text": "Liddell"}]
    assert shared["Person first name"] == [{"text": "Alice"}]
    assert shared["Person email"] == [{"text": "mailto:a@ex.org"}]
