"""The on-commit task and the sweep race for one message: it is sent once (PostgreSQL row locks)."""

import threading

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from post_office.models import STATUS, Email

from copsgrants import email
from copsgrants.email import send_templated_email
from copsgrants.tasks import deliver_email
from tests.conftest import require
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


class SlowBackend(LocmemBackend):
    """A mail server that holds every send until the test lets it go."""

    attempts = 0
    sending = threading.Event()
    release = threading.Event()

    def send_messages(self, messages):
        type(self).attempts += 1
        type(self).sending.set()
        if not type(self).release.wait(timeout=20):
            raise TimeoutError("the test never released the send")
        return super().send_messages(messages)


@pytest.fixture
def slow_mail_server(settings, monkeypatch):
    require(connection.vendor == "postgresql", "PostgreSQL")
    settings.EMAIL_BACKEND = f"{__name__}.SlowBackend"
    SlowBackend.attempts = 0
    SlowBackend.sending.clear()
    SlowBackend.release.clear()
    yield SlowBackend
    SlowBackend.release.set()


def queue_one_message(monkeypatch) -> int:
    monkeypatch.setattr(deliver_email, "apply_async", lambda *args, **kwargs: None)  # staged below
    membership = MembershipFactory(pending=True)
    send_templated_email(
        template="applications/email/join_requested",
        context={"membership": membership, "agency": membership.agency},
        to=["admin@agency.test"],
    )
    return Email.objects.get().pk


def in_thread(function, results: dict, key: str) -> threading.Thread:
    def run():
        try:
            results[key] = function()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.parametrize("first", ["on-commit task", "sweep"])
def test_a_message_being_sent_by_one_worker_is_skipped_by_the_other(
    slow_mail_server, monkeypatch, first
):
    email_id = queue_one_message(monkeypatch)
    workers = {
        "on-commit task": lambda: email.deliver(email_id=email_id),
        "sweep": email.deliver_owed,
    }
    first_worker = workers.pop(first)
    (second_worker,) = workers.values()

    results: dict = {}
    thread = in_thread(first_worker, results, "first")
    assert slow_mail_server.sending.wait(timeout=20)
    # The first worker is mid-send and holds the row: the second neither waits nor sends.
    assert second_worker() in (False, 0)
    slow_mail_server.release.set()
    thread.join(timeout=20)

    assert results["first"] in (True, 1)
    assert slow_mail_server.attempts == 1
    assert len(mail.outbox) == 1
    assert Email.objects.get().status == STATUS.sent
    assert email.deliver_owed() == 0
    assert len(mail.outbox) == 1
