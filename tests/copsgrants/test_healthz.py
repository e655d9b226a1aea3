import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from post_office.models import STATUS, Email

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_is_public_and_reports_database_and_broker_up(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error")


@pytest.mark.django_db
def test_healthz_answers_503_when_the_filesystem_brokers_folder_is_gone(client, settings, tmp_path):
    folder = tmp_path / "broker"  # never made, as if deleted under a running server
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
    }
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker"] == "error: the broker folder is missing or not writable"

    (folder / "processed").mkdir(parents=True)
    (folder / "control").mkdir()
    assert client.get(reverse("healthz")).status_code == 200


def age_email(*, minutes: int, status: int) -> Email:
    message = Email.objects.create(
        from_email="no-reply@copsgrants.test", to=["a@agency.test"], subject="Hi", status=status
    )
    Email.objects.filter(pk=message.pk).update(created=timezone.now() - timedelta(minutes=minutes))
    return message


@pytest.mark.django_db
def test_healthz_answers_503_when_email_has_waited_longer_than_the_limit(client, settings):
    settings.OUTBOX_MAX_AGE_MINUTES = 15
    age_email(minutes=60, status=STATUS.sent)
    age_email(minutes=60, status=STATUS.failed)  # given up on: a person's job, not an outage
    age_email(minutes=14, status=STATUS.queued)
    assert client.get(reverse("healthz")).status_code == 200

    age_email(minutes=16, status=STATUS.requeued)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker"] == "error: 1 email(s) unsent for over 15 minutes"


def test_healthz_answers_503_when_the_database_is_down():
    # A fresh process whose DATABASE_URL points at a port with no server behind it.
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz'); print(r.status_code); print(r.content.decode())"
    )
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "copsgrants.settings",
        "DJANGO_DEBUG": "1",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    status, body = result.stdout.strip().split("\n", 1)
    assert status == "503", result.stderr
    assert json.loads(body)["database"].startswith("error")
