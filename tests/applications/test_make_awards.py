"""Making awards from a released funding plan: one per recommended application, all or none,
amounts copied from the plan, numbers from the fiscal year's sequence, conditions, and the first
letter of each owed to a worker (queued after commit); retrying a failed letter; re-issuing one."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from applications import services
from applications.models import (
    Application,
    Award,
    AwardCondition,
    AwardLetter,
    AwardNumberSequence,
    FundingPlan,
)
from applications.services.awards import add_months, project_period
from copsgrants.models import AuditEvent

from .award_helpers import released_plan
from .plan_helpers import PER_POSITION

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"^15JCOPS-26-GG-\d{5}-UHPX$")


def make(plan, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        awards = services.make_awards(plan=plan, by=manager)
    return awards, callbacks


def test_make_awards_creates_one_award_per_recommended_application_with_the_plans_amounts(
    django_capture_on_commit_callbacks,
):
    plan, manager, apps = released_plan([("CA", 2), ("TX", 1), ("WY", 3)])
    awards, _ = make(plan, manager, django_capture_on_commit_callbacks)

    assert [a.application for a in awards] == apps
    assert Award.objects.filter(plan=plan).count() == 3
    for award, line in zip(awards, plan.lines.order_by("rank"), strict=True):
        assert award.federal_amount == line.federal_funded == PER_POSITION * line.positions_funded
        assert award.positions == award.positions_new_hire == line.positions_funded
        assert award.agency == line.application.agency
        budget = line.application.budget
        assert (
            award.local_match == budget.cost_per_position * award.positions - award.federal_amount
        )
        assert award.local_match > 0
        assert award.status == Award.Status.PENDING_LETTER
        assert award.fiscal_year == 2026
    assert AuditEvent.objects.filter(verb="award.made").count() == 3
    assert AuditEvent.objects.filter(
        verb="plan.awards_made", message__startswith="3 awards"
    ).exists()


def test_an_award_keeps_its_amounts_when_the_applications_budget_changes_later(
    django_capture_on_commit_callbacks,
):
    plan, manager, (application,) = released_plan([("CA", 2)])
    (award,), _ = make(plan, manager, django_capture_on_commit_callbacks)
    federal, local = award.federal_amount, award.local_match

    application.salary_year_1 = Decimal("999999.00")
    application.positions_new_hire = 9
    application.save()
    award.refresh_from_db()
    assert (award.federal_amount, award.local_match, award.positions) == (federal, local, 2)


def test_award_numbers_are_sequential_formatted_and_continue_across_plans_of_a_year(
    django_capture_on_commit_callbacks,
):
    plan, manager, _ = released_plan([("CA", 1), ("TX", 1)])
    first, _ = make(plan, manager, django_capture_on_commit_callbacks)
    other, manager2, _ = released_plan([("NM", 1)])
    second, _ = make(other, manager2, django_capture_on_commit_callbacks)

    numbers = [a.number for a in first + second]
    assert numbers == [
        "15JCOPS-26-GG-00001-UHPX",
        "15JCOPS-26-GG-00002-UHPX",
        "15JCOPS-26-GG-00003-UHPX",
    ]
    assert all(NUMBER.match(n) for n in numbers)
    assert AwardNumberSequence.objects.get(fiscal_year=2026).last == 3


def test_only_sro_awards_carry_the_withholding_mou_condition(django_capture_on_commit_callbacks):
    plan, manager, (_sro, plain) = released_plan([("CA", 1), ("TX", 1)])
    Application.objects.filter(pk=plain.pk).update(sro_commitment=False)  # test setup only
    (sro_award, plain_award), _ = make(plan, manager, django_capture_on_commit_callbacks)

    assert sro_award.is_sro and not plain_award.is_sro
    mou = sro_award.conditions.get(code=AwardCondition.Code.SRO_MOU)
    assert mou.withholds_funds and "memorandum of understanding" in mou.text
    assert not plain_award.conditions.filter(code=AwardCondition.Code.SRO_MOU).exists()
    for award in (sro_award, plain_award):
        codes = set(award.conditions.values_list("code", flat=True))
        assert {"retention", "supplanting", "reporting"} <= codes
        assert not award.conditions.filter(withholds_funds=True).exclude(code="sro_mou").exists()


def test_the_project_and_budget_periods_run_sixty_months_from_next_month(
    django_capture_on_commit_callbacks,
):
    assert project_period(months=60, today=date(2026, 11, 28)) == (
        date(2026, 12, 1), date(2031, 11, 30),
    )  # fmt: skip
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    plan, manager, _ = released_plan([("CA", 1)])
    (award,), _ = make(plan, manager, django_capture_on_commit_callbacks)
    assert award.project_start.day == 1
    assert add_months(award.project_start, 60) - award.project_end == date.resolution
    assert (award.budget_start, award.budget_end) == (award.project_start, award.project_end)


def test_each_award_gets_a_pending_first_letter_queued_after_commit(
    django_capture_on_commit_callbacks,
):
    plan, manager, _ = released_plan([("CA", 1), ("TX", 2)])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        awards = services.make_awards(plan=plan, by=manager)
        # Inside the transaction the letters are owed, not yet rendered.
        assert [a.letters.get().status for a in awards] == ["pending", "pending"]
    letters = AwardLetter.objects.filter(award__plan=plan)
    assert sorted(letters.values_list("version", flat=True)) == [1, 1]
    assert len(callbacks) == 2
    for callback in callbacks:
        callback()  # eager Celery: the worker's render runs here
    assert set(letters.values_list("status", flat=True)) == {"ready"}


def test_make_awards_is_refused_before_the_decisions_are_released(grants_manager):
    plan, manager, _ = released_plan([("CA", 1)])
    FundingPlan.objects.filter(pk=plan.pk).update(status=FundingPlan.Status.APPROVED)
    plan.refresh_from_db()
    with pytest.raises(services.AwardError, match="Release the plan's decisions"):
        services.make_awards(plan=plan, by=manager)
    assert not Award.objects.exists() and not AwardLetter.objects.exists()


def test_make_awards_is_refused_twice_for_the_same_plan(django_capture_on_commit_callbacks):
    plan, manager, _ = released_plan([("CA", 1)])
    make(plan, manager, django_capture_on_commit_callbacks)
    with pytest.raises(services.AwardError, match="already been made"):
        services.make_awards(plan=plan, by=manager)
    assert Award.objects.count() == 1


def test_only_a_grants_manager_may_make_awards(program_specialist, reviewer):
    plan, _, _ = released_plan([("CA", 1)])
    for user in (program_specialist, reviewer):
        with pytest.raises(services.AwardError, match="Only a grants manager"):
            services.make_awards(plan=plan, by=user)
    assert not Award.objects.exists()


def test_make_awards_is_all_or_nothing(django_capture_on_commit_callbacks):
    plan, manager, (_first, second) = released_plan([("CA", 1), ("TX", 1)])
    # The second application already holds an award (e.g. from a bad import): nothing is made.
    other_plan, other_manager, (_other,) = released_plan([("NM", 1)])
    (existing,), _ = make(other_plan, other_manager, django_capture_on_commit_callbacks)
    Award.objects.filter(pk=existing.pk).update(application=second)  # test setup only
    with pytest.raises(Exception):  # noqa: B017 - the database refuses the duplicate
        services.make_awards(plan=plan, by=manager)
    assert not Award.objects.filter(plan=plan).exists()
    assert AwardLetter.objects.count() == 1
    assert AwardNumberSequence.objects.get(fiscal_year=2026).last == 1


def failed(letter: AwardLetter) -> AwardLetter:
    AwardLetter.objects.filter(pk=letter.pk).update(status="failed", error="Font missing")
    letter.refresh_from_db()
    return letter


def test_a_failed_letter_can_be_retried_and_is_pending_again(django_capture_on_commit_callbacks):
    plan, manager, _ = released_plan([("CA", 1)])
    with django_capture_on_commit_callbacks(execute=False):
        (award,) = services.make_awards(plan=plan, by=manager)
    letter = failed(award.letters.get())
    with django_capture_on_commit_callbacks(execute=False):
        services.retry_letter(letter=letter, by=manager)
    letter.refresh_from_db()
    assert (letter.status, letter.error, letter.version) == ("pending", "", 1)
    event = AuditEvent.objects.get(verb="letter.retried")
    assert event.data["error"] == "Font missing"
    with pytest.raises(services.AwardError, match="Only a failed letter"):
        services.retry_letter(letter=letter, by=manager)


def test_only_a_grants_manager_may_retry_a_letter(django_capture_on_commit_callbacks, reviewer):
    plan, manager, _ = released_plan([("CA", 1)])
    with django_capture_on_commit_callbacks(execute=False):
        (award,) = services.make_awards(plan=plan, by=manager)
    letter = failed(award.letters.get())
    with pytest.raises(services.AwardError, match="Only a grants manager"):
        services.retry_letter(letter=letter, by=reviewer)
    letter.refresh_from_db()
    assert letter.status == "failed"


def offered(award: Award) -> Award:
    """The first letter rendered (as the worker leaves it), without WeasyPrint."""
    award.letters.filter(version=1).update(status="ready", sha256="a" * 64)
    Award.objects.filter(pk=award.pk).update(status=Award.Status.OFFERED)
    award.refresh_from_db()
    return award


def test_reissuing_a_letter_makes_a_new_version_and_keeps_the_old_one(
    django_capture_on_commit_callbacks,
):
    plan, manager, _ = released_plan([("CA", 1)])
    with django_capture_on_commit_callbacks(execute=False):
        (award,) = services.make_awards(plan=plan, by=manager)
    award = offered(award)
    with django_capture_on_commit_callbacks(execute=False):
        letter = services.reissue_letter(award=award, by=manager, reason="Agency name corrected")
    assert (letter.version, letter.status, letter.reason) == (2, "pending", "Agency name corrected")
    old = award.letters.get(version=1)
    assert (old.status, old.sha256) == ("ready", "a" * 64)
    assert AuditEvent.objects.filter(verb="letter.reissued").count() == 1
    # While v2 is owed, another re-issue waits.
    with pytest.raises(services.AwardError, match="v2 is still being rendered"):
        services.reissue_letter(award=award, by=manager, reason="Again")


def test_a_letter_cannot_be_reissued_without_a_reason_or_before_the_award_is_offered(
    django_capture_on_commit_callbacks,
):
    plan, manager, _ = released_plan([("CA", 1)])
    with django_capture_on_commit_callbacks(execute=False):
        (award,) = services.make_awards(plan=plan, by=manager)
    with pytest.raises(services.AwardError, match="no letter to re-issue"):
        services.reissue_letter(award=award, by=manager, reason="Typo")
    award = offered(award)
    with pytest.raises(services.AwardError, match="Say why"):
        services.reissue_letter(award=award, by=manager, reason="  ")
    assert award.letters.count() == 1


def test_making_awards_succeeds_with_the_broker_down_and_the_sweep_renders_them_later(
    django_capture_on_commit_callbacks, monkeypatch, caplog
):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone
    from kombu.exceptions import OperationalError

    from applications.tasks import render_award_letter, sweep_letters

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    plan, manager, _ = released_plan([("CA", 1), ("TX", 2)])
    with monkeypatch.context() as patched:
        patched.setattr(render_award_letter, "apply_async", refuse)
        with django_capture_on_commit_callbacks(execute=True):
            awards = services.make_awards(plan=plan, by=manager)
    assert "the letter sweep will render it" in caplog.text
    letters = AwardLetter.objects.filter(award__in=awards)
    assert set(letters.values_list("status", flat=True)) == {"pending"}
    # The broker is back: the periodic sweep re-enqueues the owed letters (eager here).
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        sweep_letters()
    assert set(letters.values_list("status", flat=True)) == {"ready"}
