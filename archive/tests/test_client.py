"""The HTTP client against the loopback archive, over real sockets."""

from __future__ import annotations

import pytest

from archive.client import (
    FINISHED,
    PENDING,
    ArchiveClient,
    ArchiveCredentialsRefused,
    ArchiveProtocolError,
    ArchiveUnavailable,
)
from archive.loopback import GARBLED, SERVER_ERROR, TIMEOUT, UNAUTHORIZED, LoopbackArchive

from .conftest import TOKEN

SAMPLES = [
    {"name": "cow", "characteristics": {"organism": [{"text": "Bos taurus"}]}, "relationships": []},
    {
        "name": "blood",
        "characteristics": {"organism part": [{"text": "blood"}]},
        "relationships": [{"source": "blood", "type": "derived from", "target": "cow"}],
    },
]


@pytest.fixture
def server():
    with LoopbackArchive(token=TOKEN, hold=True) as archive:
        yield archive


def client_for(server: LoopbackArchive, *, token: str = TOKEN, timeout: float = 2.0) -> ArchiveClient:
    return ArchiveClient(base_url=server.url, token=token, timeout=timeout)


def test_a_batch_is_pending_then_done_with_an_accession_per_record(server):
    with client_for(server) as client:
        accepted = client.submit_batch(key="k1", samples=SAMPLES)
        assert accepted.status == PENDING
        assert client.batch_state(remote_id=accepted.remote_id).status == PENDING

        server.release()
        server.wait_idle()
        state = client.batch_state(remote_id=accepted.remote_id)

    assert state.status == FINISHED
    assert [record.name for record in state.records] == ["cow", "blood"]
    assert all(record.accession.startswith("SAMEA") and not record.errors for record in state.records)


def test_per_record_errors_come_back_by_name(server):
    server.reject["cow"] = "organism is not an NCBITaxon term"
    server.release()
    with client_for(server) as client:
        accepted = client.submit_batch(key="k1", samples=[SAMPLES[0], {**SAMPLES[1], "name": "orphan"}])
        server.wait_idle()
        records = {record.name: record for record in client.batch_state(remote_id=accepted.remote_id).records}

    assert records["cow"].errors == ("organism is not an NCBITaxon term",)
    assert records["cow"].accession == ""
    # "orphan" still names cow as its animal, which the archive received: only the rejection above counts.
    assert records["orphan"].errors == ()


def test_a_sample_of_an_animal_the_archive_never_received_is_rejected(server):
    server.release()
    with client_for(server) as client:
        accepted = client.submit_batch(key="k1", samples=[SAMPLES[1]])
        server.wait_idle()
        (record,) = client.batch_state(remote_id=accepted.remote_id).records

    assert record.errors == ("derived from unknown record cow",)


def test_resending_with_the_same_key_creates_no_second_batch(server):
    with client_for(server) as client:
        first = client.submit_batch(key="same", samples=SAMPLES)
        second = client.submit_batch(key="same", samples=SAMPLES)

    assert first.remote_id == second.remote_id
    assert server.posted_samples() == ["cow", "blood"]


def test_the_bearer_token_is_sent_and_a_wrong_one_is_refused(server):
    with client_for(server, token="expired") as client, pytest.raises(ArchiveCredentialsRefused, match="expired"):
        client.submit_batch(key="k1", samples=SAMPLES)
    assert server.batches == {}


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (SERVER_ERROR, ArchiveUnavailable),
        (TIMEOUT, ArchiveUnavailable),
        (UNAUTHORIZED, ArchiveCredentialsRefused),
        (GARBLED, ArchiveProtocolError),
    ],
)
def test_faults_become_one_of_three_kinds(server, fault, expected):
    server.fail(fault)
    with client_for(server, timeout=0.3) as client, pytest.raises(expected):
        client.batch_state(remote_id="batch-1")


def test_a_refused_connection_is_unavailable():
    server = LoopbackArchive(token=TOKEN).start()
    url = server.url
    server.stop()

    with ArchiveClient(base_url=url, token=TOKEN, timeout=1.0) as client, pytest.raises(ArchiveUnavailable):
        client.submit_batch(key="k1", samples=SAMPLES)
