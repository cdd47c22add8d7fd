"""The rules of the shipped ruleset file, broken one rule type at a time: each message and its severity."""

from __future__ import annotations

import pytest

from validation.checks import check_entries, missing
from validation.ruleset import current_ruleset

ORGANISM = "organism"
SPECIMEN = "specimen from organism"
STANDARD = "standard"


def rule(group: str, name: str):
    return next(r for g in current_ruleset().groups if g.name == group for r in g.rules if r.name == name)


def issues(group: str, name: str, *entries):
    return [(issue.level, issue.message) for issue in check_entries(rule(group, name), group, list(entries))]


def text(value, units: str = "", terms: tuple[str, ...] = ()):
    return (value, units, terms)


@pytest.mark.parametrize(
    ("group", "name", "entry"),
    [
        (SPECIMEN, "Sample storage", text("frozen, -80 degrees Celsius freezer")),
        (SPECIMEN, "Sample storage processing", text("cryopreservation in liquid nitrogen (dead tissue)")),
        (SPECIMEN, "Availability", text("no longer available")),
        (SPECIMEN, "Availability", text("mailto:samples@example.org")),
        (SPECIMEN, "Availability", text("https://www.example.org/gene-bank")),
        (SPECIMEN, "Animal age at collection", text(1.0, "year")),
        (SPECIMEN, "Animal age at collection", text(3.0, "years")),
        (SPECIMEN, "Collection date", text("2016-05", "YYYY-MM")),
        (SPECIMEN, "Specimen collection protocol", text("ftp://ftp.faang.ebi.ac.uk/protocols/sampling.pdf")),
        (SPECIMEN, "Organism part", text("semen")),
        (SPECIMEN, "Developmental stage", text("adult")),
        (SPECIMEN, "Physiological stage", text("mature")),
        (ORGANISM, "Sex", text("record of unknown sex")),
        (ORGANISM, "Birth location accuracy", text("missing geographic information")),
        (ORGANISM, "Birth location latitude", text(45.46, "decimal degrees")),
        (ORGANISM, "Mapped breed", text("pig breed")),
        (STANDARD, "Species", text("Sus scrofa")),
        (STANDARD, "Publication DOI", text("doi:10.1139/o09-005")),
        (STANDARD, "Person email", text("mailto:peter@ebi.ac.uk")),
        (STANDARD, "Organization uri", text("www.ebi.ac.uk")),
        (STANDARD, "Gene bank country", text("United Kingdom")),
        (STANDARD, "Material", text("specimen from organism")),
        (STANDARD, "Person role", text("submitter")),
        (ORGANISM, "Child of", text("FATHER")),
    ],
)
def test_values_image_accepts_pass(group, name, entry):
    """What IMAGE's ruleset lists as valid raises nothing, including the values the old table refused."""
    assert issues(group, name, entry) == []


BROKEN = [
    # (group, attribute, entries, severity, message) — one per rule type and check stage.
    (
        SPECIMEN,
        "Sample storage",
        [text("frozen, -70 freezer")],
        "Error",
        "<frozen, -70 freezer> of field Sample storage is not in the valid values list (<ambient temperature>, <cut "
        "slide>, <frozen, -80 degrees Celsius freezer>, <frozen, -40 degrees Celsius freezer>, <frozen, -20 degrees "
        "Celsius freezer>, <frozen, liquid nitrogen>, <frozen, vapor phase>, <paraffin block>, <RNAlater, frozen -20 "
        "degrees Celsius>, <TRIzol, frozen>, <paraffin block at ambient temperatures (+15 to +30 degrees Celsius)>, "
        "<freeze dried>) (specimen from organism section)",
    ),
    (
        SPECIMEN,
        "Availability",
        [text("ask Maria")],
        "Error",
        '<ask Maria> of field Availability is neither "no longer available" nor a valid URI '
        "(specimen from organism section)",
    ),
    (
        SPECIMEN,
        "Animal age at collection",
        [text(1.0, "fortnights")],
        "Error",
        "fortnights for field Animal age at collection is not in the valid units list (minutes, hours, days, weeks, "
        "months, years, minute, hour, day, week, month, year) (specimen from organism section)",
    ),
    (
        SPECIMEN,
        "Animal age at collection",
        [text(1.0)],
        "Error",
        "One of minutes, hours, days, weeks, months, years, minute, hour, day, week, month, year need to be present "
        "for the field Animal age at collection (specimen from organism section)",
    ),
    (
        SPECIMEN,
        "Animal age at collection",
        [text("one", "years")],
        "Error",
        "For field Animal age at collection the provided value one is not represented as/of the expected type Number "
        "(specimen from organism section)",
    ),
    (
        ORGANISM,
        "Birth location",
        [text("Milano", "km")],
        "Warning",
        "No units required but km is used as unit for field Birth location (organism section)",
    ),
    (
        ORGANISM,
        "Birth date",
        [text("12/05/2020", "YYYY-MM-DD")],
        "Error",
        "The date value 12/05/2020 does not match to the format YYYY-MM-DD (organism section)",
    ),
    (
        ORGANISM,
        "Birth date",
        [text("2020-5-1", "YYYY-MM-DD")],
        "Error",
        "Unrecognized date value 2020-5-1; write it as YYYY-MM-DD or YYYY-MM or YYYY (organism section)",
    ),
    (
        STANDARD,
        "Person email",
        [text("peter@ebi.ac.uk")],
        "Error",
        'Email address must have prefix "mailto:" in the field Person email (standard section)',
    ),
    (
        STANDARD,
        "Person email",
        [text("peter mailto:peter@ebi.ac.uk")],
        "Error",
        "mailto must be at position 1 in the field Person email (standard section)",
    ),
    (
        SPECIMEN,
        "Specimen collection protocol",
        [text("see the lab book")],
        "Error",
        "Invalid URI value see the lab book for field Specimen collection protocol (specimen from organism section)",
    ),
    (
        STANDARD,
        "Publication DOI",
        [text("10.1139")],
        "Error",
        "Invalid DOI value supplied in the field Publication DOI (standard section)",
    ),
    (
        ORGANISM,
        "Sex",
        [text("cow")],
        "Error",
        "<cow> of field Sex is not one of the allowed terms (<male>, <female>, <record of unknown sex>) "
        "(organism section)",
    ),
    (
        ORGANISM,
        "Sex",
        [text("Male")],
        "Warning",
        "Provided value Male has different letter case from the term male (PATO_0000384) (organism section)",
    ),
    (
        ORGANISM,
        "Sex",
        [text("male", "", ("PATO_0000383",))],
        "Error",
        "Provided value male does not match to the provided ontology PATO_0000383 (organism section)",
    ),
    (
        ORGANISM,
        "Sex",
        [text("male", "", ("PATO_0000001",))],
        "Error",
        "Not valid ontology term PATO_0000001 in field Sex (organism section)",
    ),
    (
        ORGANISM,
        "Supplied breed",
        [text("Duroc", "", ("LBO_0000003",))],
        "Warning",
        "Ontology provided for field Supplied breed however there is no requirement in the ruleset (organism section)",
    ),
    (
        SPECIMEN,
        "Organism part",
        [text("uteruss")],
        "Warning",
        "<uteruss> of field Organism part could not be checked offline: it is not among the bundled terms under "
        "UBERON_0001062. Did you mean 'uterus'? (specimen from organism section)",
    ),
    (STANDARD, "Alternative id", [], "Error", "Mandatory field Alternative id has empty value (standard section)"),
    (
        STANDARD,
        "Submission description",
        [],
        "Warning",
        "Recommended field Submission description has empty value, better remove the field (standard section)",
    ),
    (
        STANDARD,
        "Alternative id",
        [text("A"), text("B")],
        "Error",
        "Multiple values supplied for field Alternative id which does not allow multiple values (standard section)",
    ),
    (
        ORGANISM,
        "Child of",
        [text("A"), text("B"), text("C")],
        "Error",
        "Maximum of 2 values allowed for field Child of but 3 values provided (organism section)",
    ),
    (
        STANDARD,
        "Description",
        [text(7.0)],
        "Error",
        "For field Description the provided value 7.0 is not of the expected type text (standard section)",
    ),
]


@pytest.mark.parametrize(("group", "name", "entries", "severity", "message"), BROKEN)
def test_each_broken_rule_gives_images_message_with_its_severity(group, name, entries, severity, message):
    assert issues(group, name, *entries) == [(severity, message)]


def test_a_field_that_is_absent_is_an_error_if_mandatory_a_warning_if_recommended_else_nothing():
    assert missing(rule(ORGANISM, "Sex"), ORGANISM).level == "Error"
    assert (
        missing(rule(ORGANISM, "Sex"), ORGANISM).message == "Mandatory field Sex in organism section could not be found"
    )
    assert missing(rule(ORGANISM, "Birth date"), ORGANISM).level == "Warning"
    assert missing(rule(SPECIMEN, "Animal age at collection"), SPECIMEN) is None
