"""Staff review of an MOU version against the required elements, and due-date reminders.

Approving a version clears the award's SRO MOU condition through
`applications.services.implementation.clear_condition`, in the same transaction: an approval
is all or nothing. A newer approved version supersedes an earlier one (the MOU is a living
document); the condition stays cleared."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from applications.models import Award, AwardCondition
from applications.services.implementation import clear_condition
from copsgrants.audit import record
from copsgrants.email import send_templated_email
from copsgrants.models import User

from ..models import Element, MouElementCheck, MouReminder, MouVersion
from .errors import MouError

__all__ = [
    "REVIEW_PERMISSION",
    "MouError",
    "approve_mou",
    "can_review_mou",
    "missing_elements",
    "mou_page_url",
    "reminder_kind",
    "request_mou_changes",
    "send_mou_reminders",
]

REVIEW_PERMISSION = "mou.review_mouversion"

# One finding per element: (present, comment).
Checks = Mapping[str, tuple[bool, str]]


def can_review_mou(user: User, mou: MouVersion) -> tuple[bool, str]:
    """Whether `user` may approve `mou` or request changes, and if not, why."""
    if not (user.is_active and user.is_staff and user.has_perm(REVIEW_PERMISSION)):
        return False, "Only a program specialist can review MOUs."
    if mou.status != MouVersion.Status.SUBMITTED:
        return False, (
            f"Version {mou.version} is {mou.get_status_display().lower()}: only a version "
            "awaiting review can be decided."
        )
    return True, ""


def _findings(checks: Checks) -> dict[str, tuple[bool, str]]:
    """The checks, one per element in the elements' order, comments trimmed; a readable error
    for an unknown element or one without a finding."""
    unknown = sorted(set(checks) - set(Element.values))
    if unknown:
        raise MouError(f"Unknown MOU element: {', '.join(unknown)}.")
    absent = [element.label for element in Element if element.value not in checks]
    if absent:
        raise MouError(f"Record a finding for every element; none for: {'; '.join(absent)}.")
    findings = {}
    for element in Element:
        present, comment = checks[element.value]
        findings[element.value] = (bool(present), (comment or "").strip()[:2000])
    return findings


def missing_elements(checks: Checks) -> list[str]:
    """The labels of the elements the checks mark missing, in the elements' order."""
    return [element.label for element in Element if not checks[element.value][0]]


def mou_page_url(award: Award) -> str:
    """The agency's MOU page for the award, absolute (for email)."""
    return settings.SITE_URL + reverse("mou:award_mou", args=[award.pk])


def _members(award: Award) -> list[str]:
    return list(award.agency.memberships.active().values_list("user__email", flat=True))


def _lock_for_decision(mou: MouVersion, by: User) -> MouVersion:
    """The version's row, locked, after the permission and status guards (re-checked under
    the lock, so two reviewers cannot both decide it)."""
    locked = (
        MouVersion.objects.select_for_update(of=("self",))
        .select_related("award__agency")
        .get(pk=mou.pk)
    )
    allowed, reason = can_review_mou(by, locked)
    if not allowed:
        raise MouError(reason)
    return locked


def _decide(
    *, mou: MouVersion, by: User, findings: dict[str, tuple[bool, str]], status: str, note: str
) -> MouVersion:
    MouElementCheck.objects.bulk_create(
        MouElementCheck(mou=mou, element=element, present=present, comment=comment)
        for element, (present, comment) in findings.items()
    )
    mou.status = status
    mou.decided_by = by
    mou.decided_at = timezone.now()
    mou.decision_note = note
    mou.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return mou


def _email_context(mou: MouVersion, findings: dict[str, tuple[bool, str]]) -> dict:
    return {
        "mou": mou,
        "award": mou.award,
        "checks": [
            {"label": Element(element).label, "present": present, "comment": comment}
            for element, (present, comment) in findings.items()
        ],
        "note": mou.decision_note,
        "url": mou_page_url(mou.award),
    }


def approve_mou(*, mou: MouVersion, by: User, checks: Checks, note: str = "") -> MouVersion:
    """Approve `mou`: every required element must be present. Records the findings and the
    decision, clears the award's SRO MOU condition (already clear when this supersedes an
    earlier approved version) and emails the agency's members."""
    allowed, reason = can_review_mou(by, mou)
    if not allowed:
        raise MouError(reason)
    findings = _findings(checks)
    missing = missing_elements(findings)
    if missing:
        raise MouError(
            "An MOU can be approved only when every required element is present. Missing: "
            + "; ".join(missing)
            + "."
        )
    note = (note or "").strip()
    with transaction.atomic():
        mou = _lock_for_decision(mou, by)
        superseded = (
            MouVersion.objects.filter(award=mou.award, status=MouVersion.Status.APPROVED)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        _decide(mou=mou, by=by, findings=findings, status=MouVersion.Status.APPROVED, note=note)
        cleared = clear_condition(
            award=mou.award,
            code=AwardCondition.Code.SRO_MOU,
            by=by,
            note=f"MOU version {mou.version} approved",
        )
        record(
            verb="mou.approved",
            target=mou,
            actor=by,
            message=note,
            data={
                "award": mou.award.number,
                "version": mou.version,
                "superseded_version": superseded,
                "condition_cleared": cleared,
            },
        )
        send_templated_email(
            template="mou/email/mou_approved",
            context={**_email_context(mou, findings), "superseded": superseded},
            to=_members(mou.award),
        )
    return mou


def request_mou_changes(*, mou: MouVersion, by: User, checks: Checks, note: str) -> MouVersion:
    """Send `mou` back to the agency: at least one element missing, or a note saying what to
    change. The agency's members get the findings with each element's comment; the award stays
    as it is (a condition cleared by an earlier approved version stays cleared)."""
    allowed, reason = can_review_mou(by, mou)
    if not allowed:
        raise MouError(reason)
    findings = _findings(checks)
    note = (note or "").strip()
    missing = missing_elements(findings)
    if not missing and not note:
        raise MouError(
            "Every element is marked present: mark what is missing, or write a note saying "
            "what the agency should change."
        )
    with transaction.atomic():
        mou = _lock_for_decision(mou, by)
        _decide(
            mou=mou,
            by=by,
            findings=findings,
            status=MouVersion.Status.CHANGES_REQUESTED,
            note=note,
        )
        record(
            verb="mou.changes_requested",
            target=mou,
            actor=by,
            message=note,
            data={"award": mou.award.number, "version": mou.version, "missing": missing},
        )
        send_templated_email(
            template="mou/email/mou_changes_requested",
            context={**_email_context(mou, findings), "missing": missing},
            to=_members(mou.award),
        )
    return mou


# Reminders ----------------------------------------------------------------------------------


def reminder_kind(*, due: date, today: date) -> str | None:
    """The reminder whose window contains `today`: 30 days out for [due-30, due-7), 7 days out
    for [due-7, due], overdue from the day after the due date; None before due-30."""
    if today > due:
        return MouReminder.Kind.OVERDUE
    if today >= due - timedelta(days=7):
        return MouReminder.Kind.DAYS_7
    if today >= due - timedelta(days=30):
        return MouReminder.Kind.DAYS_30
    return None


def _send_reminder(condition_pk: int, today: date) -> bool:
    """Send the reminder owed for one award's MOU condition, once. Another run holding the
    condition's lock skips it (it is sending); the unique constraint backs this up."""
    with transaction.atomic():
        condition = (
            AwardCondition.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("award__agency")
            .filter(pk=condition_pk, cleared_at__isnull=True, due_date__isnull=False)
            .first()
        )
        if condition is None:
            return False
        award = condition.award
        kind = reminder_kind(due=condition.due_date, today=today)
        if kind is None or award.mou_reminders.filter(kind=kind).exists():
            return False
        if award.mou_versions.filter(status=MouVersion.Status.SUBMITTED).exists():
            return False
        try:
            with transaction.atomic():
                MouReminder.objects.create(award=award, kind=kind, due_date=condition.due_date)
        except IntegrityError:
            return False  # another run sent it first
        record(
            verb="mou.reminder",
            target=award,
            actor=None,
            message=MouReminder.Kind(kind).label,
            data={"kind": kind, "due_date": condition.due_date.isoformat()},
        )
        send_templated_email(
            template="mou/email/mou_reminder",
            context={
                "award": award,
                "kind": kind,
                "due_date": condition.due_date,
                "days_left": (condition.due_date - today).days,
                "overdue": kind == MouReminder.Kind.OVERDUE,
                "url": mou_page_url(award),
            },
            to=_members(award),
        )
    return True


def send_mou_reminders(*, today: date | None = None) -> int:
    """Email each accepted SRO award's agency the MOU reminder due today (Celery beat), unless
    a version is awaiting review; each kind at most once per award. Returns how many went."""
    today = today or timezone.localdate()
    conditions = AwardCondition.objects.filter(
        code=AwardCondition.Code.SRO_MOU,
        cleared_at__isnull=True,
        due_date__isnull=False,
        due_date__lte=today + timedelta(days=30),
        award__status=Award.Status.ACCEPTED,
        award__is_sro=True,
    ).values_list("pk", flat=True)
    return sum(_send_reminder(pk, today) for pk in list(conditions))
