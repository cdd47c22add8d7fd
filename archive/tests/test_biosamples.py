"""The BioSamples client against the double: the documented endpoints, bodies and status codes."""

from __future__ import annotations

import pytest

from archive.biosamples import BioSamplesClient, refusal_messages, retry_after
from archive.errors import ArchiveCredentialsRefused, ArchiveProtocolError, DocumentRefused
from archive.loopback import Answer, BioSamplesDouble
from archive.webin import SiteTokens

from .conftest import PASSWORD, USERNAME

SAMPLE = {
    "name": "bull",
    "release": "2026-01-02T03:04:05Z",
    "characteristics": {"organism": [{"text": "Bos taurus"}], "Material": [{"text": "organism"}]},
    "relationships": [],
}


@pytest.fixture
def client():
    with BioSamplesDouble(username=USERNAME, password=PASSWORD) as double:
        tokens = SiteTokens(auth_url=double.webin_url, username=USERNAME, password=PASSWORD, timeout=2)
        with BioSamplesClient(base_url=double.biosamples_url, tokens=tokens, timeout=1, backoff=0.01) as bs:
            bs.double = double
            yield bs


def test_post_creates_put_updates_and_get_reads_a_sample(client):
    accession = client.create(SAMPLE)
    client.update(accession, {**SAMPLE, "accession": accession, "characteristics": {"organism": [{"text": "cow"}]}})
    stored = client.get(accession)

    assert accession.startswith("SAMEA")
    assert stored["characteristics"] == {"organism": [{"text": "cow"}]}
    assert [(r.method, r.path) for r in client.double.requests] == [
        ("TOKEN", "/ena/submit/webin/auth/token"),
        ("POST", "/biosamples/samples"),
        ("PUT", f"/biosamples/samples/{accession}"),
        ("GET", f"/biosamples/samples/{accession}"),
    ]


def test_a_relationship_to_a_sample_that_does_not_exist_is_refused_with_biosamples_messages(client):
    document = {**SAMPLE, "relationships": [{"source": "bull", "type": "child of", "target": "SAMEA99"}]}

    with pytest.raises(DocumentRefused) as refused:
        client.create(document)

    assert refused.value.messages == [".relationships[0].target: 'SAMEA99' is not the accession of an existing sample"]


def test_a_new_sample_with_an_accession_is_refused_as_biosamples_does(client):
    with pytest.raises(DocumentRefused, match="New sample submission should not contain an accession"):
        client.create({**SAMPLE, "accession": "SAMEA1"})


def test_a_403_is_a_credentials_refusal_without_retrying(client):
    client.double.script("POST", 403, 403)

    with pytest.raises(ArchiveCredentialsRefused, match="403"):
        client.create(SAMPLE)
    assert len([r for r in client.double.requests if r.method == "POST"]) == 1


def test_a_401_twice_is_a_credentials_refusal_after_one_new_token(client):
    client.double.script("POST", 401, 401)

    with pytest.raises(ArchiveCredentialsRefused, match="401"):
        client.create(SAMPLE)
    assert client.double.tokens_issued == 2


def test_an_unexpected_answer_is_a_protocol_error(client):
    client.double.script("PUT", 404)

    with pytest.raises(ArchiveProtocolError, match="404"):
        client.update("SAMEA1", {**SAMPLE, "accession": "SAMEA1"})


def test_a_created_sample_without_an_accession_is_a_protocol_error(client, monkeypatch):
    client.double._create = lambda document: (201, {"name": document["name"]})

    with pytest.raises(ArchiveProtocolError, match="no accession"):
        client.create(SAMPLE)


def test_retry_after_takes_seconds_or_an_http_date():
    assert retry_after("7", default=1) == 7
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", default=1) == 0  # in the past: go now
    assert retry_after("soon", default=1.5) == 1.5
    assert retry_after(None, default=2) == 2


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ([{"dataPath": ".name", "errors": ["required"]}], [".name: required"]),
        ({"status": 400, "message": '[{"dataPath": "", "errors": ["a", "b"]}]'}, ["a", "b"]),
        (
            {"status": 400, "error": "Bad Request", "message": "New sample submission should not contain an accession"},
            ["New sample submission should not contain an accession"],
        ),
        ({}, ["BioSamples refused the sample (400) without saying why"]),
    ],
)
def test_refusal_messages_are_read_from_each_form_biosamples_uses(body, expected):
    import httpx

    assert refusal_messages(httpx.Response(400, json=body)) == expected


def test_429_without_retry_after_backs_off_and_tries_again(client):
    client.double.script("POST", Answer(429))

    assert client.create(SAMPLE).startswith("SAMEA")
