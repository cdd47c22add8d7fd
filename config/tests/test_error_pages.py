"""404 and 500 are the site's own pages, and the embedded default runs with DEBUG off."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings
from django.test import RequestFactory
from django.views import defaults


def test_a_server_error_shows_the_sites_own_page_without_details():
    response = defaults.server_error(RequestFactory().get("/"))

    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert "Submission Live" in page
    assert "bootstrap.min.css" in page


def test_a_missing_page_shows_the_sites_own_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def debug_and_hosts(**environ: str) -> str:
    """DEBUG and ALLOWED_HOSTS as `make run`'s settings load them, with only `environ` set."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG", "DJANGO_ALLOWED_HOSTS", "HOST"}}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings.local", **environ}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.DEBUG, ','.join(s.ALLOWED_HOSTS))",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_make_run_has_debug_off_unless_asked_for():
    assert debug_and_hosts().startswith("False ")
    assert debug_and_hosts(DJANGO_DEBUG="1").startswith("True ")


def test_allowed_hosts_follow_host_and_django_allowed_hosts_and_never_include_a_wildcard():
    assert debug_and_hosts() == "False 127.0.0.1,localhost,[::1]"
    assert debug_and_hosts(HOST="lab.example", DJANGO_ALLOWED_HOSTS="alias.example") == (
        "False 127.0.0.1,localhost,[::1],lab.example,alias.example"
    )
    every_interface = debug_and_hosts(HOST="0.0.0.0").split(" ", 1)[1].split(",")
    assert "*" not in every_interface
    assert {"127.0.0.1", "localhost"} <= set(every_interface)
