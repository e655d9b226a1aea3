"""MOU due-date reminders (mou/services/review.py send_mou_reminders, run hourly by beat)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from post_office.models import Email

from applications.models import Award, AwardCondition
from copsgrants.models import AuditEvent
from mou import services
from mou.models import Element, MouReminder, MouVersion
from mou.tasks import send_mou_reminders as reminder_task
from tests.award_states import accepted_award
from tests.conftest import require
from tests.mou.review_helpers import all_present, private_mou, submitted_mou, with_missing

__all__ = ["private_mou"]

DUE = date(2027, 1, 12)


def award_due(agency, due: date = DUE, **kwargs) -> Award:
    award = accepted_award(agency, letter=False, **kwargs)
    AwardCondition.objects.filter(award=award, code=AwardCondition.Code.SRO_MOU).update(
        due_date=due
    )
    return award


def kinds(award) -> list[str]:
    return list(award.mou_reminders.order_by("sent_at", "pk").values_list("kind", flat=True))


@pytest.mark.django_db
def test_each_window_sends_its_reminder_once(agency, applicant, member):
    award = award_due(agency)
    runs = {
        DUE - timedelta(days=31): 0,
        DUE - timedelta(days=30): 1,  # 30 days out
        DUE - timedelta(days=29): 0,
        DUE - timedelta(days=8): 0,  # still the 30-day window, already sent
        DUE - timedelta(days=7): 1,  # 7 days out
        DUE - timedelta(days=1): 0,
        DUE: 0,
        DUE + timedelta(days=1): 1,  # overdue
        DUE + timedelta(days=40): 0,
    }
    for today, expected in runs.items():
        assert services.send_mou_reminders(today=today) == expected, today
        assert services.send_mou_reminders(today=today) == 0, today  # the hour after
    assert kinds(award) == ["days_30", "days_7", "overdue"]
    assert Email.objects.count() == 3
    assert AuditEvent.objects.filter(verb="mou.reminder").count() == 3
    first, seven, overdue = Email.objects.order_by("pk")
    assert sorted(first.to) == sorted([applicant.email, member.email])
    for email in (first, seven, overdue):
        assert award.number in email.subject and "January 12, 2027" in email.message
        assert f"{settings.SITE_URL}/awards/{award.pk}/mou/" in email.message
    assert "30 days from today" in first.message
    assert "7 days from today" in seven.message
    assert overdue.subject.startswith("Overdue")
    assert "was due on January 12, 2027" in overdue.message


@pytest.mark.django_db
def test_a_late_first_run_sends_only_the_current_windows_reminder(agency):
    award = award_due(agency)
    assert services.send_mou_reminders(today=DUE - timedelta(days=3)) == 1
    assert kinds(award) == ["days_7"]
    assert services.send_mou_reminders(today=DUE + timedelta(days=2)) == 1
    assert kinds(award) == ["days_7", "overdue"]


@pytest.mark.django_db
def test_no_reminder_once_the_condition_is_met(agency, program_specialist, private_mou):
    award = award_due(agency)
    services.approve_mou(mou=submitted_mou(award), by=program_specialist, checks=all_present())
    sent = Email.objects.count()
    for offset in (-30, -7, 1):
        assert services.send_mou_reminders(today=DUE + timedelta(days=offset)) == 0
    assert not MouReminder.objects.exists() and Email.objects.count() == sent


@pytest.mark.django_db
def test_no_reminder_while_a_version_awaits_review_and_again_after_changes_requested(
    agency, program_specialist, private_mou
):
    award = award_due(agency)
    mou = submitted_mou(award)
    assert services.send_mou_reminders(today=DUE - timedelta(days=7)) == 0
    services.request_mou_changes(
        mou=mou, by=program_specialist, checks=with_missing(Element.SIGNATURES), note=""
    )
    assert mou.award.mou_versions.get().status == MouVersion.Status.CHANGES_REQUESTED
    assert services.send_mou_reminders(today=DUE - timedelta(days=7)) == 1
    assert kinds(award) == ["days_7"]


@pytest.mark.django_db
def test_only_accepted_sro_awards_with_a_due_date_are_reminded(agency, other_agency):
    offered = award_due(agency)
    Award.objects.filter(pk=offered.pk).update(status=Award.Status.OFFERED)
    award_due(other_agency, is_sro=False)  # no MOU condition at all
    undated = award_due(other_agency)
    AwardCondition.objects.filter(award=undated).update(due_date=None)
    assert services.send_mou_reminders(today=DUE - timedelta(days=7)) == 0
    assert not MouReminder.objects.exists()


@pytest.mark.django_db
def test_the_beat_task_sends_todays_reminders(agency):
    today = timezone.localdate()
    award = award_due(agency, due=today + timedelta(days=30))
    assert reminder_task.delay().get() == 1
    assert kinds(award) == ["days_30"]
    assert reminder_task.delay().get() == 0
    entry = settings.CELERY_BEAT_SCHEDULE["mou-reminders"]
    assert entry["task"] == reminder_task.name == "mou.tasks.send_mou_reminders"
    assert entry["schedule"] == 3600 and entry["options"]["expires"] == 3000


def test_the_windows():
    kind = services.reminder_kind
    assert kind(due=DUE, today=DUE - timedelta(days=31)) is None
    assert kind(due=DUE, today=DUE - timedelta(days=30)) == MouReminder.Kind.DAYS_30
    assert kind(due=DUE, today=DUE - timedelta(days=8)) == MouReminder.Kind.DAYS_30
    assert kind(due=DUE, today=DUE - timedelta(days=7)) == MouReminder.Kind.DAYS_7
    assert kind(due=DUE, today=DUE) == MouReminder.Kind.DAYS_7
    assert kind(due=DUE, today=DUE + timedelta(days=1)) == MouReminder.Kind.OVERDUE


def run_in_threads(count: int, function) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = function()
        except Exception as exc:  # reported by the assertion below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_send_each_reminder_once(agency, applicant):
    require(connection.vendor == "postgresql", "PostgreSQL")
    awards = [award_due(agency) for _ in range(3)]
    today = DUE - timedelta(days=7)
    results = run_in_threads(4, lambda: services.send_mou_reminders(today=today))
    assert all(isinstance(result, int) for result in results), results
    assert sum(results) == 3
    assert MouReminder.objects.count() == 3 and Email.objects.count() == 3
    assert all(kinds(award) == ["days_7"] for award in awards)
    assert all(email.to == [applicant.email] for email in Email.objects.all())


@pytest.mark.django_db(transaction=True)
def test_a_run_skips_an_award_another_run_is_reminding(agency):
    require(connection.vendor == "postgresql", "PostgreSQL")
    award = award_due(agency)
    today = DUE - timedelta(days=7)
    holding, release = threading.Event(), threading.Event()

    def other_run() -> None:
        try:
            with transaction.atomic():
                AwardCondition.objects.select_for_update().get(
                    award=award, code=AwardCondition.Code.SRO_MOU
                )
                holding.set()
                release.wait(timeout=20)
        finally:
            connection.close()

    thread = threading.Thread(target=other_run)
    thread.start()
    assert holding.wait(timeout=10)
    try:
        assert services.send_mou_reminders(today=today) == 0  # locked: skipped, not waited on
    finally:
        release.set()
        thread.join(timeout=30)
    assert services.send_mou_reminders(today=today) == 1
    assert kinds(award) == ["days_7"]
