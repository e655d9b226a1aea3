"""Awards: make them from a released funding plan (one per recommended application, numbered
from the fiscal year's locked sequence), and manage their letters (retry a failed render, re-issue
a corrected letter as a new version). The letter row commits with the award; a Celery worker
renders it after commit (applications/tasks.py), and a periodic sweep re-enqueues any letter
whose message was lost, so nothing here waits on the broker."""

from __future__ import annotations

import calendar
import logging
from datetime import date, timedelta
from functools import partial

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from copsgrants.audit import record
from copsgrants.models import User

from ..budget import ZERO, format_dollars, money
from ..models import (
    Application,
    Award,
    AwardCondition,
    AwardLetter,
    AwardNumberSequence,
    FundingPlan,
    PlanLine,
)

AWARD_NUMBER = "15JCOPS-{yy:02d}-GG-{sequence:05d}-UHPX"

CONDITION_TEXT = {
    AwardCondition.Code.SRO_MOU: (
        "The recipient may not obligate, expend or draw down funds until COPS approves a "
        "memorandum of understanding between the recipient and each school partner, signed by "
        "both, that sets out the School Resource Officers' roles and responsibilities."
    ),
    AwardCondition.Code.RETENTION: (
        "The recipient must retain each officer position funded by this award with state or "
        "local funds for at least {months} months after the federal funding ends."
    ),
    AwardCondition.Code.SUPPLANTING: (
        "Funds must be used to increase the number of sworn officers, not to replace state or "
        "local funds that would otherwise have been spent on them."
    ),
    AwardCondition.Code.REPORTING: (
        "The recipient must submit quarterly progress and federal financial reports."
    ),
}

logger = logging.getLogger(__name__)


class AwardError(Exception):
    """An award or letter change that the plan's or the letter's state, or the user's role,
    forbids."""


def can_make_awards(user: User, plan: FundingPlan) -> tuple[bool, str]:
    if not user.has_perm("applications.make_awards"):
        return False, "Only a grants manager can make awards."
    if plan.status != FundingPlan.Status.RELEASED:
        return False, "Release the plan's decisions before making awards."
    if plan.awards.exists():
        return False, "Awards have already been made from this plan."
    return True, ""


def can_manage_letters(user: User) -> tuple[bool, str]:
    if not user.has_perm("applications.make_awards"):
        return False, "Only a grants manager can retry or re-issue award letters."
    return True, ""


def format_award_number(*, fiscal_year: int, sequence: int) -> str:
    return AWARD_NUMBER.format(yy=fiscal_year % 100, sequence=sequence)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def project_period(*, months: int, today: date) -> tuple[date, date]:
    """From the first day of next month, for `months` months."""
    start = add_months(today.replace(day=1), 1)
    return start, add_months(start, months) - timedelta(days=1)


def split_positions(application: Application, funded: int) -> tuple[int, int, int]:
    """The funded positions by category (new hires, laid-off rehires, scheduled rehires):
    a plan that funds fewer than requested takes them in the application's order."""
    split = []
    for requested in (
        application.positions_new_hire,
        application.positions_rehire_laid_off,
        application.positions_rehire_scheduled,
    ):
        take = min(requested or 0, funded)
        split.append(take)
        funded -= take
    return split[0], split[1], split[2]


def _queue_render(letter: AwardLetter) -> None:
    # Imported here: the task module imports the renderer (WeasyPrint), which the admin and the
    # services never need. On commit: a rolled-back award queues nothing. A lost message (the
    # broker down at commit) is re-enqueued by the sweep: the pending row is the promise.
    transaction.on_commit(partial(_enqueue_render, letter_id=letter.pk))


def _enqueue_render(*, letter_id: int) -> None:
    """After commit: ask a worker for the letter; with the broker down, log and carry on (the
    request has succeeded, and the sweep renders the pending letter when the broker is back)."""
    from ..tasks import render_award_letter

    try:
        render_award_letter.apply_async((letter_id,), retry=False)
    except Exception:
        logger.warning(
            "Could not queue award letter %s; the letter sweep will render it",
            letter_id,
            exc_info=True,
        )


def _award_for(*, line: PlanLine, plan: FundingPlan, sequence: int, by: User,
               start: date, end: date) -> Award:  # fmt: skip
    application = line.application
    solicitation = plan.solicitation
    new_hire, laid_off, scheduled = split_positions(application, line.positions_funded)
    cost = application.budget.cost_per_position * line.positions_funded
    award = Award.objects.create(
        application=application,
        solicitation=solicitation,
        agency=application.agency,
        plan=plan,
        number=format_award_number(fiscal_year=solicitation.fiscal_year, sequence=sequence),
        fiscal_year=solicitation.fiscal_year,
        sequence=sequence,
        federal_amount=money(line.federal_funded),
        local_match=max(money(cost - line.federal_funded), ZERO),
        positions_new_hire=new_hire,
        positions_rehire_laid_off=laid_off,
        positions_rehire_scheduled=scheduled,
        is_sro=bool(application.sro_commitment or solicitation.all_positions_sro),
        project_title=f"{solicitation.title}: {application.agency.legal_name}"[:300],
        project_start=start,
        project_end=end,
        budget_start=start,
        budget_end=end,
        created_by=by,
    )
    codes = [AwardCondition.Code.RETENTION, AwardCondition.Code.SUPPLANTING,
             AwardCondition.Code.REPORTING]  # fmt: skip
    if award.is_sro:
        codes.insert(0, AwardCondition.Code.SRO_MOU)
    for code in codes:
        # The MOU condition's due date is set when the first letter is dated (the renderer).
        AwardCondition.objects.create(
            award=award,
            code=code,
            text=CONDITION_TEXT[code].format(months=solicitation.retention_months),
            withholds_funds=code == AwardCondition.Code.SRO_MOU,
        )
    return award


def make_awards(*, plan: FundingPlan, by: User) -> list[Award]:
    """One award per recommended application of a released plan, all or none, each with its
    first letter owed (rendered by a worker after commit)."""
    with transaction.atomic():
        plan = (
            FundingPlan.objects.select_for_update().select_related("solicitation").get(pk=plan.pk)
        )
        allowed, reason = can_make_awards(by, plan)
        if not allowed:
            raise AwardError(reason)
        lines = list(
            plan.lines.filter(
                positions_funded__gt=0, application__status=Application.Status.RECOMMENDED
            )
            .select_related("application__agency", "application__solicitation")
            .order_by("rank")
        )
        if not lines:
            raise AwardError("This plan recommends no application to fund.")
        fiscal_year = plan.solicitation.fiscal_year
        AwardNumberSequence.objects.get_or_create(fiscal_year=fiscal_year)
        # Locked until commit: a concurrent batch of the same fiscal year waits here, then
        # continues after this batch's last number.
        numbers = AwardNumberSequence.objects.select_for_update().get(fiscal_year=fiscal_year)
        start, end = project_period(
            months=plan.solicitation.project_period_months, today=timezone.localdate()
        )
        awards = []
        for line in lines:
            numbers.last += 1
            award = _award_for(line=line, plan=plan, sequence=numbers.last, by=by,
                               start=start, end=end)  # fmt: skip
            letter = AwardLetter.objects.create(award=award, version=1, created_by=by)
            record(verb="award.made", target=award, actor=by,
                   message=f"{award.number}: {format_dollars(award.federal_amount)}, "
                   f"{award.positions} positions", data={"plan": plan.pk})  # fmt: skip
            _queue_render(letter)
            awards.append(award)
        numbers.save(update_fields=["last"])
        total = sum((award.federal_amount for award in awards), ZERO)
        record(verb="plan.awards_made", target=plan, actor=by,
               message=f"{len(awards)} awards, {format_dollars(total)}")  # fmt: skip
    return awards


def retry_letter(*, letter: AwardLetter, by: User) -> AwardLetter:
    """Render a failed letter again (same version)."""
    allowed, reason = can_manage_letters(by)
    if not allowed:
        raise AwardError(reason)
    with transaction.atomic():
        letter = AwardLetter.objects.select_for_update().select_related("award").get(pk=letter.pk)
        if letter.status != AwardLetter.Status.FAILED:
            raise AwardError(
                f"Only a failed letter can be retried; this one is "
                f"{letter.get_status_display().lower()}."
            )
        previous_error = letter.error
        letter.status = AwardLetter.Status.PENDING
        letter.error = ""
        letter.save(update_fields=["status", "error"])
        record(verb="letter.retried", target=letter.award, actor=by,
               message=f"Letter v{letter.version}", data={"letter": letter.pk,
               "error": previous_error[:500]})  # fmt: skip
        _queue_render(letter)
    return letter


REISSUABLE = (Award.Status.OFFERED, Award.Status.ACCEPTED)


def can_reissue_letter(user: User, award: Award) -> tuple[bool, str]:
    allowed, reason = can_manage_letters(user)
    if not allowed:
        return allowed, reason
    if award.status not in REISSUABLE:
        return False, f"The award is {award.get_status_display().lower()}: no letter to re-issue."
    return True, ""


def reissue_letter(*, award: Award, by: User, reason: str) -> AwardLetter:
    """A new letter version after a correction; earlier versions and their files are kept."""
    reason = reason.strip()
    if not reason:
        raise AwardError("Say why the letter is re-issued.")
    with transaction.atomic():
        award = Award.objects.select_for_update().get(pk=award.pk)
        allowed, why_not = can_reissue_letter(by, award)
        if not allowed:
            raise AwardError(why_not)
        unfinished = award.letters.exclude(
            status__in=[AwardLetter.Status.READY, AwardLetter.Status.FAILED]
        ).first()
        if unfinished is not None:
            raise AwardError(
                f"Letter v{unfinished.version} is still being rendered; wait for it first."
            )
        version = (award.letters.aggregate(last=Max("version"))["last"] or 0) + 1
        letter = AwardLetter.objects.create(
            award=award, version=version, reason=reason[:500], created_by=by
        )
        record(verb="letter.reissued", target=award, actor=by,
               message=f"Letter v{version}: {reason}", data={"letter": letter.pk})  # fmt: skip
        _queue_render(letter)
    return letter
