"""Settings fail loudly and are production-ready when configured (each case in a fresh process)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k3y-" + "x7Qp!9zR" * 8,
    "DJANGO_ALLOWED_HOSTS": "grants.example.gov",
}


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "EMAIL_URL", "STORAGE_BACKEND"))
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=clean | {"DJANGO_SETTINGS_MODULE": "copsgrants.settings"} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_reports_nothing_when_configured_for_production():
    result = run("manage.py", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_a_missing_secret_key_with_debug_off_is_an_error():
    env = PRODUCTION | {"DJANGO_SECRET_KEY": ""}
    result = run("manage.py", "check", **env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_defaults_to_off():
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_DEBUG"}
    result = run("-c", "import django; django.setup(); from django.conf import settings; "
                 "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)", **env)  # fmt: skip
    assert result.stdout.split() == ["False", "True"], result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DJANGO_DEBUG", "maybe", "DJANGO_DEBUG must be one of"),
        ("DATABASE_URL", "mongodb://db/x", "mongodb"),
        ("STORAGE_BACKEND", "ftp", "STORAGE_BACKEND must be"),
        ("CELERY_BROKER_URL", "amqp:/broken", "CELERY_BROKER_URL must be"),
        ("DJANGO_ALLOWED_HOSTS", "", "DJANGO_ALLOWED_HOSTS must list"),
        ("SITE_URL", "grants.example.gov", "SITE_URL must start with http"),
        ("OUTBOX_KEEP_SENT_DAYS", "1", "OUTBOX_KEEP_SENT_DAYS must be 4 or more"),
        ("CACHE_URL", "memcached://cache:11211", "CACHE_URL must be a redis://"),
    ],
)
def test_a_malformed_setting_stops_start_up_with_its_name(name, value, message):
    result = run("manage.py", "check", **(PRODUCTION | {name: value}))
    assert result.returncode != 0
    assert message in result.stderr
