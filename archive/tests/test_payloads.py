"""The documents sent to the archive carry every field of the example files, with the ontology ids we bundle."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from archive.payloads import animal_document, sample_document
from common.constants import COMPLETED, READY
from uid.example_data import write_example_csv
from uid.example_files import crb_anim_example_file, xlsx_example_file
from uid.importer import import_records
from uid.models import Animal, Sample, Submission

RELEASE = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
OBO = "http://purl.obolibrary.org/obo/"
ORGANISM = {"text": "organism", "ontologyTerms": [OBO + "OBI_0100026"]}
SPECIMEN = {"text": "specimen from organism", "ontologyTerms": [OBO + "OBI_0001479"]}
COW = {"text": "Bos taurus", "ontologyTerms": [OBO + "NCBITaxon_9913"]}


def load(submission: Submission, data: bytes | str) -> Submission:
    import_records(submission=submission, file=io.BytesIO(data) if isinstance(data, bytes) else data)
    return submission


def documents(submission: Submission) -> tuple[dict, dict]:
    """The documents of the first animal and the first sample, as the sending job builds them."""
    animal = Animal.objects.filter(submission=submission).order_by("row", "pk").first()
    sample = Sample.objects.filter(submission=submission).select_related("animal").order_by("row", "pk").first()
    return animal_document(animal, release=RELEASE), sample_document(sample, release=RELEASE)


@pytest.fixture
def xlsx_example(submission) -> Submission:
    return load(submission, xlsx_example_file(animals=4, samples_per_animal=1))


def test_an_animal_of_the_xlsx_example_carries_every_field_its_species_id_and_both_countries(xlsx_example):
    animal, _ = documents(xlsx_example)

    assert animal == {
        "name": "ANIMAL_0001",
        "release": "2026-01-02T03:04:05Z",
        "characteristics": {
            "material": [ORGANISM],
            "organism": [COW],
            "breed": [{"text": "Holstein"}],
            "sex": [{"text": "male"}],
            "birth date": [{"text": "2012-01-01"}],
            "birth country": [{"text": "Italy"}],  # written "IT": the archive gets the country's name
            "birth location": [{"text": "Experimental farm"}],
            "birth location accuracy": [{"text": "region level"}],
            "supplied breed country": [{"text": "Netherlands"}],
            "description": [{"text": "Example Bos taurus male"}],
            "alternative id": [{"text": "EAR-0001"}],
        },
        "relationships": [],
    }


def test_a_sample_of_the_xlsx_example_carries_every_field_with_uberon_stage_and_pato_ids_and_units(xlsx_example):
    _, sample = documents(xlsx_example)

    assert sample == {
        "name": "SAMPLE_0001",
        "release": "2026-01-02T03:04:05Z",
        "characteristics": {
            "material": [SPECIMEN],
            "organism": [COW],
            "organism part": [{"text": "blood", "ontologyTerms": [OBO + "UBERON_0000178"]}],
            "collection date": [{"text": "2013-02-04"}],
            "collection place": [{"text": "Experimental farm"}],
            "collection place latitude": [{"text": "43", "unit": "decimal degrees"}],
            "collection place longitude": [{"text": "-2", "unit": "decimal degrees"}],
            "collection place accuracy": [{"text": "precise coordinates"}],
            "developmental stage": [{"text": "adult", "ontologyTerms": ["http://www.ebi.ac.uk/efo/EFO_0001272"]}],
            "physiological stage": [{"text": "mature", "ontologyTerms": [OBO + "PATO_0001701"]}],
            "sample storage": [{"text": "frozen, -80 degrees Celsius freezer"}],
            "sample storage processing": [{"text": "cryopreservation in liquid nitrogen (dead tissue)"}],
            "availability": [{"text": "mailto:biobank@example.org"}],
            "specimen collection protocol": [{"text": "https://www.example.org/protocols/blood-sampling.pdf"}],
            "description": [{"text": "Blood of ANIMAL_0001"}],
            "alternative id": [{"text": "TUBE-0001"}],
            "animal age at collection": [{"text": "13", "unit": "months"}],
            "sample preparation interval": [{"text": "2", "unit": "hours"}],
        },
        "relationships": [{"source": "SAMPLE_0001", "type": "derived from", "target": "ANIMAL_0001"}],
    }


def test_an_animal_of_the_csv_example_whose_only_country_is_its_birth_country_sends_it(submission, tmp_path):
    write_example_csv(tmp_path / "example.csv", animals=4, samples_per_animal=1)
    animal, _ = documents(load(submission, str(tmp_path / "example.csv")))

    characteristics = animal["characteristics"]
    assert characteristics["birth country"] == [{"text": "Italy"}]
    assert "supplied breed country" not in characteristics
    assert characteristics["organism"] == [COW]


def test_a_crb_anim_sample_sends_its_type_and_each_bibliographic_reference(submission):
    _, sample = documents(load(submission, crb_anim_example_file(animals=2, samples_per_animal=1)))

    characteristics = sample["characteristics"]
    assert characteristics["sample type"] == [{"text": "tissue"}]
    assert characteristics["bibliographic references"] == [{"text": "https://doi.org/10.1186/s12711-017-0345-y"}]
    assert characteristics["sample storage"] == [{"text": "frozen, -80 degrees Celsius freezer"}]


def test_empty_fields_are_left_out_and_unknown_terms_and_aliases_go_as_text(submission):
    animal = Animal.objects.create(
        submission=submission, name="a", species="bos  TAURUS", sex="", accuracy="exact", latitude=" ", row=1
    )
    sample = Sample.objects.create(
        submission=submission,
        name="s",
        animal=animal,
        organism_part="Left hind hoof",
        developmental_stage="teenage",
        animal_age_at_collection="3",
        animal_age_at_collection_units="Day",
        preparation_interval="",
        preparation_interval_units="hours",
        bibliographic_references="doi:10.1/a ; ;https://doi.org/10.1/b",
        row=2,
    )

    characteristics = animal_document(animal, release=RELEASE)["characteristics"]
    assert characteristics == {
        "material": [ORGANISM],
        "organism": [COW],
        "birth location accuracy": [{"text": "precise coordinates"}],
    }
    characteristics = sample_document(sample, release=RELEASE)["characteristics"]
    assert characteristics["organism part"] == [{"text": "Left hind hoof"}]
    assert characteristics["developmental stage"] == [{"text": "teenage"}]
    assert characteristics["animal age at collection"] == [{"text": "3", "unit": "days"}]
    assert "sample preparation interval" not in characteristics
    assert characteristics["bibliographic references"] == [{"text": "doi:10.1/a"}, {"text": "https://doi.org/10.1/b"}]


def test_the_loopback_archive_accepts_the_xlsx_example_documents(archive_server, xlsx_example, submit, poll):
    xlsx_example.status = READY
    xlsx_example.save()

    submit(xlsx_example)
    archive_server.wait_idle()
    poll(xlsx_example)

    assert xlsx_example.status == COMPLETED, xlsx_example.message
    posted = {doc["name"]: doc for batch in archive_server.batches.values() for doc in batch.samples}
    assert posted["SAMPLE_0001"]["characteristics"]["organism part"][0]["ontologyTerms"] == [OBO + "UBERON_0000178"]
    assert posted["ANIMAL_0001"]["characteristics"]["birth country"] == [{"text": "Italy"}]
    assert all(Sample.objects.filter(submission=xlsx_example).values_list("accession", flat=True))
