from __future__ import annotations

from datetime import date

import pytest

from validation.rules import ERROR, WARNING, Issue, build_context, check_animal, check_sample

TODAY = date(2025, 6, 15)


def animal(**values: str) -> dict[str, str]:
    record = {
        "name": "COW1",
        "alternative_id": "",
        "species": "Bos taurus",
        "breed": "Holstein",
        "sex": "female",
        "birth_date": "2020-03-04",
        "birth_country": "IT",
        "father_name": "",
        "mother_name": "",
        "latitude": "",
        "longitude": "",
    }
    return record | values


def sample(**values: str) -> dict[str, str]:
    record = {
        "name": "S1",
        "alternative_id": "",
        "animal_name": "COW1",
        "collection_date": "2021-05-06",
        "organism_part": "blood",
        "storage": "frozen, -70 freezer",
        "protocol_url": "https://example.org/protocols/blood.pdf",
        "latitude": "45.4642",
        "longitude": "9.19",
    }
    return record | values


def animal_issues(record: dict[str, str], *others: dict[str, str]) -> list[Issue]:
    return check_animal(record, build_context([record, *others], today=TODAY))


def sample_issues(record: dict[str, str], *animals: dict[str, str]) -> list[Issue]:
    return check_sample(record, build_context(animals or [animal()], today=TODAY))


def test_complete_records_have_no_issues():
    """Records with every value right pass without a message."""
    assert animal_issues(animal()) == []
    assert sample_issues(sample()) == []


@pytest.mark.parametrize(
    ("field", "column"),
    [("name", "id"), ("species", "species"), ("sex", "sex"), ("breed", "breed"), ("birth_country", "birth_country")],
)
def test_missing_mandatory_animal_value_is_an_error_naming_the_column(field, column):
    """Each mandatory animal column, left empty, is an Error that says which column."""
    assert Issue(ERROR, column, f"{column} is empty; it is mandatory.") in animal_issues(animal(**{field: ""}))


@pytest.mark.parametrize(
    ("field", "column"),
    [
        ("name", "id"),
        ("animal_name", "animal_id"),
        ("collection_date", "collection_date"),
        ("organism_part", "organism_part"),
    ],
)
def test_missing_mandatory_sample_value_is_an_error_naming_the_column(field, column):
    """Each mandatory sample column, left empty, is an Error that says which column."""
    assert Issue(ERROR, column, f"{column} is empty; it is mandatory.") in sample_issues(sample(**{field: ""}))


def test_missing_recommended_values_are_warnings():
    """Recommended values only warn: the record can still be submitted."""
    assert animal_issues(animal(birth_date="")) == [
        Issue(WARNING, "birth_date", "birth_date is empty; it is recommended for every animal.")
    ]
    issues = sample_issues(sample(storage="", protocol_url=""))
    assert [(issue.level, issue.column) for issue in issues] == [(WARNING, "storage"), (WARNING, "protocol_url")]


@pytest.mark.parametrize("written", ["2020", "2020-05", "2020-05-06", "2025-06-15"])
def test_dates_may_be_year_month_or_day(written):
    """YYYY, YYYY-MM and YYYY-MM-DD are all accepted, up to today."""
    assert animal_issues(animal(birth_date=written)) == []


@pytest.mark.parametrize("written", ["06/05/2020", "2020-13", "2020-02-30", "20200506", "May 2020", "2020-5-6"])
def test_malformed_dates_are_errors_quoting_the_value(written):
    """A date in another format is an Error showing what was written and the formats allowed."""
    assert animal_issues(animal(birth_date=written)) == [
        Issue(ERROR, "birth_date", f'birth_date "{written}" is not a date. Write it as YYYY-MM-DD, YYYY-MM or YYYY.')
    ]


def test_future_dates_are_errors():
    """Nothing can be born or collected after today."""
    assert animal_issues(animal(birth_date="2025-06-16")) == [
        Issue(ERROR, "birth_date", 'birth_date "2025-06-16" is in the future.')
    ]
    assert [issue.message for issue in sample_issues(sample(collection_date="2026"))] == [
        'collection_date "2026" is in the future.'
    ]


@pytest.mark.parametrize(
    ("latitude", "longitude", "message"),
    [
        ("north", "9", 'latitude "north" is not a number. Use decimal degrees with a point, for example 45.4642.'),
        ("45,46", "9", 'latitude "45,46" is not a number. Use decimal degrees with a point, for example 45.4642.'),
        ("nan", "9", 'latitude "nan" is not a number. Use decimal degrees with a point, for example 45.4642.'),
        ("90.5", "9", 'latitude "90.5" is out of range: it must be between -90 and 90.'),
        ("45", "-180.01", 'longitude "-180.01" is out of range: it must be between -180 and 180.'),
    ],
)
def test_coordinates_must_be_decimal_degrees_in_range(latitude, longitude, message):
    """Latitude and longitude are numbers within the globe's range."""
    assert [issue.message for issue in sample_issues(sample(latitude=latitude, longitude=longitude))] == [message]


def test_coordinates_at_the_limits_are_accepted():
    """-90, 90, -180 and 180 are on the globe."""
    assert sample_issues(sample(latitude="-90", longitude="180")) == []
    assert animal_issues(animal(latitude="+90.0", longitude="-180")) == []


@pytest.mark.parametrize("url", ["ftp://example.org/p.pdf", "www.example.org/p.pdf", "http://", "https://exa mple.org"])
def test_protocol_url_must_be_a_web_address(url):
    """Only http(s) links with a host name can be followed by the archive's users."""
    assert sample_issues(sample(protocol_url=url)) == [
        Issue(
            ERROR,
            "protocol_url",
            f'protocol_url "{url}" is not a web address. Give a full link starting with http:// or https://.',
        )
    ]


def test_controlled_values_outside_the_vocabulary_are_errors_with_a_hint():
    """Sex, species and country must be known terms; the message quotes the value and suggests terms."""
    issues = animal_issues(animal(sex="F", species="Bos taurs", birth_country="Atlantis"))

    assert [(issue.level, issue.column) for issue in issues] == [
        (ERROR, "sex"),
        (ERROR, "species"),
        (ERROR, "birth_country"),
    ]
    assert issues[0].message == 'sex "F" is not an accepted term. Use one of: "male", "female", "unknown".'
    assert issues[1].message.startswith('species "Bos taurs" is not an accepted term. Use the Latin name, for example')
    assert issues[1].message.endswith("… (30 accepted).")
    assert issues[2].message == (
        'birth_country "Atlantis" is not an accepted term. '
        "Use a two-letter ISO 3166 code such as IT or an English name such as Italy."
    )


def test_sample_storage_and_organism_part_must_be_known_terms():
    """Storage lists every accepted term; organism part shows a few UBERON terms."""
    issues = sample_issues(sample(storage="freezer", organism_part="bloood"))

    assert [issue.column for issue in issues] == ["organism_part", "storage"]
    assert issues[0].message.startswith('organism_part "bloood" is not an accepted term. Use a UBERON term such as')
    assert issues[1].message.startswith('storage "freezer" is not an accepted term. Use one of: "ambient temperature"')
    assert '"TRIzol, frozen".' in issues[1].message


@pytest.mark.parametrize(
    "values",
    [
        {"sex": "Male", "species": "bos  TAURUS", "birth_country": "italy", "breed": "holstein"},
        {"birth_country": "it"},
        {"birth_country": "USA"},
        {"birth_country": "Côte d'Ivoire"},
    ],
)
def test_controlled_values_ignore_case_spacing_and_accept_country_codes_or_names(values):
    """Hand-typed values that mean a known term are accepted as they are."""
    assert animal_issues(animal(**values)) == []


def test_unknown_breed_is_only_a_warning_and_only_for_species_with_a_breed_list():
    """Local breeds are many, so an unlisted one warns; species without a list are not judged."""
    assert animal_issues(animal(breed="Valdostana")) == [
        Issue(
            WARNING,
            "breed",
            'breed "Valdostana" is not a known breed of Bos taurus; check the spelling (known: "Holstein", '
            '"Holstein Friesian", "Jersey", "Guernsey", "Ayrshire", "Brown Swiss", … (19 accepted)).',
        )
    ]
    assert animal_issues(animal(species="Apis mellifera", breed="Buckfast")) == []


def test_sample_must_belong_to_an_animal_of_the_submission():
    """A sample pointing at an animal not in the submission is an Error quoting the id."""
    assert sample_issues(sample(animal_name="COW9")) == [
        Issue(
            ERROR,
            "animal_id",
            'animal_id "COW9" is not an animal in this submission. Add the animal as a record of its own.',
        )
    ]


def test_parents_must_exist_in_the_submission():
    """father_id and mother_id must name animals of the same submission."""
    issues = animal_issues(animal(father_name="BULL9", mother_name="COW9"))

    assert issues == [
        Issue(
            ERROR,
            "father_id",
            'father_id "BULL9" is not an animal in this submission. '
            "Add the father as an animal record or leave father_id empty.",
        ),
        Issue(
            ERROR,
            "mother_id",
            'mother_id "COW9" is not an animal in this submission. '
            "Add the mother as an animal record or leave mother_id empty.",
        ),
    ]


def test_father_must_be_male_and_mother_female():
    """A parent of the wrong sex is an Error that says the sex recorded for it."""
    cow2 = animal(name="COW2", sex="female")
    bull = animal(name="BULL1", sex="male")
    issues = animal_issues(animal(father_name="COW2", mother_name="BULL1"), cow2, bull)

    assert [issue.message for issue in issues] == [
        'father_id "COW2" refers to an animal whose sex is "female"; a father must be male.',
        'mother_id "BULL1" refers to an animal whose sex is "male"; a mother must be female.',
    ]


def test_an_animal_cannot_be_its_own_parent():
    """Naming the animal itself as a parent is an Error."""
    assert animal_issues(animal(sex="male", father_name="COW1")) == [
        Issue(ERROR, "father_id", 'father_id "COW1" is the animal itself; an animal cannot be its own father.')
    ]


def test_parent_loops_are_errors_on_every_animal_of_the_loop():
    """A -> B -> C -> A through parent links makes each of them its own ancestor; their offspring is fine."""
    records = [
        animal(name="A", sex="male", father_name="B"),
        animal(name="B", sex="male", mother_name="C"),
        animal(name="C", sex="female", father_name="A"),
        animal(name="CALF", sex="female", father_name="A", mother_name="C"),
    ]
    context = build_context(records, today=TODAY)

    issues = {record["name"]: check_animal(record, context) for record in records}

    assert issues["A"] == [
        Issue(
            ERROR,
            "father_id",
            'Animal "A" is its own ancestor: its parent links loop back to it through "B", "C". '
            "Correct father_id or mother_id.",
        )
    ]
    assert issues["B"][0].column == "mother_id"
    assert 'Animal "C" is its own ancestor' in issues["C"][0].message
    assert issues["CALF"] == []


def test_long_family_lines_without_loops_pass():
    """A deep pedigree is checked without recursion limits and has no loop."""
    records = [animal(name="G0", sex="male")] + [
        animal(name=f"G{i}", sex="male", father_name=f"G{i - 1}") for i in range(1, 5000)
    ]
    context = build_context(records, today=TODAY)

    assert context.loops == {}
    assert check_animal(records[-1], context) == []


def test_collection_before_birth_is_an_error_only_when_certain():
    """A sample cannot be collected before its animal was born; "2020" may be after 2020-03-04."""
    assert sample_issues(sample(collection_date="2020-03-03")) == [
        Issue(
            ERROR,
            "collection_date",
            'collection_date "2020-03-03" is before the birth date of animal "COW1" ("2020-03-04"). Check both dates.',
        )
    ]
    assert sample_issues(sample(collection_date="2020")) == []
    assert sample_issues(sample(collection_date="2020-03")) == []


def test_same_alternative_id_and_species_warns_of_a_possible_duplicate():
    """The second animal with the first one's alternative_id and species may be the same animal."""
    first = animal(name="COW1", alternative_id="IT-123")
    second = animal(name="COW2", alternative_id="it-123")
    other_species = animal(name="PIG1", alternative_id="IT-123", species="Sus scrofa", breed="Duroc")
    context = build_context([first, second, other_species], today=TODAY)

    assert check_animal(first, context) == []
    assert check_animal(second, context) == [
        Issue(
            WARNING,
            "alternative_id",
            'Possible duplicate of "COW1": both have alternative_id "it-123" and species "Bos taurus".',
        )
    ]
    assert check_animal(other_species, context) == []
