"""`/healthz`, `/readyz` and the access rule of `/metrics`."""

from __future__ import annotations

import pytest
from django.test import Client

from operations import health
from submissions_ws import drain

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_checks_database_migrations_and_layer(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "channel_layer": "ok"},
    }


def test_readyz_is_503_while_draining(client, monkeypatch):
    monkeypatch.setattr(drain, "_draining", True)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "draining"


def test_readyz_names_a_failed_check(client, monkeypatch):
    def broken() -> None:
        raise health.NotReady("3 migrations pending")

    monkeypatch.setattr(health, "_migrated", False)
    monkeypatch.setattr(health, "_migrations_ok", broken)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "failed: 3 migrations pending"


def test_metrics_from_loopback_need_no_token(client):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 200
    assert "submission_live_events_recorded_total" in response.content.decode()


def test_metrics_from_elsewhere_need_the_token(settings):
    settings.METRICS_TOKEN = "scrape-secret"
    outside = Client(REMOTE_ADDR="203.0.113.9")

    assert outside.get("/metrics").status_code == 404
    assert outside.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert outside.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret").status_code == 200


def test_an_allowed_network_needs_no_token(settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]

    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 404


def test_probes_by_address_are_answered_whatever_the_host(settings):
    """Probes call a server by its address: no DisallowedHost 400 and no HTTPS redirect."""
    settings.ALLOWED_HOSTS = ["submissions.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    probe = Client(HTTP_HOST="10.0.0.11:8000", REMOTE_ADDR="127.0.0.1")

    assert probe.get("/healthz").status_code == 200
    assert probe.get("/readyz").status_code == 200
    assert probe.get("/metrics").status_code == 200
    assert probe.get("/accounts/login/").status_code == 400
