import logging
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError
from post_office.models import STATUS, Email

from copsgrants import email
from copsgrants.email import send_templated_email
from copsgrants.tasks import deliver_email
from tests.factories import AgencyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


class RefusingBackend(LocmemBackend):
    """A mail server that is down."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def send_join_request(agency=None, to=("admin@agency.test",)):
    agency = agency or AgencyFactory()
    send_templated_email(
        template="applications/email/join_requested",
        context={"membership": MembershipFactory(agency=agency, pending=True), "agency": agency},
        to=to,
    )


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(deliver_email, "apply_async", refuse)


def test_email_text_is_verbatim_and_its_html_alternative_escapes_everything(
    django_capture_on_commit_callbacks,
):
    agency = AgencyFactory(legal_name="<script>alert(1)</script> Sheriff's Office")
    with django_capture_on_commit_callbacks(execute=True):
        send_join_request(agency)
    message = mail.outbox[0]
    assert "<script>alert(1)</script> Sheriff's Office" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Sheriff&#x27;s Office" in html


def test_template_tags_typed_by_a_user_are_sent_as_typed_not_run(
    django_capture_on_commit_callbacks,
):
    agency = AgencyFactory(legal_name="{% now 'Y' %} {{ agency.uei }} Police")
    with django_capture_on_commit_callbacks(execute=True):
        send_join_request(agency)
    assert "{% now 'Y' %} {{ agency.uei }} Police" in mail.outbox[0].body


def test_links_in_email_are_clickable_in_the_html_alternative(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="chief@town.example")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "chief@town.example"})
    html = mail.outbox[0].alternatives[0][0]
    assert '<a href="http://testserver/accounts/reset/' in html


def test_a_message_is_queued_in_the_callers_transaction_and_sent_only_after_it_commits(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        send_join_request(to=["b@agency.test", "a@agency.test", "", "a@agency.test"])
    queued = Email.objects.get()
    assert queued.status == STATUS.queued
    assert mail.outbox == []

    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a@agency.test", "b@agency.test"]
    assert mail.outbox[0].from_email == "COPS Grants <no-reply@copsgrants.test>"
    queued.refresh_from_db()
    assert queued.status == STATUS.sent


def test_a_message_rolls_back_with_the_change_that_caused_it():
    with pytest.raises(RuntimeError), transaction.atomic():
        send_join_request()
        raise RuntimeError("the service failed after asking for the email")
    assert not Email.objects.exists()


def test_a_broker_outage_is_logged_and_leaves_the_message_for_the_sweep(
    broker_down, django_capture_on_commit_callbacks, caplog
):
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        send_join_request()
    assert "the outbox sweep will send it" in caplog.text
    assert Email.objects.get().status == STATUS.queued
    assert mail.outbox == []

    assert email.deliver_owed() == 1
    assert len(mail.outbox) == 1
    assert Email.objects.get().status == STATUS.sent


def test_a_password_reset_request_succeeds_while_the_broker_is_down(
    client, broker_down, django_capture_on_commit_callbacks
):
    UserFactory(email="chief@town.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "chief@town.example"})
    assert response.status_code == 302
    assert Email.objects.get().to == ["chief@town.example"]


def test_joining_an_agency_succeeds_while_the_broker_is_down(
    signed_in, broker_down, django_capture_on_commit_callbacks
):
    administrator = MembershipFactory(administrator=True, user__email="admin@agency.test")
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(UserFactory()).post(
            reverse("applications:agency_join", args=[administrator.agency.pk]),
            {"identifier": administrator.agency.ori},
        )
    assert response.status_code == 302
    assert Email.objects.get(status=STATUS.queued).to == ["admin@agency.test"]


def test_a_message_is_sent_once_however_often_it_is_delivered_or_swept(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        send_join_request()
    queued = Email.objects.get()
    assert email.deliver(email_id=queued.pk) is False
    assert email.deliver_owed() == 0
    deliver_email.delay(queued.pk)
    assert len(mail.outbox) == 1


def test_a_failed_send_is_retried_later_and_given_up_after_the_retry_limit(settings):
    settings.POST_OFFICE = settings.POST_OFFICE | {
        "MAX_RETRIES": 1,
        "RETRY_INTERVAL": timedelta(minutes=10),
    }
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    send_join_request()
    queued = Email.objects.get()

    assert email.deliver_owed() == 0
    queued.refresh_from_db()
    assert (queued.status, queued.number_of_retries) == (STATUS.requeued, 1)
    assert queued.logs.get().exception_type == "ConnectionRefusedError"
    assert email.deliver_owed() == 0  # not due again for ten minutes
    assert queued.logs.count() == 1

    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert email.deliver_owed() == 0
    queued.refresh_from_db()
    assert queued.status == STATUS.failed
    assert queued.logs.count() == 2

    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert email.deliver_owed() == 0  # a failed message waits for a person
    assert mail.outbox == []


def test_a_retried_send_is_delivered_once_the_mail_server_is_back(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    send_join_request()
    assert email.deliver_owed() == 0

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert email.deliver_owed() == 1
    assert Email.objects.get().status == STATUS.sent
    assert len(mail.outbox) == 1


def test_the_sweep_runs_every_minute_from_beat(settings):
    from copsgrants.celery import app

    (entry,) = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "copsgrants.tasks.sweep_outbox"
    ]
    assert entry["schedule"] == 60.0
    assert "copsgrants.tasks.sweep_outbox" in app.tasks


def test_sent_email_is_purged_after_the_keep_period_but_unsent_email_stays(
    settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_KEEP_SENT_DAYS = 30
    with django_capture_on_commit_callbacks(execute=True):
        send_join_request()
        send_join_request()
    sent_old, sent_new = Email.objects.order_by("pk")
    assert {sent_old.status, sent_new.status} == {STATUS.sent}
    unsent = Email.objects.create(
        from_email="a@b.example", to=["x@y.example"], subject="s", message="m", status=STATUS.queued
    )
    failed = Email.objects.create(
        from_email="a@b.example", to=["x@y.example"], subject="s", message="m", status=STATUS.failed
    )
    long_ago = timezone.now() - timedelta(days=31)
    Email.objects.filter(pk__in=[sent_old.pk, unsent.pk, failed.pk]).update(last_updated=long_ago)

    assert email.purge_sent() == 1
    assert set(Email.objects.values_list("pk", flat=True)) == {sent_new.pk, unsent.pk, failed.pk}
    assert email.purge_sent() == 0


def test_purging_sent_email_is_on_the_beat_schedule():
    from django.conf import settings as django_settings

    entry = django_settings.CELERY_BEAT_SCHEDULE["purge-sent-email"]
    assert entry["task"] == "copsgrants.tasks.purge_sent_email"
    assert entry["schedule"] == 24 * 60 * 60
