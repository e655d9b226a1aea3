"""Certificates rendered by a real Celery worker process on a real Redis (PostgreSQL only: the
worker reads the test database): completions recorded by the coordinator end with one ready
certificate and one file each, and the agency is emailed by the worker; a certificate whose
enqueue was lost is rendered once the sweep runs."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import wait_for
from training import services
from training.models import Certificate, Enrollment

from . import helpers
from .helpers import add_officers, enrollment, make_session

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

training_coordinator = helpers.training_coordinator


@pytest.fixture
def media(tmp_path, monkeypatch):
    """The worker's private storage: a folder of this test's own (MEDIA_ROOT in its env)."""
    folder = tmp_path / "media"
    folder.mkdir()
    monkeypatch.setenv("MEDIA_ROOT", str(folder))
    return folder


@pytest.fixture
def broker(redis_server, publish_to):
    publish_to(redis_server.url)
    return redis_server.url


def test_a_real_worker_renders_each_completion_once(
    media, broker, start_celery_worker, agency, applicant, training_coordinator
):
    helpers.eligible(agency)
    worker = start_celery_worker(broker_url=broker)
    session = make_session(starts_on=timezone.localdate() - timedelta(days=3), days=3)
    rows = [enrollment(session, o, Enrollment.Status.ENROLLED) for o in add_officers(agency, 3)]

    services.record_attendance(enrollments=rows, outcome="completed", by=training_coordinator)

    def ready() -> bool:
        return Certificate.objects.filter(status=Certificate.Status.READY).count() == 3

    wait_for(ready, timeout=180, interval=0.5)
    files = sorted(path for path in media.rglob("*") if path.is_file())
    assert len(files) == 3
    for certificate in Certificate.objects.all():
        path = media / certificate.file.name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == certificate.sha256
        assert path.read_bytes().startswith(b"%PDF-")
    # The status commits inside the task; the worker logs success just after it returns.
    wait_for(lambda: worker.succeeded("training.tasks.render_certificate") == 3, timeout=30)
    # The worker sends each email ("To: <officer>, <member>"): one per certificate.
    wait_for(
        lambda: (
            sum(
                "Subject: Training certificate" in message and applicant.email in message
                for message in worker.sent()
            )
            == 3
        ),
        timeout=60,
    )


def test_the_sweep_renders_a_certificate_whose_enqueue_was_lost(
    media,
    broker,
    start_celery_worker,
    agency,
    training_coordinator,
    monkeypatch,
):
    helpers.eligible(agency)
    worker = start_celery_worker(broker_url=broker)
    session = make_session(starts_on=timezone.localdate() - timedelta(days=3), days=3)
    row = enrollment(session, add_officers(agency, 1)[0], Enrollment.Status.ENROLLED)
    from training import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    # The broker is down at commit: the completion commits, the enqueue fails and is logged.
    with monkeypatch.context() as patched:
        patched.setattr(tasks.render_certificate, "apply_async", broker_down)
        services.record_attendance(enrollments=[row], outcome="completed", by=training_coordinator)
    certificate = Certificate.objects.get()
    Certificate.objects.filter(pk=certificate.pk).update(
        queued_at=timezone.now() - timedelta(minutes=2)
    )
    assert Certificate.objects.get().status == Certificate.Status.PENDING
    assert tasks.sweep_certificates() == 1
    wait_for(
        lambda: Certificate.objects.get().status == Certificate.Status.READY,
        timeout=180,
        interval=0.5,
    )
    wait_for(lambda: worker.succeeded("training.tasks.render_certificate") == 1, timeout=30)
