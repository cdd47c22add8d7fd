"""The documents of every example format pass BioSamples' checks, with IMAGE's attribute names."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile

from archive.documents import animal_document, digest, sample_document, submission_characteristics
from archive.embedded import EmbeddedArchive
from archive.sending import Tally, animals_in_graph_order, send_records
from uid.example_files import crb_anim_example_file, csv_example_file, xlsx_example_file
from uid.importer import import_records
from uid.models import Animal, Sample
from validation.selectors import submission_attributes

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
    submission.contacts = []
    submission.save()
    submission.owner.first_name, submission.owner.last_name, submission.owner.email = "Alice", "Liddell", "a@ex.org"
    submission.owner.save()
    submission.refresh_from_db()

    shared = submission_characteristics(submission)

    assert shared["Person last name"] == [{"text": "Liddell"}]
    assert shared["Person first name"] == [{"text": "Alice"}]
    assert shared["Person email"] == [{"text": "mailto:a@ex.org"}]


def _uploaded(submission, content: bytes, name: str):
    submission.uploaded_file.save(name, ContentFile(content))
    import_records(submission=submission, file=io.BytesIO(content))
    return submission_characteristics(submission)


def test_the_workbooks_records_carry_the_ruleset_attributes_it_fills(submission):
    shared = _uploaded(submission, xlsx_example_file(animals=2, samples_per_animal=1), "herd.xlsx")
    animal = Animal.objects.get(submission=submission, name="ANIMAL_0001")
    sample = Sample.objects.filter(submission=submission).order_by("row").first()

    animal_characteristics = animal_document(animal, shared=shared, release=RELEASE, parents=[])["characteristics"]
    sample_characteristics = sample_document(
        sample, shared=shared, release=RELEASE, animal=sample.animal, animal_accession="SAMEA1"
    )["characteristics"]

    assert animal_characteristics["Birth location accuracy"] == [{"text": "region level"}]
    assert sample_characteristics["Alternative id"] == [{"text": sample.alternative_id}]
    assert sample.alternative_id
    assert sample_characteristics["Sample storage processing"] == [
        {"text": "cryopreservation in liquid nitrogen (dead tissue)"}
    ]
    assert sample_characteristics["Collection place accuracy"] == [{"text": "precise coordinates"}]
    assert animal_characteristics["Data source type"] == [{"text": "Template"}]


@pytest.mark.parametrize(
    ("example", "name", "source_type"),
    [
        (lambda: xlsx_example_file(animals=1), "herd.xlsx", "Template"),
        (lambda: crb_anim_example_file(animals=1), "export.csv", "CRB-Anim"),
        (csv_example_file, "data.csv", "Template"),
    ],
    ids=["xlsx", "crb-anim", "csv"],
)
def test_the_data_source_is_the_one_validation_judged(submission, example, name, source_type):
    shared = _uploaded(submission, example(), name)
    judged = submission_attributes(submission=submission)

    assert shared["Data source type"] == [{"text": source_type}]
    assert shared["Data source version"] == [{"text": judged["Data source version"][0]}]
    assert judged["Data source type"] == [source_type]
    assert judged["Data source version"] == [submission.created.date().isoformat()]


def test_crb_anim_samples_use_their_id_as_alternative_id_and_send_their_references(submission):
    shared = _uploaded(submission, crb_anim_example_file(animals=1), "export.csv")
    sample = Sample.objects.filter(submission=submission).order_by("row").first()

    characteristics = sample_document(
        sample, shared=shared, release=RELEASE, animal=sample.animal, animal_accession="SAMEA1"
    )["characteristics"]

    assert characteristics["Alternative id"] == [{"text": sample.name}]
    assert characteristics["Sample storage"] == [{"text": "frozen, liquid nitrogen"}]
    if sample.bibliographic_references:
        assert characteristics["Publication DOI"][0]["text"] in sample.bibliographic_references
