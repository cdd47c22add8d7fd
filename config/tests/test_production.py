"""Production settings (config/settings/production.py) pass Django's deployment checks and refuse unsafe values."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x7!k2@p9#q4$w8%e3^r6&t1*y5(u0)i-o=p+a[s]d{f}g;h:j'k<l>z,x.c/v?b|n" * 1,
        "DJANGO_ALLOWED_HOSTS": "submissions.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_a_missing_secret_or_wildcard_host():
    base = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production"}
    for extra in (
        {"DJANGO_ALLOWED_HOSTS": "example.org"},
        {"DJANGO_SECRET_KEY": "k" * 60, "DJANGO_ALLOWED_HOSTS": "*"},
    ):
        result = subprocess.run(
            [sys.executable, "manage.py", "check"],
            cwd=settings.BASE_DIR,
            env={**base, **extra},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode != 0
        assert "ImproperlyConfigured" in result.stderr
