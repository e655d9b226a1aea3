"""Email leaves through the outbox, the broker and a real Celery worker process, and survives the
broker being down when the action happens."""

import logging
import re

import pytest
from django.urls import reverse
from post_office.models import STATUS, Email

from copsgrants.tasks import sweep_outbox
from tests.conftest import wait_for
from tests.factories import AgencyFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_a_password_reset_email_is_delivered_by_a_real_worker(client, celery_worker_process):
    UserFactory(email="chief@town.example", first_name="Jamie", last_name="Chief")
    response = client.post(reverse("password_reset"), {"email": "chief@town.example"})
    assert response.status_code == 302

    message = wait_for(lambda: list(celery_worker_process.glob("*.log")))[0].read_text()
    assert "To: chief@town.example" in message
    assert "Subject: Reset your COPS Grants password" in message
    assert "Hello Jamie Chief" in message
    assert re.search(r"http://testserver/accounts/reset/\S+/\S+/", message)
    # The worker marks the row sent just after the mail server took the message.
    assert wait_for(lambda: Email.objects.get().status == STATUS.sent, timeout=20)


def test_email_asked_for_while_redis_was_down_arrives_once_when_it_is_back(
    client, signed_in, redis_server, publish_to, start_celery_worker, caplog
):
    publish_to(redis_server.url)
    UserFactory(email="chief@town.example")
    administrator = MembershipFactory(
        agency=AgencyFactory(legal_name="Riverton Police Department"),
        administrator=True,
        user__email="admin@riverton.example",
    )
    officer = UserFactory(email="officer@town.example")
    redis_server.stop()

    with caplog.at_level(logging.WARNING, logger="copsgrants.email"):
        reset = client.post(reverse("password_reset"), {"email": "chief@town.example"})
        join = signed_in(officer).post(
            reverse("applications:agency_join", args=[administrator.agency.pk]),
            {"identifier": administrator.agency.ori},
        )
    assert (reset.status_code, join.status_code) == (302, 302)
    assert Email.objects.filter(status=STATUS.queued).count() == 2
    assert "the outbox sweep will send it" in caplog.text
    assert client.get(reverse("healthz")).json()["broker"].startswith("error")

    redis_server.start()
    worker = start_celery_worker(broker_url=redis_server.url, beat=True)
    # Nothing else will queue these two: only beat's first sweep (a minute in) can send them.
    wait_for(lambda: worker.succeeded("copsgrants.tasks.sweep_outbox"), timeout=150)
    recipients = sorted(re.search(r"^To: (.*)$", text, re.M).group(1) for text in worker.sent())
    assert recipients == ["admin@riverton.example", "chief@town.example"]
    assert set(Email.objects.values_list("status", flat=True)) == {STATUS.sent}

    # Another sweep, through the broker and the worker, finds nothing owed and sends nothing.
    sweep_outbox.delay()
    wait_for(lambda: worker.succeeded("copsgrants.tasks.sweep_outbox") == 2, timeout=60)
    assert len(worker.sent()) == 2


def test_email_asked_for_while_the_broker_folder_was_gone_arrives_once_when_it_is_back(
    client, signed_in, tmp_path, publish_to, start_celery_worker
):
    folder = tmp_path / "broker"
    options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }
    publish_to("filesystem://", options)
    administrator = MembershipFactory(administrator=True, user__email="admin@agency.example")
    officer = UserFactory(email="officer@town.example")
    assert not folder.exists()

    response = signed_in(officer).post(
        reverse("applications:agency_join", args=[administrator.agency.pk]),
        {"identifier": administrator.agency.ori},
    )
    assert response.status_code == 302
    assert Email.objects.get().status == STATUS.queued
    health = client.get(reverse("healthz"))
    assert health.status_code == 503
    assert health.json()["broker"] == "error: the broker folder is missing or not writable"

    # A worker starting up makes the folders again (settings.py does), then a sweep runs.
    worker = start_celery_worker(broker_url="filesystem://", broker_folder=folder)
    wait_for(lambda: (folder / "control").is_dir(), timeout=60)
    assert client.get(reverse("healthz")).json()["broker"] == "ok"

    sweep_outbox.delay()
    wait_for(lambda: worker.succeeded("copsgrants.tasks.sweep_outbox"), timeout=60)
    (message,) = worker.sent()
    assert "To: admin@agency.example" in message
    assert Email.objects.get().status == STATUS.sent

    sweep_outbox.delay()
    wait_for(lambda: worker.succeeded("copsgrants.tasks.sweep_outbox") == 2, timeout=60)
    assert len(worker.sent()) == 1
