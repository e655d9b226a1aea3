"""Agency and membership workflows. Each function guards, writes in one transaction, records an
audit event and queues email after commit. Views turn the errors into form errors or messages."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from copsgrants.audit import record
from copsgrants.email import send_templated_email
from copsgrants.models import AuditEvent, User

from ..models import Agency, Membership, active_membership


class MembershipError(Exception):
    """A membership change that the current state does not allow."""


class DuplicateAgency(Exception):
    """Another agency already holds this ORI or UEI."""


class AgencyError(Exception):
    """An agency change that its current state or the user's role does not allow."""


# Asking to join emails every administrator, so repeated asking is limited.
ASK_AGAIN_AFTER_DECLINE = timedelta(days=7)
REQUEST_WINDOW = timedelta(days=30)
MAX_REQUESTS_PER_WINDOW = 3


def _format_day(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%B %-d, %Y}"


def _administrator_emails(agency: Agency) -> list[str]:
    admins = agency.memberships.active().filter(is_administrator=True)
    return list(admins.values_list("user__email", flat=True))


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
                # Nobody else vouched for it: staff see this designation flagged.
                representative_designated_by=by if is_authorized_representative else None,
                decided_at=timezone.now(),
                decided_by=by,
            )
            record(verb="agency.registered", target=agency, actor=by)
    except IntegrityError as exc:
        raise DuplicateAgency(
            "An agency with this ORI or UEI was registered a moment ago. Ask to join it instead."
        ) from exc
    return agency


# What COPS verified: changing one of these sends the agency back to pending verification.
IDENTITY_FIELDS = ("legal_name", "ori", "uei", "state")


def update_agency(*, agency: Agency, by: User, fields: dict[str, Any]) -> Agency:
    """Save profile changes. A verified agency whose identity (name, ORI, UEI, state) changes is
    pending verification again: COPS verified the old identity, not the new one."""
    changed = {name: value for name, value in fields.items() if getattr(agency, name) != value}
    if not changed:
        return agency
    try:
        with transaction.atomic():
            for name, value in changed.items():
                setattr(agency, name, value)
            update_fields = [*changed, "updated_at"]
            reverify = agency.is_verified and any(name in IDENTITY_FIELDS for name in changed)
            if reverify:
                agency.verification_status = Agency.Verification.PENDING
                agency.verified_at = None
                agency.verified_by = None
                update_fields += ["verification_status", "verified_at", "verified_by"]
            agency.save(update_fields=update_fields)
            record(verb="agency.updated", target=agency, actor=by, data={"fields": sorted(changed)})
            if reverify:
                record(
                    verb="agency.verification_reset",
                    target=agency,
                    actor=by,
                    message="Its name, ORI, UEI or state changed after COPS verified it.",
                    data={"fields": sorted(set(changed) & set(IDENTITY_FIELDS))},
                )
    except IntegrityError as exc:
        raise DuplicateAgency("Another agency already uses this ORI or UEI.") from exc
    return agency


def verify_agency(*, agency: Agency, by: User, note: str) -> Agency:
    """A program specialist confirms the agency is who it says it is (ORI, UEI, executives), so
    its Authorized Representatives may submit applications."""
    note = note.strip()
    if not by.has_perm("applications.change_agency"):
        raise AgencyError("Only a COPS program specialist can verify an agency.")
    if not note:
        raise AgencyError("Say what you checked to verify the agency.")
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        if agency.is_verified:
            raise AgencyError(
                f"{agency.legal_name} was already verified on {_format_day(agency.verified_at)}."
            )
        agency.verification_status = Agency.Verification.VERIFIED
        agency.verified_at = timezone.now()
        agency.verified_by = by
        agency.verification_note = note
        agency.save(
            update_fields=["verification_status", "verified_at", "verified_by",
                           "verification_note", "updated_at"]
        )  # fmt: skip
        record(verb="agency.verified", target=agency, actor=by, message=note)
        send_templated_email(
            template="applications/email/agency_verified",
            context={"agency": agency},
            to=_administrator_emails(agency),
        )
    return agency


def _may_ask_again(membership: Membership, now: datetime) -> None:
    """Refuse a request that would email the administrators too often."""
    if membership.status == Membership.Status.DECLINED and membership.decided_at is not None:
        allowed_from = membership.decided_at + ASK_AGAIN_AFTER_DECLINE
        if now < allowed_from:
            raise MembershipError(
                f"{membership.agency.legal_name} declined your request on "
                f"{_format_day(membership.decided_at)}. You can ask again from "
                f"{_format_day(allowed_from)}."
            )
    recent = list(
        AuditEvent.objects.for_object(membership)
        .filter(verb="membership.requested", created_at__gt=now - REQUEST_WINDOW)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    if len(recent) >= MAX_REQUESTS_PER_WINDOW:
        allowed_from = recent[-MAX_REQUESTS_PER_WINDOW] + REQUEST_WINDOW
        raise MembershipError(
            f"You have asked to join {membership.agency.legal_name} {len(recent)} times in the "
            f"last 30 days. You can ask again from {_format_day(allowed_from)}."
        )


def request_membership(*, user: User, agency: Agency) -> Membership:
    """Ask to join; the agency's administrators are emailed and decide. After a decline the
    person waits 7 days, and asks at most 3 times in 30 days, so nobody floods the inbox."""
    with transaction.atomic():
        existing = Membership.objects.select_for_update().filter(user=user, agency=agency).first()
        if existing is not None and existing.status == Membership.Status.ACTIVE:
            raise MembershipError(f"You are already a member of {agency.legal_name}.")
        if existing is not None and existing.status == Membership.Status.PENDING:
            raise MembershipError(
                f"You have already asked to join {agency.legal_name}. An agency administrator "
                "will review your request."
            )
        if existing is not None:  # declined or removed before: ask again
            _may_ask_again(existing, timezone.now())
            existing.status = Membership.Status.PENDING
            existing.decided_at = None
            existing.decided_by = None
            existing.save(update_fields=["status", "decided_at", "decided_by"])
            membership = existing
        else:
            membership = Membership.objects.create(user=user, agency=agency)
        record(verb="membership.requested", target=membership, actor=user)
        send_templated_email(
            template="applications/email/join_requested",
            context={"membership": membership, "agency": agency},
            to=_administrator_emails(agency),
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
        membership.representative_designated_by = by if authorized_representative else None
        membership.decided_at = timezone.now()
        membership.decided_by = by
        membership.save(
            update_fields=["status", "is_authorized_representative",
                           "representative_designated_by", "decided_at", "decided_by"]
        )  # fmt: skip
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
        if is_authorized_representative and not membership.is_authorized_representative:
            membership.representative_designated_by = by
        elif not is_authorized_representative:
            membership.representative_designated_by = None
        membership.is_administrator = is_administrator
        membership.is_authorized_representative = is_authorized_representative
        if membership.role_labels == before:
            return membership
        membership.save(
            update_fields=["is_administrator", "is_authorized_representative",
                           "representative_designated_by"]
        )  # fmt: skip
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


def can_remove_member(user: User, membership: Membership) -> tuple[bool, str]:
    """Whether `user` may take `membership` out of its agency, and if not, why."""
    if not can_manage_members(user, membership.agency)[0]:
        return False, "Only an agency administrator can remove members."
    if membership.status != Membership.Status.ACTIVE:
        return False, "This person is not an active member."
    if membership.is_administrator and not _other_administrators(membership).exists():
        return False, (
            "You cannot remove the agency's only administrator. Make someone else an "
            "administrator first."
        )
    return True, ""


def remove_member(*, membership: Membership, by: User) -> Membership:
    """Take a person out of the agency; they keep no access to its records."""
    with transaction.atomic():
        Agency.objects.select_for_update().get(pk=membership.agency_id)
        membership = Membership.objects.select_related("user", "agency").get(pk=membership.pk)
        allowed, reason = can_remove_member(by, membership)
        if not allowed:
            raise MembershipError(reason)
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


def revoke_representative(*, membership: Membership, by: User, reason: str) -> Membership:
    """COPS staff take away an Authorized Representative designation they cannot stand behind
    (typically a self-designation nobody at the agency confirms). The person stays a member."""
    reason = reason.strip()
    if not by.has_perm("applications.change_membership"):
        raise MembershipError("Only COPS staff who manage memberships can revoke a designation.")
    if not reason:
        raise MembershipError("Say why the designation is revoked; the agency is told.")
    with transaction.atomic():
        Agency.objects.select_for_update().get(pk=membership.agency_id)
        membership = Membership.objects.select_related("user", "agency").get(pk=membership.pk)
        if not membership.is_authorized_representative:
            raise MembershipError(f"{membership.user} is not an Authorized Representative.")
        designated_by = membership.representative_designated_by
        membership.is_authorized_representative = False
        membership.representative_designated_by = None
        membership.save(update_fields=["is_authorized_representative",
                                       "representative_designated_by"])  # fmt: skip
        record(
            verb="membership.representative_revoked",
            target=membership,
            actor=by,
            message=reason,
            data={
                "designated_by": designated_by.email if designated_by else None,
                "self_designated": designated_by is not None
                and designated_by.pk == membership.user_id,
            },
        )
        send_templated_email(
            template="applications/email/representative_revoked",
            context={"membership": membership, "agency": membership.agency, "reason": reason},
            to=[membership.user.email, *_administrator_emails(membership.agency)],
        )
    return membership


def can_edit_agency(user: User, agency: Agency) -> tuple[bool, str]:
    membership = active_membership(user, agency)
    if membership is None:
        return False, "You are not a member of this agency."
    if not membership.is_administrator:
        return False, "Only an agency administrator can change the agency's profile."
    return True, ""


def can_manage_members(user: User, agency: Agency) -> tuple[bool, str]:
    membership = active_membership(user, agency)
    if membership is None or not membership.is_administrator:
        return False, "Only an agency administrator can manage the agency's members."
    return True, ""
