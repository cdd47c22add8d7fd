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
