"""Application workflows: start, save a section, submit, return for corrections, withdraw.
Each function guards the current status with a readable error, writes in one transaction under a
row lock, records an audit event and queues email after commit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from copsgrants.audit import record
from copsgrants.email import send_templated_email
from copsgrants.models import User

from ..checks import PROFILE_FIELDS, outstanding
from ..decisions import shown_status
from ..models import (
    CORRECTION_DAYS,
    MAX_CORRECTION_DAYS,
    MIN_CORRECTION_DAYS,
    Agency,
    Application,
    SchoolPartner,
    Solicitation,
    active_membership,
)


class ApplicationError(Exception):
    """An application change that its current state, the deadline or the user's role forbids."""


class StaleSection(ApplicationError):
    """Someone saved the section after this form was opened."""


def _format_time(moment) -> str:
    return f"{timezone.localtime(moment):%B %-d, %Y at %-I:%M %p %Z}"


def _format_deadline(solicitation: Solicitation) -> str:
    return _format_time(solicitation.closes_at)


def _agency_recipients(agency: Agency) -> list[str]:
    return list(agency.memberships.active().values_list("user__email", flat=True))


def start_application(*, agency: Agency, solicitation: Solicitation, by: User) -> Application:
    """Open a draft, or return the agency's live application to this solicitation if it has one
    (so a double click or a second colleague lands on the same application)."""
    if active_membership(by, agency) is None:
        raise ApplicationError("You are not a member of this agency.")
    if not solicitation.is_open():
        raise ApplicationError(
            f"{solicitation.title} is not accepting applications "
            f"(deadline {_format_deadline(solicitation)})."
        )
    existing = Application.objects.live().filter(agency=agency, solicitation=solicitation).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            application = Application.objects.create(
                agency=agency,
                solicitation=solicitation,
                created_by=by,
                agency_profile={},
            )
            record(verb="application.started", target=application, actor=by)
    except IntegrityError:
        # The other click won the race; the constraint guarantees there is exactly one.
        return Application.objects.live().get(agency=agency, solicitation=solicitation)
    return application


def can_edit_application(
    user: User, application: Application, *, member: bool | None = None
) -> tuple[bool, str]:
    """Whether the user may change the application, and why not. `member` says the caller already
    knows the user is an active member of its agency (it loaded the application through
    `Application.objects.for_user`); left out, the membership is read from the database."""
    if member is None:
        member = active_membership(user, application.agency) is not None
    if not member:
        return False, "You are not a member of this agency."
    if application.status == Application.Status.WITHDRAWN:
        return False, "This application was withdrawn."
    if not application.is_editable:
        # The status the agency may see: a decision not yet released reads "under review".
        return False, (
            f"This application is {shown_status(application)[1].lower()} and locked. "
            "COPS staff can return it to you for corrections."
        )
    if not application.is_before_deadline():
        if application.status == Application.Status.RETURNED:
            return False, (
                f"The deadline for corrections ({_format_time(application.deadline)}) has passed."
            )
        return False, (
            f"The deadline for this solicitation ({_format_deadline(application.solicitation)}) "
            "has passed."
        )
    return True, ""


def can_submit_application(user: User, application: Application) -> tuple[bool, str]:
    allowed, reason = can_edit_application(user, application)
    if not allowed:
        return allowed, reason
    membership = active_membership(user, application.agency)
    if not membership.is_authorized_representative:
        return False, (
            "Only an Authorized Representative of the agency can certify and submit. "
            "Ask your agency administrator who holds that role."
        )
    if not application.agency.is_verified:
        return False, (
            f"{application.agency.legal_name} is waiting for COPS to verify it. You can complete "
            "the application now; you can submit once it is verified. This usually takes 2 "
            "business days."
        )
    return True, ""


def can_withdraw_application(user: User, application: Application) -> tuple[bool, str]:
    membership = active_membership(user, application.agency)
    if membership is None:
        return False, "You are not a member of this agency."
    if not (membership.is_authorized_representative or membership.is_administrator):
        return False, "Only an Authorized Representative or agency administrator can withdraw."
    if not application.can_be_withdrawn:
        return False, (
            f"An application that is {application.get_status_display().lower()} can no longer "
            "be withdrawn."
        )
    return True, ""


STALE_MESSAGE = (
    "Someone else saved this section after you opened it, so your changes were not saved. Their "
    "answers are now stored; check them, then save again to replace them with yours."
)


def save_section(
    *,
    application: Application,
    slug: str,
    data: dict[str, Any],
    version: int | None,
    by: User,
    partners: list[dict[str, Any]] | None = None,
) -> Application:
    """Save one section's cleaned answers if nobody saved that section since the page was opened
    (`version` is the save count the page was built from; a missing one counts as stale)."""
    with transaction.atomic():
        current = Application.objects.select_for_update().get(pk=application.pk)
        allowed, reason = can_edit_application(by, current)
        if not allowed:
            raise ApplicationError(reason)
        if version is None or version != current.section_version(slug):
            raise StaleSection(STALE_MESSAGE)
        fields = _STORE.get(slug, _store_columns)(current, data, partners or [])
        current.section_versions = {
            **current.section_versions,
            slug: current.section_version(slug) + 1,
        }
        current.save(update_fields=[*fields, "section_versions", "updated_at"])
        record(
            verb="application.section_saved",
            target=current,
            actor=by,
            data={"section": slug, "version": current.section_versions[slug]},
        )
    return current


# How each section's answers are stored: columns by default; the registry names the exceptions.


def _store_columns(application: Application, data: dict[str, Any], partners=()) -> list[str]:
    for name, value in data.items():
        setattr(application, name, value)
    return list(data)


def _store_profile(application: Application, data: dict[str, Any], partners=()) -> list[str]:
    application.agency_profile = {name: data.get(name) for name in PROFILE_FIELDS}
    return ["agency_profile"]


def _store_sro(application: Application, data: dict[str, Any], partners=()) -> list[str]:
    fields = _store_columns(application, data)
    if not application.sro_commitment:
        application.sro_positions = None
        application.sro_time_assurance = False
        fields = sorted({*fields, "sro_positions", "sro_time_assurance"})
    _store_partners(application, list(partners))
    return fields


_STORE = {"agency": _store_profile, "sro": _store_sro}


def _store_partners(application: Application, rows: list[dict[str, Any]]) -> None:
    """Create, change and delete school partners. Ids of another application's partners are
    ignored; without an SRO commitment the application has no partners."""
    existing = {partner.pk: partner for partner in application.school_partners.all()}
    if not application.sro_commitment:
        application.school_partners.all().delete()
        return
    for row in rows:
        row = dict(row)
        pk = row.pop("id", None)
        delete = row.pop("delete", False)
        partner = existing.get(pk)
        if partner is not None and delete:
            partner.delete()
        elif partner is not None:
            for name, value in row.items():
                setattr(partner, name, value)
            partner.save()
        elif not delete:
            SchoolPartner.objects.create(application=application, **row)


def submit_application(*, application: Application, by: User, certified_name: str) -> Application:
    """Certify and submit. Safe to repeat: under the row lock a second submit of a submitted
    application changes nothing and sends no second receipt."""
    with transaction.atomic():
        current = Application.objects.select_for_update().get(pk=application.pk)
        if current.status == Application.Status.SUBMITTED:
            return current
        allowed, reason = can_submit_application(by, current)
        if not allowed:
            raise ApplicationError(reason)
        now = timezone.now()
        if not current.is_before_deadline(now):
            raise ApplicationError(f"The deadline ({_format_time(current.deadline)}) has passed.")
        problems = outstanding(current)
        if problems:
            count = len(problems)
            raise ApplicationError(
                f"The application is not complete: {count} item{'s' if count != 1 else ''} "
                f"still need{'s' if count == 1 else ''} attention."
            )
        resubmission = current.status == Application.Status.RETURNED
        current.tracking_number = current.tracking_number or Application.format_tracking_number(
            fiscal_year=current.solicitation.fiscal_year, pk=current.pk
        )
        current.status = Application.Status.SUBMITTED
        current.submitted_at = now
        current.submitted_by = by
        current.certified_name = certified_name.strip()
        current.returned_reason = ""
        # save() (not QuerySet.update()) so the field history records the submission.
        current.save(
            update_fields=["status", "submitted_at", "submitted_by", "certified_name",
                           "tracking_number", "returned_reason", "updated_at"]
        )  # fmt: skip
        record(
            verb="application.resubmitted" if resubmission else "application.submitted",
            target=current,
            actor=by,
            data={
                "tracking_number": current.tracking_number,
                "certified_name": current.certified_name,
            },
        )
        send_templated_email(
            template="applications/email/application_submitted",
            context={"application": current, "resubmission": resubmission},
            to=[by.email, *_agency_recipients(current.agency)],
        )
    return current


def return_application(
    *, application: Application, by: User, reason: str, days_to_correct: int = CORRECTION_DAYS
) -> Application:
    """Staff send a submitted application back to the agency for corrections. The agency may
    resubmit until the solicitation's deadline or `days_to_correct` days from now (end of that
    day, Eastern), whichever is later: a return never leaves it without time to act."""
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Say what the agency needs to correct.")
    if not MIN_CORRECTION_DAYS <= days_to_correct <= MAX_CORRECTION_DAYS:
        raise ApplicationError(
            f"Give the agency between {MIN_CORRECTION_DAYS} and {MAX_CORRECTION_DAYS} days to "
            "correct it."
        )
    with transaction.atomic():
        current = Application.objects.select_for_update().get(pk=application.pk)
        if current.status != Application.Status.SUBMITTED:
            raise ApplicationError(
                f"Only a submitted application can be returned; this one is "
                f"{current.get_status_display().lower()}."
            )
        end_of_day = timezone.localtime().replace(hour=23, minute=59, second=59, microsecond=0)
        due = max(current.solicitation.closes_at, end_of_day + timedelta(days=days_to_correct))
        current.status = Application.Status.RETURNED
        current.returned_reason = reason
        current.corrections_due_at = due
        current.save(
            update_fields=["status", "returned_reason", "corrections_due_at", "updated_at"]
        )
        record(
            verb="application.returned",
            target=current,
            actor=by,
            message=reason,
            data={"corrections_due_at": due.isoformat()},
        )
        send_templated_email(
            template="applications/email/application_returned",
            context={"application": current, "reason": reason},
            to=_agency_recipients(current.agency),
        )
    return current


def withdraw_application(*, application: Application, by: User) -> Application:
    with transaction.atomic():
        current = Application.objects.select_for_update().get(pk=application.pk)
        allowed, reason = can_withdraw_application(by, current)
        if not allowed:
            raise ApplicationError(reason)
        current.status = Application.Status.WITHDRAWN
        current.withdrawn_at = timezone.now()
        current.save(update_fields=["status", "withdrawn_at", "updated_at"])
        record(verb="application.withdrawn", target=current, actor=by)
        send_templated_email(
            template="applications/email/application_withdrawn",
            context={"application": current, "by": by},
            to=_agency_recipients(current.agency),
        )
    return current
