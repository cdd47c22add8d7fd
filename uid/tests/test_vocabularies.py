from __future__ import annotations

import pytest

from uid import vocabularies as vocab


@pytest.mark.parametrize(("written", "term"), [("Bos taurus", "NCBITaxon_9913"), ("sus  SCROFA", "NCBITaxon_9823")])
def test_species_term_names_the_ncbi_taxon_whatever_the_spelling(written, term):
    assert vocab.species_term(written) == term


@pytest.mark.parametrize(("written", "term"), [("blood", "UBERON_0000178"), ("Blood  Serum", "UBERON_0001977")])
def test_organism_part_term_names_the_uberon_id(written, term):
    assert vocab.organism_part_term(written) == term


@pytest.mark.parametrize("written", ["Bos taurvs", ""])
def test_unknown_species_and_parts_have_no_term(written):
    assert vocab.species_term(written) is None
    assert vocab.organism_part_term(written) is None


@pytest.mark.parametrize(
    ("term", "iri"),
    [
        ("UBERON_0000178", "http://purl.obolibrary.org/obo/UBERON_0000178"),
        ("NCBITaxon_9913", "http://purl.obolibrary.org/obo/NCBITaxon_9913"),
        ("EFO_0001272", "http://www.ebi.ac.uk/efo/EFO_0001272"),
    ],
)
def test_term_iri_is_where_the_ontology_publishes_the_term(term, iri):
    assert vocab.term_iri(term) == iri
