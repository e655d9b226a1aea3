"""Agency and membership workflows. Each function guards, writes in one transaction, records an
audit event and queues email after commit. Views turn the errors into form errors or messages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from copsgrants.audit import record
from copsgrants.email import send_templated_email
from copsgrants.models import User

from .models import Agency, Application, Membership, ScoringRules, Solicitation


class MembershipError(Exception):
    """A membership change that the current state does not allow."""


class DuplicateAgency(Exception):
    """Another agency already holds this ORI or UEI."""


def register_agency(
    *, by: User, fields: dict[str, Any], is_authorized_representative: bool
) -> Agency:
    """Create the agency and make its registrant the first (active) agency administrator."""
    try:
        with transaction.atomic():
            agency = Agency(created_by=by, **fields)
            agency.save()
            Membership.objects.create(
                user=by,
                agency=agency,
                status=Membership.Status.ACTIVE,
                is_administrator=True,
                is_authorized_representative=is_authorized_representative,
                decided_at=timezone.now(),
                decided_by=by,
            )
            record(verb="agency.registered", target=agency, actor=by)
    except IntegrityError as exc:
        raise DuplicateAgency(
            "An agency with this ORI or UEI was registered a moment ago. Ask to join it instead."
        ) from exc
    return agency


def update_agency(*, agency: Agency, by: User, fields: dict[str, Any]) -> Agency:
    changed = {name: value for name, value in fields.items() if getattr(agency, name) != value}
    if not changed:
        return agency
    try:
        with transaction.atomic():
            for name, value in changed.items():
                setattr(agency, name, value)
            agency.save(update_fields=[*changed, "updated_at"])
            record(verb="agency.updated", target=agency, actor=by, data={"fields": sorted(changed)})
    except IntegrityError as exc:
        raise DuplicateAgency("Another agency already uses this ORI or UEI.") from exc
    return agency


def request_membership(*, user: User, agency: Agency) -> Membership:
    """Ask to join; the agency's administrators are emailed and decide."""
    with transaction.atomic():
        existing = Membership.objects.select_for_update().filter(user=user, agency=agency).first()
        if existing is not None and existing.status == Membership.Status.ACTIVE:
            raise MembershipError(f"You are already a member of {agency.legal_name}.")
        if existing is not None and existing.status == Membership.Status.PENDING:
            raise MembershipError(
                f"You have already asked to join {agency.legal_name}. An agency administrator "
                "will review your request."
            )
        if existing is not None:  # declined before: ask again
            existing.status = Membership.Status.PENDING
            existing.decided_at = None
            existing.decided_by = None
            existing.save(update_fields=["status", "decided_at", "decided_by"])
            membership = existing
        else:
            membership = Membership.objects.create(user=user, agency=agency)
        record(verb="membership.requested", target=membership, actor=user)
        admins = agency.memberships.active().filter(is_administrator=True)
        send_templated_email(
            template="applications/email/join_requested",
            context={"membership": membership, "agency": agency},
            to=admins.values_list("user__email", flat=True),
        )
    return membership


def _decide(membership: Membership, by: User) -> None:
    if membership.status != Membership.Status.PENDING:
        raise MembershipError("This request has already been decided.")
    if not can_manage_members(by, membership.agency)[0]:
        raise MembershipError("Only an agency administrator can decide requests to join.")


def approve_membership(
    *, membership: Membership, by: User, authorized_representative: bool = False
) -> Membership:
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        _decide(membership, by)
        membership.status = Membership.Status.ACTIVE
        membership.is_authorized_representative = authorized_representative
        membership.decided_at = timezone.now()
        membership.decided_by = by
        membership.save(
            update_fields=["status", "is_authorized_representative", "decided_at", "decided_by"]
        )
        record(
            verb="membership.approved",
            target=membership,
            actor=by,
            data={"authorized_representative": authorized_representative},
        )
        send_templated_email(
            template="applications/email/join_approved",
            context={"membership": membership, "agency": membership.agency},
            to=[membership.user.email],
        )
    return membership


def decline_membership(*, membership: Membership, by: User) -> Membership:
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        _decide(membership, by)
        membership.status = Membership.Status.DECLINED
        membership.decided_at = timezone.now()
        membership.decided_by = by
        membership.save(update_fields=["status", "decided_at", "decided_by"])
        record(verb="membership.declined", target=membership, actor=by)
        send_templated_email(
            template="applications/email/join_declined",
            context={"membership": membership, "agency": membership.agency},
            to=[membership.user.email],
        )
    return membership


def _other_administrators(membership: Membership):
    return (
        Membership.objects.active()
        .filter(agency_id=membership.agency_id, is_administrator=True)
        .exclude(pk=membership.pk)
    )


def change_member_roles(
    *,
    membership: Membership,
    by: User,
    is_administrator: bool,
    is_authorized_representative: bool,
) -> Membership:
    """Grant or take away the administrator and Authorized Representative roles."""
    with transaction.atomic():
        Agency.objects.select_for_update().get(pk=membership.agency_id)
        membership = Membership.objects.select_related("user", "agency").get(pk=membership.pk)
        if not can_manage_members(by, membership.agency)[0]:
            raise MembershipError("Only an agency administrator can change roles.")
        if membership.status != Membership.Status.ACTIVE:
            raise MembershipError("Only an active member's roles can change.")
        if (
            membership.is_administrator
            and not is_administrator
            and not _other_administrators(membership).exists()
        ):
            raise MembershipError(
                "An agency needs at least one administrator. Make someone else an administrator "
                "first."
            )
        before = membership.role_labels
        membership.is_administrator = is_administrator
        membership.is_authorized_representative = is_authorized_representative
        if membership.role_labels == before:
            return membership
        membership.save(update_fields=["is_administrator", "is_authorized_representative"])
        record(
            verb="membership.roles_changed",
            target=membership,
            actor=by,
            data={"before": before, "after": membership.role_labels},
        )
        send_templated_email(
            template="applications/email/roles_changed",
            context={"membership": membership, "agency": membership.agency},
            to=[membership.user.email],
        )
    return membership


def remove_member(*, membership: Membership, by: User) -> Membership:
    """Take a person out of the agency; they keep no access to its records."""
    with transaction.atomic():
        Agency.objects.select_for_update().get(pk=membership.agency_id)
        membership = Membership.objects.select_related("user", "agency").get(pk=membership.pk)
        if not can_manage_members(by, membership.agency)[0]:
            raise MembershipError("Only an agency administrator can remove members.")
        if membership.status != Membership.Status.ACTIVE:
            raise MembershipError("This person is not an active member.")
        if membership.is_administrator and not _other_administrators(membership).exists():
            raise MembershipError(
                "You cannot remove the agency's only administrator. Make someone else an "
                "administrator first."
            )
        membership.status = Membership.Status.REMOVED
        membership.decided_at = timezone.now()
        membership.decided_by = by
        membership.save(update_fields=["status", "decided_at", "decided_by"])
        record(verb="membership.removed", target=membership, actor=by)
        send_templated_email(
            template="applications/email/member_removed",
            context={"membership": membership, "agency": membership.agency},
            to=[membership.user.email],
        )
    return membership


def _active_membership(user: User, agency: Agency) -> Membership | None:
    if not user.is_authenticated:
        return None
    return agency.memberships.active().filter(user=user).first()


def can_edit_agency(user: User, agency: Agency) -> tuple[bool, str]:
    membership = _active_membership(user, agency)
    if membership is None:
        return False, "You are not a member of this agency."
    if not membership.is_administrator:
        return False, "Only an agency administrator can change the agency's profile."
    return True, ""


def can_manage_members(user: User, agency: Agency) -> tuple[bool, str]:
    membership = _active_membership(user, agency)
    if membership is None or not membership.is_administrator:
        return False, "Only an agency administrator can approve requests to join."
    return True, ""


# Applications ---------------------------------------------------------------------------------


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
    if _active_membership(by, agency) is None:
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


def can_edit_application(user: User, application: Application) -> tuple[bool, str]:
    if _active_membership(user, application.agency) is None:
        return False, "You are not a member of this agency."
    if application.status == Application.Status.WITHDRAWN:
        return False, "This application was withdrawn."
    if not application.is_editable:
        return False, (
            f"This application is {application.get_status_display().lower()} and locked. "
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
    membership = _active_membership(user, application.agency)
    if not membership.is_authorized_representative:
        return False, (
            "Only an Authorized Representative of the agency can certify and submit. "
            "Ask your agency administrator who holds that role."
        )
    return True, ""


def can_withdraw_application(user: User, application: Application) -> tuple[bool, str]:
    membership = _active_membership(user, application.agency)
    if membership is None:
        return False, "You are not a member of this agency."
    if not (membership.is_authorized_representative or membership.is_administrator):
        return False, "Only an Authorized Representative or agency administrator can withdraw."
    if application.status not in Application.WITHDRAWABLE:
        return False, (
            f"An application that is {application.get_status_display().lower()} can no longer "
            "be withdrawn."
        )
    return True, ""


def save_section(*, application: Application, form, by: User) -> Application:
    """Save one section's answers if nobody saved that section since the form was opened."""
    slug = form.slug
    with transaction.atomic():
        current = Application.objects.select_for_update().get(pk=application.pk)
        allowed, reason = can_edit_application(by, current)
        if not allowed:
            raise ApplicationError(reason)
        posted = form.cleaned_data.get("version")
        if posted is not None and posted != current.section_version(slug):
            raise StaleSection(
                "Someone else saved this section after you opened it, so your changes were not "
                "saved. Their answers are now stored; check them, then save again to replace "
                "them with yours."
            )
        fields = form.save_to(current)
        current.section_versions = {
            **current.section_versions,
            slug: current.section_version(slug) + 1,
        }
        current.save(update_fields=[*fields, "section_versions", "updated_at"])
        if hasattr(form, "save_related"):
            form.save_related(current)
        record(
            verb="application.section_saved",
            target=current,
            actor=by,
            data={"section": slug, "version": current.section_versions[slug]},
        )
    return current


def submit_application(*, application: Application, by: User, certified_name: str) -> Application:
    """Certify and submit. Safe to repeat: a second submit of a submitted application does
    nothing and sends no second receipt."""
    from .sections import outstanding, task_list

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
        problems = outstanding(task_list(current))
        if problems:
            count = len(problems)
            raise ApplicationError(
                f"The application is not complete: {count} item{'s' if count != 1 else ''} "
                f"still need{'s' if count == 1 else ''} attention."
            )
        resubmission = current.status == Application.Status.RETURNED
        # The status guard in the UPDATE makes a concurrent second submit a no-op on any database.
        tracking = current.tracking_number or (
            f"CHP{current.solicitation.fiscal_year % 100:02d}-{current.pk:06d}"
        )
        updated = Application.objects.filter(pk=current.pk, status__in=Application.EDITABLE).update(
            status=Application.Status.SUBMITTED,
            submitted_at=now,
            submitted_by=by,
            certified_name=certified_name.strip(),
            tracking_number=tracking,
            returned_reason="",
            updated_at=now,
        )
        if not updated:
            return Application.objects.get(pk=current.pk)
        current.refresh_from_db()
        record(
            verb="application.resubmitted" if resubmission else "application.submitted",
            target=current,
            actor=by,
            data={"tracking_number": tracking, "certified_name": current.certified_name},
        )
        send_templated_email(
            template="applications/email/application_submitted",
            context={"application": current, "resubmission": resubmission},
            to=[by.email, *_agency_recipients(current.agency)],
        )
    return current


CORRECTION_DAYS = 14


def return_application(
    *, application: Application, by: User, reason: str, days_to_correct: int = CORRECTION_DAYS
) -> Application:
    """Staff send a submitted application back to the agency for corrections. The agency may
    resubmit until the solicitation's deadline or `days_to_correct` days from now (end of that
    day, Eastern), whichever is later: a return never leaves it without time to act."""
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Say what the agency needs to correct.")
    if not 1 <= days_to_correct <= 90:
        raise ApplicationError("Give the agency between 1 and 90 days to correct it.")
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
        if current.status not in Application.WITHDRAWABLE:
            raise ApplicationError(
                f"An application that is {current.get_status_display().lower()} can no longer "
                "be withdrawn."
            )
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


# Solicitation settings -----------------------------------------------------------------------


def add_scoring_rules(*, rules: ScoringRules, by: User) -> ScoringRules:
    """Save a new version of a solicitation's scoring settings (versions are never edited)."""
    with transaction.atomic():
        Solicitation.objects.select_for_update().get(pk=rules.solicitation_id)
        latest = (
            ScoringRules.objects.filter(solicitation_id=rules.solicitation_id)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        rules.version = (latest or 0) + 1
        rules.created_by = by
        rules.in_force = False
        rules.save()
        record(verb="scoring_rules.added", target=rules.solicitation, actor=by,
               data={"version": rules.version})  # fmt: skip
    return rules


def put_scoring_rules_in_force(*, rules: ScoringRules, by: User) -> ScoringRules:
    """Make this version the one scoring uses; the previous one stops being in force."""
    with transaction.atomic():
        Solicitation.objects.select_for_update().get(pk=rules.solicitation_id)
        ScoringRules.objects.filter(solicitation_id=rules.solicitation_id, in_force=True).exclude(
            pk=rules.pk
        ).update(in_force=False)
        ScoringRules.objects.filter(pk=rules.pk).update(in_force=True)
        rules.in_force = True
        record(verb="scoring_rules.in_force", target=rules.solicitation, actor=by,
               data={"version": rules.version})  # fmt: skip
    return rules
