from __future__ import annotations

import pytest

from validation import terms


@pytest.mark.parametrize(
    ("written", "term"),
    [("Exact", "precise coordinates"), ("country  level", "country level"), ("missing", terms.MISSING_GEO)],
)
def test_accuracy_accepts_terms_and_aliases(written, term):
    assert terms.accuracy(written) == term


def test_unknown_accuracy_is_none():
    assert terms.accuracy("roughly") is None


@pytest.mark.parametrize(("written", "unit"), [("day", "days"), ("Months", "months"), ("h", "hours")])
def test_time_units_accept_singular_plural_and_abbreviations(written, unit):
    assert terms.time_unit(written) == unit


@pytest.mark.parametrize("written", ["fortnight", "", "10 days"])
def test_other_time_units_are_refused(written):
    assert terms.time_unit(written) is None


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("mailto:a.b@example.org", True),
        ("MAILTO:lab@example.co.uk", True),
        ("https://biobank.example.org", True),
        ("a.b@example.org", False),
        ("mailto:", False),
        ("mailto:someone", False),
        ("https://", False),
        ("https://exa mple.org", False),
    ],
)
def test_availability_is_mailto_or_web(value, accepted):
    assert terms.is_availability(value) is accepted


def test_stages_carry_ontology_ids():
    """Every stage maps to an ontology id in the form the archive takes (PREFIX_digits)."""
    for stages in (terms.DEVELOPMENTAL_STAGES, terms.PHYSIOLOGICAL_STAGES):
        for label, term_id in stages.items():
            prefix, _, number = term_id.partition("_")
            assert prefix in {"UBERON", "EFO", "PATO"}, label
            assert number.isdigit(), label
    assert terms.is_developmental_stage("ADULT")
    assert terms.is_physiological_stage("Mature")
    assert not terms.is_physiological_stage("sleepy")


@pytest.mark.parametrize(
    ("lookup", "written", "term"),
    [
        (terms.developmental_stage_term, "Adult", "EFO_0001272"),
        (terms.developmental_stage_term, "juvenile  stage", "UBERON_0034919"),
        (terms.physiological_stage_term, "mature", "PATO_0001701"),
        # A physiological stage is not a developmental one, and the other way round.
        (terms.developmental_stage_term, "mature", None),
        (terms.physiological_stage_term, "adult", None),
        (terms.physiological_stage_term, "teenage", None),
    ],
)
def test_stage_terms_name_their_ontology_id(lookup, written, term):
    assert lookup(written) == term
