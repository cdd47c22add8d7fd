"""The context rules of formats.md §4.5, and the import conflicts, on records built in memory."""

from __future__ import annotations

from datetime import date

from validation.attributes import READ_FIELDS
from validation.rules import build_context, check_animal, check_sample

TODAY = date(2026, 1, 1)


def animal(name: str, **values) -> dict:
    record = dict.fromkeys(READ_FIELDS["animal"], "") | {"pk": 1, "name": name, "import_conflicts": ()}
    return record | {"species": "Bos taurus", "breed": "Jersey", "sex": "female", "birth_date": "2020"} | values


def sample(name: str, **values) -> dict:
    record = dict.fromkeys(READ_FIELDS["sample"], "") | {"pk": 1, "name": name, "import_conflicts": ()}
    return record | {"animal_name": "COW1", "organism_part": "blood", "collection_date": "2021"} | values


def found(issues, column: str) -> list[tuple[str, str]]:
    return [(issue.level, issue.message) for issue in issues if issue.column == column]


def judge(animals, samples=()):
    context = build_context(animals, samples=samples, today=TODAY)
    return {a["name"]: check_animal(a, context) for a in animals}, {
        s["name"]: check_sample(s, context) for s in samples
    }


def test_parents_must_be_in_the_submission_of_the_same_species_and_of_different_sex():
    animals, _ = judge(
        [
            animal("BULL", sex="male", birth_date="2015"),
            animal("COW", sex="female", birth_date="2015"),
            animal("EWE", sex="female", species="Ovis aries", breed="Texel", birth_date="2015"),
            animal("CALF", father_name="BULL", mother_name="COW"),
            animal("ODD", father_name="COW", mother_name="EWE"),
            animal("LOST", father_name="NOBODY"),
        ]
    )

    assert found(animals["CALF"], "Child of") == []
    assert ("Error", "Two parents could not have same sex") in found(animals["ODD"], "Child of")
    assert (
        "Error",
        "The Species of child (Bos taurus) does not match to the Species of parent (Ovis aries)",
    ) in found(animals["ODD"], "Child of")
    assert found(animals["LOST"], "Child of") == [("Error", "Could not locate the referenced record NOBODY")]


def test_a_parent_of_unknown_sex_cannot_be_checked_and_says_so():
    animals, _ = judge(
        [
            animal("BULL", sex="record of unknown sex", birth_date="2015"),
            animal("COW", birth_date="2015"),
            animal("CALF", father_name="BULL", mother_name="COW"),
        ]
    )

    assert found(animals["CALF"], "Child of") == [
        ("Warning", "At least one parent has unknown value for sex, thus could not be checked")
    ]


def test_a_sample_derives_from_one_animal_of_the_submission_collected_after_its_birth():
    _, samples = judge(
        [animal("COW1", birth_date="2020-06-01")],
        [
            sample("S1"),
            sample("S2", animal_name="COW9"),
            sample("S3", animal_name="COW1;COW2"),
            sample("S4", collection_date="2019"),
        ],
    )

    assert found(samples["S1"], "Derived from") == []
    assert found(samples["S2"], "Derived from") == [("Error", "Could not locate the referenced record COW9")]
    assert found(samples["S3"], "Derived from") == [("Error", "Specimen can only derive from one animal")]
    assert found(samples["S4"], "Collection date") == [
        ("Error", "Collection date 2019 is before the Birth date of animal COW1 (2020-06-01). Check both dates")
    ]


def test_semen_is_not_taken_from_a_female():
    _, samples = judge([animal("COW1")], [sample("S1", organism_part="semen")])

    assert found(samples["S1"], "Organism part") == [
        ("Error", "Organism part (Semen) could not be taken from a female animal")
    ]


def test_place_and_coordinates_against_their_accuracy():
    animals, _ = judge(
        [
            animal("A1", birth_location="Milano"),  # accuracy empty: IMAGE's default, missing information
            animal("A2", accuracy="country level"),
            animal("A3", birth_location="Milano", accuracy="region level", latitude="45.4"),
            animal("A4", birth_location="Milano", accuracy="precise coordinates", latitude="45.4", longitude="9.1"),
        ]
    )

    assert found(animals["A1"], "Birth location accuracy") == [
        (
            "Error",
            "Value Milano provided for field Birth location but value in field Birth location accuracy is "
            "missing geographic information",
        )
    ]
    assert found(animals["A2"], "Birth location accuracy") == [
        (
            "Error",
            "No value provided for field Birth location but value in field Birth location accuracy is not "
            "missing geographic information",
        )
    ]
    assert (
        "Error",
        "Birth location latitude is given but Birth location longitude is not; give both or neither",
    ) in found(animals["A3"], "Birth location longitude")
    assert [i for i in animals["A4"] if i.column.startswith("Birth location")] == []


def test_species_against_breed_a_breed_of_another_species_is_an_error():
    animals, _ = judge([animal("COW1", breed="Duroc")])

    assert found(animals["COW1"], "Supplied breed") == [
        ("Error", "Supplied breed Duroc is a breed of Sus scrofa, not of Bos taurus. Check Species and breed.")
    ]


def test_each_import_conflict_is_an_error_on_its_record():
    conflict = "sex is Female on row 2 but Male on row 5"
    animals, _ = judge([animal("COW1", import_conflicts=[conflict])])

    assert found(animals["COW1"], "import") == [("Error", conflict)]


def test_a_sample_takes_its_species_from_its_animal():
    _, samples = judge([animal("COW1")], [sample("S1"), sample("S2", animal_name="COW9")])

    assert found(samples["S1"], "Species") == []
    assert found(samples["S2"], "Species") == [
        ("Error", "Mandatory field Species in standard section could not be found")
    ]


def test_accepted_image_values_written_as_the_site_stores_them_pass():
    """An age with its unit in the same cell, IMAGE's storage terms and "no longer available" raise nothing."""
    _, samples = judge(
        [animal("COW1")],
        [
            sample(
                "S1",
                animal_age_at_collection="1 year",
                storage="frozen, -80 degrees Celsius freezer",
                storage_processing="cryopreservation in liquid nitrogen (dead tissue)",
                availability="no longer available",
            ),
            sample("S2", animal_age_at_collection="3", animal_age_at_collection_units="months"),
            sample("S3", animal_age_at_collection="1 fortnight"),
        ],
    )
    columns = ("Animal age at collection", "Sample storage", "Sample storage processing", "Availability")

    assert [issue for issue in samples["S1"] if issue.column in columns] == []
    assert found(samples["S2"], "Animal age at collection") == []
    assert found(samples["S3"], "Animal age at collection")[0][0] == "Error"
