from __future__ import annotations

from datetime import date

import pytest

from validation.fields import ANIMAL, SAMPLE, field_names
from validation.rules import ERROR, WARNING, Issue, build_context, check_animal, check_sample

TODAY = date(2025, 6, 15)


def animal(**values: str) -> dict[str, str]:
    record = dict.fromkeys(field_names(ANIMAL), "") | {
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
    record = dict.fromkeys(field_names(SAMPLE), "") | {
        "name": "S1",
        "alternative_id": "",
        "animal_name": "COW1",
        "collection_date": "2021-05-06",
        "organism_part": "blood",
        "storage": "frozen, -70 freezer",
        "protocol_url": "https://example.org/protocols/blood.pdf",
        "latitude": "45.4642",
        "longitude": "9.19",
        "accuracy": "precise coordinates",
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
    [("name", "id"), ("species", "species"), ("sex", "sex"), ("breed", "breed")],
)
def test_missing_mandatory_animal_value_is_an_error_naming_the_column(field, column):
    """Each mandatory animal column, left empty, is an Error that says which column."""
    assert Issue(ERROR, column, f"{column} is empty; it is mandatory.") in animal_issues(animal(**{field: ""}))


@pytest.mark.parametrize(
    "countries",
    [
        {"breed_country": "IT", "birth_country": ""},  # a workbook without the birth country column
        {"breed_country": "", "birth_country": "IT"},  # the submission CSV
        {"breed_country": "FR", "birth_country": "FR"},  # CRB-Anim's country of origin
    ],
)
def test_a_breed_country_or_a_birth_country_is_enough(countries):
    """Every format gives the animal a country in its own column; any one of them passes."""
    assert animal_issues(animal(**countries)) == []


def test_an_animal_without_any_country_is_an_error_naming_both_columns():
    """Neither country: one Error, saying where each format takes a country from."""
    issues = animal_issues(animal(breed_country="", birth_country=""))

    assert issues == [
        Issue(
            ERROR,
            "breed_country",
            "breed_country and birth_country are both empty; one of them is mandatory. Give the breed's country "
            '(in a workbook, on sheet "breed") or the country where the animal was born.',
        )
    ]


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
        Issue(WARNING, "birth_date", "birth_date is empty; it is recommended.")
    ]
    issues = sample_issues(sample(storage="", protocol_url=""))
    assert [(issue.level, issue.column) for issue in issues] == [(WARNING, "protocol_url"), (WARNING, "storage")]


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
        ("45,46", "9", 'latitude "45,46" has a decimal comma. Write it with a point: 45.46.'),
        ("45,123", "9", 'latitude "45,123" has a decimal comma. Write it with a point: 45.123.'),
        ("45,5,1", "9", 'latitude "45,5,1" is not a number. Use decimal degrees with a point, for example 45.4642.'),
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
    assert animal_issues(animal(latitude="+90.0", longitude="-180", accuracy="region level")) == []


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
        (ERROR, "species"),
        (ERROR, "sex"),
        (ERROR, "birth_country"),
    ]
    assert issues[1].message == 'sex "F" is not an accepted term. Use one of: "male", "female", "unknown".'
    assert issues[0].message.startswith('species "Bos taurs" is not an accepted term. Use the Latin name, for example')
    assert issues[0].message.endswith("… (30 accepted).")
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
            '"Holstein Friesian", "Jersey", "Guernsey", "Ayrshire", "Brown Swiss", … (21 accepted)).',
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
    records = [  # born the same year: which came first is not certain, so only the loop is reported
        animal(name="A", sex="male", father_name="B", birth_date="2020"),
        animal(name="B", sex="male", mother_name="C", birth_date="2020"),
        animal(name="C", sex="female", father_name="A", birth_date="2020"),
        animal(name="CALF", sex="female", father_name="A", mother_name="C", birth_date="2020"),
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
    records = [animal(name="G0", sex="male", birth_date="2020")] + [
        animal(name=f"G{i}", sex="male", father_name=f"G{i - 1}", birth_date="2020") for i in range(1, 5000)
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


def test_numbers_need_their_time_unit_and_units_must_be_known():
    """An age or interval without a unit is an Error; a unit must be a time unit; a lone unit only warns."""
    missing = sample_issues(sample(animal_age_at_collection="3"))
    assert [(issue.level, issue.column) for issue in missing] == [(ERROR, "animal_age_at_collection_units")]
    assert missing[0].message.startswith("animal_age_at_collection_units is empty; give the unit of")

    wrong = sample_issues(sample(preparation_interval="2", preparation_interval_units="fortnights"))
    assert [(issue.level, issue.column) for issue in wrong] == [(ERROR, "preparation_interval_units")]
    assert 'preparation_interval_units "fortnights" is not an accepted term. Use one of: "minutes"' in wrong[0].message

    lone = sample_issues(sample(preparation_interval_units="days"))
    assert [(issue.level, issue.column) for issue in lone] == [(WARNING, "preparation_interval_units")]

    assert sample_issues(sample(animal_age_at_collection="2.5", animal_age_at_collection_units="Year")) == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("three", 'animal_age_at_collection "three" is not a number. Write digits with a point, for example 2.5.'),
        ("-1", 'animal_age_at_collection "-1" is negative; an age or interval cannot be.'),
    ],
)
def test_ages_must_be_non_negative_numbers(value, message):
    """Ages are numbers of units, never words or negative."""
    issues = sample_issues(sample(animal_age_at_collection=value, animal_age_at_collection_units="days"))
    assert [issue.message for issue in issues] == [message]


@pytest.mark.parametrize("value", ["mailto:biobank@example.org", "https://biobank.example.org/request"])
def test_availability_is_a_mailto_link_or_a_web_page(value):
    """BioSamples publishes availability as a link: mailto: for an address, or a web page."""
    assert sample_issues(sample(availability=value)) == []


@pytest.mark.parametrize("value", ["biobank@example.org", "mailto:biobank", "ask Anna", "ftp://example.org"])
def test_other_availability_values_are_errors(value):
    """A bare address or free text is refused with the two accepted forms in the message."""
    issues = sample_issues(sample(availability=value))
    assert [(issue.level, issue.column) for issue in issues] == [(ERROR, "availability")]
    assert "Write mailto:name@example.org or a link starting with https://." in issues[0].message


@pytest.mark.parametrize(
    "value",
    ["10.1000/xyz123", "doi:10.1186/s12711-019-0480-6", "https://doi.org/10.1000/182; https://example.org/paper"],
)
def test_references_are_dois_or_web_addresses(value):
    """DOIs bare, with doi: or as doi.org links, and web pages are accepted, several separated by semicolons."""
    assert sample_issues(sample(bibliographic_references=value)) == []


def test_a_reference_that_is_neither_doi_nor_link_is_an_error_naming_it():
    """The message quotes the one reference at fault, not the whole cell."""
    issues = sample_issues(sample(bibliographic_references="10.1000/ok; Smith et al. 2020"))
    assert issues == [
        Issue(
            ERROR,
            "bibliographic_references",
            'bibliographic_references "Smith et al. 2020" is neither a DOI nor a web address. '
            "Write DOIs such as 10.1000/xyz123, doi:10.1000/xyz123 or https://doi.org/10.1000/xyz123 "
            "(the number after 10. has 4 to 9 digits), separated by semicolons.",
        )
    ]


def test_every_wrong_reference_of_a_cell_is_named_and_doi_links_need_a_doi():
    """One message lists all the faults of the cell; a doi.org link with no DOI in it is not a reference."""
    cell = "doi:10.1000/ok; DOI:10.1/x; https://doi.org/10.1000/fine; https://doi.org/not-a-doi; PMID 123"
    [issue] = sample_issues(sample(bibliographic_references=cell))

    assert issue.message.startswith(
        'bibliographic_references "DOI:10.1/x", "https://doi.org/not-a-doi", "PMID 123" are neither DOIs '
        "nor web addresses."
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2,5", 'animal_age_at_collection "2,5" has a decimal comma. Write it with a point: 2.5.'),
        ("1,000", 'animal_age_at_collection "1,000" has a comma. Write 1.000 if it is a decimal, or 1000.'),
    ],
)
def test_a_number_with_a_comma_says_what_to_write(value, message):
    """European spreadsheets write decimal commas; the message gives the value to type instead."""
    issues = sample_issues(sample(animal_age_at_collection=value, animal_age_at_collection_units="days"))

    assert issues == [Issue(ERROR, "animal_age_at_collection", message)]


def test_a_sample_of_an_animal_in_another_submission_says_where_it_is():
    """The animal exists, only elsewhere: the Error says so rather than suggesting a typo."""
    context = build_context([animal()], today=TODAY, sampled_elsewhere={"COW9": 'submission "Herd 2024"'})

    assert check_sample(sample(animal_name="COW9"), context) == [
        Issue(
            ERROR,
            "animal_id",
            'animal_id "COW9" is an animal of submission "Herd 2024", not of this one. A sample is submitted '
            "together with its animal: add the animal to this submission, or move the sample to that one.",
        )
    ]


@pytest.mark.parametrize(
    ("column", "good", "bad"),
    [
        ("storage_processing", "cryopreserved", "boiled"),
        ("developmental_stage", "Adult", "teenager"),
        ("physiological_stage", "mature", "tired"),
        ("accuracy", "exact", "roughly"),
    ],
)
def test_sample_controlled_terms(column, good, bad):
    """Processing, stages and accuracy accept their terms (any case, "exact" for precise) and refuse others."""
    assert sample_issues(sample(**{column: good})) == []  # the sample has both coordinates, as "exact" needs
    issues = sample_issues(sample(**{column: bad}))
    assert [(issue.level, issue.column) for issue in issues] == [(ERROR, column)]
    assert issues[0].message.startswith(f'{column} "{bad}" is not an accepted term. Use')


def test_breed_country_must_be_a_country():
    """The breed's country is judged like the birth country."""
    assert animal_issues(animal(breed_country="Italy")) == []
    assert [issue.column for issue in animal_issues(animal(breed_country="Padania"))] == ["breed_country"]


def test_coordinates_come_in_pairs():
    """One coordinate without the other cannot place anything."""
    issues = sample_issues(sample(longitude="", accuracy="region level"))
    assert issues == [Issue(ERROR, "longitude", "longitude is empty but latitude is given; give both or neither.")]


@pytest.mark.parametrize(
    ("accuracy", "latitude", "longitude", "expected"),
    [
        ("missing geographic information", "45.1", "9.2", [(ERROR, "accuracy")]),
        ("missing geographic information", "", "", []),
        ("precise coordinates", "", "", [(ERROR, "accuracy")]),
        ("exact", "45.1", "9.2", []),
        ("country level", "42", "12", []),
        ("region level", "", "", []),
        ("unknown accuracy level", "45.1", "9.2", []),
    ],
)
def test_coordinates_agree_with_their_accuracy(accuracy, latitude, longitude, expected):
    """No coordinates with "missing geographic information"; both with "precise coordinates"."""
    issues = animal_issues(animal(accuracy=accuracy, latitude=latitude, longitude=longitude))
    assert [(issue.level, issue.column) for issue in issues] == expected
    issues = sample_issues(sample(accuracy=accuracy, latitude=latitude, longitude=longitude))
    assert [(issue.level, issue.column) for issue in issues] == expected


def test_a_breed_of_another_species_is_an_error():
    """A listed breed of another species means species or breed is wrong, not a local breed."""
    issues = animal_issues(animal(breed="Duroc"))
    assert issues == [
        Issue(ERROR, "breed", 'breed "Duroc" is a breed of Sus scrofa, not of Bos taurus. Check species and breed.')
    ]
    assert animal_issues(animal(breed="Friesian")) == []  # a name horses and cattle share


def test_father_and_mother_must_be_two_animals_of_the_same_species():
    """The same animal cannot be both parents, and parents share their offspring's species."""
    bull = animal(name="BULL", sex="male")
    both = animal(name="CALF", father_name="BULL", mother_name="BULL")
    assert Issue(
        ERROR, "mother_id", 'father_id and mother_id are both "BULL"; an animal has two different parents.'
    ) in animal_issues(both, bull)

    boar = animal(name="BOAR", sex="male", species="Sus scrofa", breed="Duroc")
    issues = animal_issues(animal(name="CALF", father_name="BOAR"), boar)
    assert issues == [
        Issue(
            ERROR,
            "father_id",
            'father_id "BOAR" is of species "Sus scrofa", not "Bos taurus"; a father is of the same species as '
            "its offspring.",
        )
    ]


def test_a_sample_names_exactly_one_animal():
    """A list of animals in animal_id gets its own message, not "unknown animal"."""
    issues = sample_issues(sample(animal_name="COW1; COW2"))
    assert issues == [
        Issue(
            ERROR, "animal_id", 'animal_id "COW1; COW2" names several animals; a sample comes from exactly one animal.'
        )
    ]


def test_samples_sharing_an_alternative_id_warn():
    """Two samples with one alternative_id are probably one sample entered twice."""
    first, second = sample(name="S1", alternative_id="TUBE-7"), sample(name="S2", alternative_id="tube-7")
    context = build_context([animal()], samples=[first, second], today=TODAY)
    assert check_sample(first, context) == []
    assert check_sample(second, context) == [
        Issue(WARNING, "alternative_id", 'Possible duplicate of "S1": both have alternative_id "tube-7".')
    ]


def test_records_matching_the_owners_other_submissions_warn():
    """Known alternative ids from the owner's other submissions are named in the warning."""
    cow, tube = animal(alternative_id="EAR-1"), sample(alternative_id="TUBE-1")
    context = build_context(
        [cow],
        samples=[tube],
        today=TODAY,
        known_animals={("ear-1", "Bos taurus"): '"OLD1" of submission "Herd 2024"'},
        known_samples={"tube-1": '"OLDS" of submission "Herd 2024"'},
    )
    assert [issue.message for issue in check_animal(cow, context)] == [
        'Possible duplicate of animal "OLD1" of submission "Herd 2024": it has the same alternative_id "EAR-1" '
        "and species. Remove this animal if it is the same one."
    ]
    assert [(issue.level, issue.column) for issue in check_sample(tube, context)] == [(WARNING, "alternative_id")]
    other_species = animal(alternative_id="EAR-1", species="Sus scrofa", breed="Duroc")
    assert check_animal(other_species, build_context([other_species], today=TODAY, known_animals=context_keys())) == []


def context_keys() -> dict[tuple[str, str], str]:
    return {("ear-1", "Bos taurus"): "elsewhere"}


@pytest.mark.parametrize("value", ["２０２０-05-06", "٢٠٢٠"])
def test_dates_and_numbers_take_ascii_digits_only(value):
    """Full-width or Arabic-Indic digits look right on screen but the archive refuses them."""
    assert [issue.column for issue in animal_issues(animal(birth_date=value))] == ["birth_date"]
    issues = sample_issues(sample(animal_age_at_collection=value, animal_age_at_collection_units="days"))
    assert [issue.column for issue in issues] == ["animal_age_at_collection"]


@pytest.mark.parametrize(
    ("parent_born", "child_born", "expected"),
    [
        ("2021-03-01", "2020-05-01", [(ERROR, "father_id")]),
        ("2020-05-01", "2020-05-01", [(ERROR, "father_id")]),
        ("2020", "2020-05-01", []),  # maybe January: not certain, so not reported
        ("2018", "2020", []),
        ("", "2020", []),
    ],
)
def test_a_parent_is_born_before_its_offspring(parent_born, child_born, expected):
    """A father born after his calf is a swapped id or a typo in a date; judged only when certain."""
    bull = animal(name="BULL1", sex="male", birth_date=parent_born)
    calf = animal(name="CALF1", father_name="BULL1", birth_date=child_born)

    issues = animal_issues(calf, bull)

    assert [(issue.level, issue.column) for issue in issues] == expected
    if expected:
        assert issues[0].message == (
            f'father_id "BULL1" was born on "{parent_born}", not before this animal ("{child_born}"); '
            "a father is born before its offspring. Check both birth dates."
        )
