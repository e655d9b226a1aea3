"""Carrying out an accepted award: the one question every implementation path asks ("is this
award withheld, and why?"), clearing a withholding condition (the MOU app calls it when it
approves an MOU; this module does not know MOUs exist), reporting officer hires and requesting,
approving and rejecting drawdowns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Sum
from django.template.defaultfilters import pluralize
from django.utils import timezone

from copsgrants.audit import record
from copsgrants.email import send_templated_email
from copsgrants.models import User

from ..budget import format_dollars, money
from ..models import (
    POSITIONS_FIELD,
    Award,
    AwardCondition,
    Drawdown,
    HiringCategory,
    OfficerHire,
    SchoolPartner,
    active_membership,
)

# What a withholding condition still owes, shown as "Withheld: <this>, due <date>".
WITHHELD_BECAUSE = {
    AwardCondition.Code.SRO_MOU: "MOU not yet approved",
}


class ImplementationError(Exception):
    """An implementation action the award's state, its withholding or the user's role forbids.
    The message is a sentence for the user; `field` names the form field it is about, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def withholding(award: Award) -> str:
    """Why the award's funds are withheld ("Withheld: MOU not yet approved, due 2027-01-12"),
    or "" when no withholding condition is outstanding. Reads the conditions fresh."""
    reasons = []
    for condition in AwardCondition.objects.filter(
        award=award, withholds_funds=True, cleared_at__isnull=True
    ).order_by("pk"):
        what = WITHHELD_BECAUSE.get(condition.code, f"{condition.get_code_display()} not met")
        due = f", due {condition.due_date.isoformat()}" if condition.due_date else ""
        reasons.append(f"{what}{due}")
    return f"Withheld: {'; '.join(reasons)}" if reasons else ""


def implementation_blocked(award: Award) -> str:
    """Why nothing may be implemented on the award yet ("" when everything is open): it must be
    accepted, and no withholding condition may be outstanding."""
    if award.status != Award.Status.ACCEPTED:
        return "Hires and drawdowns can be reported once the award is accepted."
    return withholding(award)


@transaction.atomic
def clear_condition(*, award: Award, code: str, by: User | None, note: str = "") -> bool:
    """Mark the award's `code` condition as met (idempotent: False when it already was, or the
    award has no such condition). Runs inside the caller's transaction when there is one."""
    condition = AwardCondition.objects.select_for_update().filter(award=award, code=code).first()
    if condition is None or condition.cleared_at is not None:
        return False
    condition.cleared_at = timezone.now()
    condition.cleared_by = by
    condition.save(update_fields=["cleared_at", "cleared_by"])
    record(
        verb="condition.cleared",
        target=award,
        actor=by,
        message=f"{condition.get_code_display()} met" + (f": {note}" if note else ""),
        data={"code": code},
    )
    return True


# Who may act ------------------------------------------------------------------------------------

DECIDE_DRAWDOWN = "applications.decide_drawdown"


def can_implement(user: User, award: Award) -> tuple[bool, str]:
    """THE permission helper for reporting hires and requesting drawdowns: every view, service
    and admin path asks it (or `implementation_blocked`). Any active member of the agency may
    report, not only an Authorized Representative: hires and cost reports are routine grant
    administration, and CHP reserves only the acceptance signature to that role."""
    if active_membership(user, award.agency) is None:
        return False, "You are not a member of this agency."
    blocked = implementation_blocked(award)
    if blocked:
        return False, blocked
    return True, ""


def can_decide_drawdown(user: User, drawdown: Drawdown) -> tuple[bool, str]:
    """COPS staff holding decide_drawdown, on a drawdown still awaiting a decision."""
    if not (user.is_active and user.is_staff and user.has_perm(DECIDE_DRAWDOWN)):
        return False, "Only COPS staff who decide drawdowns can approve or reject them."
    if drawdown.status != Drawdown.Status.REQUESTED:
        return False, (
            f"Drawdown {drawdown.number} is already {drawdown.get_status_display().lower()}."
        )
    return True, ""


# Reading ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawdownTotals:
    """The award's money so far: approved, awaiting a decision, and what is left to request."""

    federal: Decimal
    approved: Decimal
    pending: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.federal - self.approved - self.pending


def drawdown_totals(award: Award) -> DrawdownTotals:
    sums = {
        row["status"]: row["total"]
        for row in Drawdown.objects.filter(award=award)
        .order_by()
        .values("status")
        .annotate(total=Sum("amount"))
    }
    return DrawdownTotals(
        federal=money(award.federal_amount),
        approved=money(sums.get(Drawdown.Status.APPROVED)),
        pending=money(sums.get(Drawdown.Status.REQUESTED)),
    )


def school_partners(award: Award) -> dict[str, list[str]]:
    """The SRO application's school districts and, for each, its schools (one per line)."""
    partners: dict[str, list[str]] = {}
    for partner in SchoolPartner.objects.filter(application_id=award.application_id):
        schools = [" ".join(line.split()) for line in partner.schools.splitlines()]
        partners.setdefault(partner.district_name.strip(), []).extend(s for s in schools if s)
    return partners


# Hires ------------------------------------------------------------------------------------------


def _locked(award: Award) -> Award:
    return Award.objects.select_for_update().select_related("agency").get(pk=award.pk)


def _long_date(value: date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def _check_hire(award: Award, hire_date: date, category: str) -> None:
    if hire_date < award.project_start:
        raise ImplementationError(
            f"The hire date must be on or after the award start date, "
            f"{_long_date(award.project_start)}.",
            field="hire_date",
        )
    if hire_date > award.project_end:
        raise ImplementationError(
            f"The hire date must be within the project period, which ends "
            f"{_long_date(award.project_end)}.",
            field="hire_date",
        )
    if hire_date > timezone.localdate():
        raise ImplementationError(
            "Report a hire once the officer has started: the hire date cannot be in the future.",
            field="hire_date",
        )
    if category not in HiringCategory.values:
        raise ImplementationError("Choose the hiring category.", field="hiring_category")
    label = HiringCategory(category).label.lower()
    funded = getattr(award, POSITIONS_FIELD[HiringCategory(category)])
    if not funded:
        raise ImplementationError(f"The award funds no {label} positions.", field="hiring_category")
    reported = OfficerHire.objects.filter(award=award, hiring_category=category).count()
    if reported >= funded:
        raise ImplementationError(
            f"The award funds {funded} {label} position{pluralize(funded)} and "
            f"{reported} {'has' if reported == 1 else 'have'} already been reported.",
            field="hiring_category",
        )


def _check_assignment(award: Award, district: str, school: str) -> tuple[str, str]:
    district, school = " ".join(district.split()), " ".join(school.split())
    if not award.is_sro:
        return district, school
    partners = school_partners(award)
    if not district:
        raise ImplementationError(
            "Choose the school district the officer is assigned to.", field="school_district"
        )
    if district not in partners:
        raise ImplementationError(
            "Choose one of the school partners named in the application.",
            field="school_district",
        )
    if not school:
        raise ImplementationError("Choose the school the officer is assigned to.", field="school")
    if school not in partners[district]:
        raise ImplementationError(
            f"Choose one of the schools {district} serves, as listed in the application.",
            field="school",
        )
    return district, school


def report_hire(
    *,
    award: Award,
    by: User,
    first_name: str,
    last_name: str,
    hire_date: date,
    hiring_category: str,
    badge_number: str = "",
    email: str = "",
    school_district: str = "",
    school: str = "",
) -> OfficerHire:
    """Record an officer hired into one of the award's funded positions."""
    first_name, last_name = " ".join(first_name.split()), " ".join(last_name.split())
    if not first_name:
        raise ImplementationError("Enter the officer's first name.", field="first_name")
    if not last_name:
        raise ImplementationError("Enter the officer's last name.", field="last_name")
    with transaction.atomic():
        award = _locked(award)
        allowed, reason = can_implement(by, award)
        if not allowed:
            raise ImplementationError(reason)
        _check_hire(award, hire_date, hiring_category)
        school_district, school = _check_assignment(award, school_district, school)
        hire = OfficerHire.objects.create(
            award=award, first_name=first_name, last_name=last_name,
            badge_number=badge_number.strip(), email=email.strip(), hire_date=hire_date,
            hiring_category=hiring_category, school_district=school_district, school=school,
            reported_by=by,
        )  # fmt: skip
        record(
            verb="hire.reported",
            target=award,
            actor=by,
            message=f"{hire.name}, {hire.get_hiring_category_display().lower()}, hired "
            f"{_long_date(hire_date)}" + (f", assigned to {school} ({school_district})"
                                          if school else ""),
            data={"hire": hire.pk, "hiring_category": hiring_category,
                  "hire_date": hire_date.isoformat()},
        )  # fmt: skip
    return hire


# Drawdowns --------------------------------------------------------------------------------------


def _check_period(award: Award, start: date, end: date) -> None:
    if start > end:
        raise ImplementationError(
            "The period must end on or after the day it starts.", field="period_end"
        )
    if start < award.project_start:
        raise ImplementationError(
            f"The period must start on or after the award start date, "
            f"{_long_date(award.project_start)}.",
            field="period_start",
        )
    if end > award.project_end:
        raise ImplementationError(
            f"The period must end by the end of the project period, "
            f"{_long_date(award.project_end)}.",
            field="period_end",
        )
    if end > timezone.localdate():
        raise ImplementationError(
            "Drawdowns reimburse costs already incurred: the period cannot end in the future.",
            field="period_end",
        )


def request_drawdown(
    *,
    award: Award,
    by: User,
    period_start: date,
    period_end: date,
    amount: Decimal,
    description: str,
) -> Drawdown:
    """Ask to be reimbursed the actual costs of a period; never beyond the federal amount."""
    description = description.strip()
    if not description:
        raise ImplementationError(
            "Describe the actual costs incurred in the period.", field="description"
        )
    if amount is None or money(amount) <= 0:
        raise ImplementationError("Enter an amount greater than $0.", field="amount")
    amount = money(amount)
    with transaction.atomic():
        award = _locked(award)
        allowed, reason = can_implement(by, award)
        if not allowed:
            raise ImplementationError(reason)
        _check_period(award, period_start, period_end)
        totals = drawdown_totals(award)
        if amount > totals.remaining:
            raise ImplementationError(
                f"This request would take drawdowns beyond the award's federal amount "
                f"({format_dollars(totals.federal)}): {format_dollars(max(totals.remaining, 0))}"
                " is left to request.",
                field="amount",
            )
        last = Drawdown.objects.filter(award=award).aggregate(n=Max("number"))["n"] or 0
        drawdown = Drawdown.objects.create(
            award=award, number=last + 1, period_start=period_start, period_end=period_end,
            amount=amount, description=description, requested_by=by,
        )  # fmt: skip
        record(
            verb="drawdown.requested",
            target=drawdown,
            actor=by,
            message=f"Drawdown {drawdown.number} of {format_dollars(amount)} for "
            f"{_long_date(period_start)} to {_long_date(period_end)}.",
            data={"award": award.number, "amount": str(amount)},
        )
    return drawdown


def _decide(drawdown: Drawdown, by: User) -> tuple[Award, Drawdown]:
    """Lock the award, then the drawdown, and check `by` may decide it now."""
    award = _locked(drawdown.award)
    drawdown = Drawdown.objects.select_for_update().get(pk=drawdown.pk)
    allowed, reason = can_decide_drawdown(by, drawdown)
    if not allowed:
        raise ImplementationError(reason)
    return award, drawdown


def _tell_agency(award: Award, drawdown: Drawdown) -> None:
    send_templated_email(
        template="applications/email/drawdown_decided",
        context={"award": award, "drawdown": drawdown},
        to=award.agency.memberships.active().values_list("user__email", flat=True),
    )


def approve_drawdown(*, drawdown: Drawdown, by: User, note: str = "") -> Drawdown:
    with transaction.atomic():
        award, drawdown = _decide(drawdown, by)
        blocked = implementation_blocked(award)
        if blocked:
            raise ImplementationError(blocked)
        totals = drawdown_totals(award)
        if totals.approved + drawdown.amount > totals.federal:
            raise ImplementationError(
                f"Approving {format_dollars(drawdown.amount)} would take approved drawdowns "
                f"beyond the award's federal amount ({format_dollars(totals.federal)}): "
                f"{format_dollars(totals.federal - totals.approved)} is left."
            )
        drawdown.status = Drawdown.Status.APPROVED
        drawdown.decided_at = timezone.now()
        drawdown.decided_by = by
        drawdown.decision_note = note.strip()
        drawdown.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
        record(
            verb="drawdown.approved",
            target=drawdown,
            actor=by,
            message=f"{format_dollars(drawdown.amount)} approved"
            + (f": {drawdown.decision_note}" if drawdown.decision_note else "."),
            data={"award": award.number, "amount": str(drawdown.amount)},
        )
        _tell_agency(award, drawdown)
    return drawdown


def reject_drawdown(*, drawdown: Drawdown, by: User, note: str) -> Drawdown:
    note = note.strip()
    if not note:
        raise ImplementationError("Say why the drawdown is rejected.", field="note")
    with transaction.atomic():
        award, drawdown = _decide(drawdown, by)
        drawdown.status = Drawdown.Status.REJECTED
        drawdown.decided_at = timezone.now()
        drawdown.decided_by = by
        drawdown.decision_note = note
        drawdown.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
        record(
            verb="drawdown.rejected",
            target=drawdown,
            actor=by,
            message=f"{format_dollars(drawdown.amount)} rejected: {note}",
            data={"award": award.number, "amount": str(drawdown.amount)},
        )
        _tell_agency(award, drawdown)
    return drawdown
