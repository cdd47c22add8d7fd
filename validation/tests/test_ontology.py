"""Ontology terms offline against the bundled tables, and the optional OLS lookup (a loopback server here)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from validation import ontology
from validation.ruleset import current_ruleset


def rule(name: str):
    return next(r for g in current_ruleset().groups for r in g.rules if r.name == name)


def test_bundled_labels_resolve_to_the_ids_the_spec_gives():
    assert ontology.resolve(rule("Sex"), "male").term == "PATO_0000384"
    assert ontology.resolve(rule("Sex"), "record of unknown sex").term == "OBI_0000858"
    assert ontology.resolve(rule("Organism part"), "semen").term == "UBERON_0001968"
    assert ontology.resolve(rule("Developmental stage"), "adult").term == "EFO_0001272"
    assert ontology.resolve(rule("Physiological stage"), "mature").term == "PATO_0001701"
    assert ontology.resolve(rule("Species"), "Sus scrofa").term == "NCBITaxon_9823"
    assert ontology.resolve(rule("Gene bank country"), "Italy").term == "NCIT_C16761"
    assert ontology.resolve(rule("Mapped breed"), "cattle breed").term == "LBO_0000001"


def test_a_label_missing_from_the_bundle_is_a_warning_with_the_closest_labels():
    resolved = ontology.resolve(rule("Organism part"), "utreus")

    assert (resolved.term, resolved.level) == (None, "Warning")
    assert "could not be checked offline" in resolved.message
    assert "Did you mean 'uterus'?" in resolved.message


def test_a_value_outside_a_fixed_list_is_an_error_not_a_warning():
    resolved = ontology.resolve(rule("Gene bank country"), "Ireland")

    assert resolved.level == "Error"


def test_the_public_lookup_gives_term_iris_for_archive_documents():
    assert ontology.attribute_term_iri("Sex", "female") == "http://purl.obolibrary.org/obo/PATO_0000383"
    assert ontology.attribute_term_iri("Developmental stage", "adult") == "http://www.ebi.ac.uk/efo/EFO_0001272"
    assert ontology.attribute_term_iri("Material", "organism") == "http://purl.obolibrary.org/obo/OBI_0100026"
    assert ontology.attribute_term_iri("Organism part", "bark") is None
    assert ontology.attribute_term_iri("Supplied breed", "Duroc") is None  # text, no terms


class FakeOLS(BaseHTTPRequestHandler):
    """Answers /api/search as OLS does: "wool" is a term under the root, anything else is not."""

    requests: list[dict[str, list[str]]] = []
    # While set, the server holds each answer until the test releases it: a server slower than the timeout.
    hold: threading.Event | None = None

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        type(self).requests.append(query)
        if self.hold is not None:
            self.hold.wait(10)
        docs = [{"short_form": "UBERON_0001037", "label": "wool"}] if query.get("q") == ["wool"] else []
        body = json.dumps({"response": {"numFound": len(docs), "docs": docs}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        try:
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test): nothing to answer

    def log_message(self, *args: object) -> None:
        """Quiet: the test output is for failures."""


@pytest.fixture
def ols(settings):
    FakeOLS.requests = []
    FakeOLS.hold = None
    ontology._ols_cache.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOLS)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.VALIDATION_OLS_URL = f"http://127.0.0.1:{server.server_port}"
    settings.VALIDATION_OLS_TIMEOUT_SECONDS = 0.3
    yield FakeOLS
    server.shutdown()
    server.server_close()
    ontology._ols_cache.clear()


def test_with_ols_configured_an_unbundled_term_is_looked_up_once_and_passes(ols):
    first = ontology.resolve(rule("Organism part"), "wool")
    again = ontology.resolve(rule("Organism part"), "wool")

    assert (first.term, first.level) == ("UBERON_0001037", "")
    assert again == first
    assert len(ols.requests) == 1  # cached
    assert ols.requests[0]["allChildrenOf"] == ["http://purl.obolibrary.org/obo/UBERON_0001062"]
    assert ols.requests[0]["ontology"] == ["uberon"]


def test_a_term_ols_does_not_know_under_the_root_is_an_error(ols):
    resolved = ontology.resolve(rule("Organism part"), "bark")

    assert resolved.level == "Error"
    assert "is not a term under UBERON_0001062 in OLS" in resolved.message


def test_an_ols_that_times_out_leaves_the_offline_warning_and_is_asked_again_later(ols):
    ols.hold = threading.Event()

    resolved = ontology.resolve(rule("Organism part"), "wool")

    ols.hold.set()
    ols.hold = None
    assert resolved.level == "Warning"
    assert "could not be checked offline" in resolved.message
    assert ontology.resolve(rule("Organism part"), "wool").term == "UBERON_0001037"


def test_without_an_ols_url_nothing_is_asked(settings):
    settings.VALIDATION_OLS_URL = ""

    assert ontology.resolve(rule("Organism part"), "wool").level == "Warning"
