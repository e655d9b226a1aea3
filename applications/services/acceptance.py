"""The agency's answer to an award: two different Authorized Representatives e-sign it (the second
signature accepts it), or one declines it with a reason; an offer left unanswered past its
acceptance deadline expires (`expire_awards`, run by Celery beat). Each step is an audit event
and an email to the agency's members."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from copsgrants.audit import record
from copsgrants.email import send_templated_email
from copsgrants.models import User

from ..models import Award, AwardSignature, active_membership

SIGNATURES_REQUIRED = 2


class AcceptanceError(Exception):
    """An acceptance, decline or signature that the award's state, its deadline or the user's
    role forbids."""


def _format_time(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%B %-d, %Y at %-I:%M %p %Z}"


def _members(award: Award) -> list[str]:
    return list(award.agency.memberships.active().values_list("user__email", flat=True))


def _answerable(user: User, award: Award, now: datetime) -> tuple[bool, str]:
    """The checks signing and declining share: an offered award, before its deadline, and an
    active Authorized Representative of the agency."""
    membership = active_membership(user, award.agency)
    if membership is None:
        return False, "You are not a member of this agency."
    if award.status != Award.Status.OFFERED:
        return False, f"This award is {award.get_status_display().lower()}; it cannot be answered."
    if award.acceptance_deadline is None or now > award.acceptance_deadline:
        deadline = award.acceptance_deadline
        when = f" ({_format_time(deadline)})" if deadline else ""
        return False, f"The acceptance deadline{when} has passed."
    if not membership.is_authorized_representative:
        return False, (
            "Only an Authorized Representative of the agency can accept or decline an award. "
            "Ask your agency administrator who holds that role."
        )
    return True, ""


def can_sign_acceptance(user: User, award: Award, now: datetime | None = None) -> tuple[bool, str]:
    allowed, reason = _answerable(user, award, now or timezone.now())
    if not allowed:
        return allowed, reason
    if award.signatures.filter(user=user).exists():
        return False, (
            "You have already signed. A second, different Authorized Representative must sign "
            "to accept the award."
        )
    return True, ""


def can_decline_award(user: User, award: Award, now: datetime | None = None) -> tuple[bool, str]:
    return _answerable(user, award, now or timezone.now())


def _locked(award: Award) -> Award:
    return Award.objects.select_for_update().select_related("agency").get(pk=award.pk)


def sign_acceptance(*, award: Award, by: User, typed_name: str, ip: str | None) -> AwardSignature:
    """Record `by`'s e-signature; the second different Authorized Representative's signature
    accepts the award."""
    typed_name = " ".join(typed_name.split())
    if not typed_name:
        raise AcceptanceError("Type your full name to sign.")
    with transaction.atomic():
        award = _locked(award)
        allowed, reason = can_sign_acceptance(by, award)
        if not allowed:
            raise AcceptanceError(reason)
        try:
            with transaction.atomic():
                signature = AwardSignature.objects.create(
                    award=award, user=by, typed_name=typed_name, ip_address=ip or None
                )
        except IntegrityError:
            raise AcceptanceError("You have already signed this award.") from None
        count = award.signatures.count()
        record(
            verb="award.signed",
            target=award,
            actor=by,
            message=f"{typed_name} signed the acceptance ({count} of {SIGNATURES_REQUIRED}).",
            data={"signature": signature.pk, "typed_name": typed_name, "ip": ip or ""},
        )
        context = {"award": award, "by": by, "signature": signature, "count": count,
                   "required": SIGNATURES_REQUIRED}  # fmt: skip
        if count >= SIGNATURES_REQUIRED:
            award.status = Award.Status.ACCEPTED
            award.accepted_at = timezone.now()
            award.save(update_fields=["status", "accepted_at"])
            record(
                verb="award.accepted",
                target=award,
                actor=by,
                message=f"Accepted with {count} signatures.",
                data={"signatures": list(award.signatures.values_list("pk", flat=True))},
            )
            send_templated_email(
                template="applications/email/award_accepted", context=context, to=_members(award)
            )
        else:
            send_templated_email(
                template="applications/email/award_signed", context=context, to=_members(award)
            )
    return signature


def decline_award(*, award: Award, by: User, reason: str) -> Award:
    reason = reason.strip()
    if not reason:
        raise AcceptanceError("Say why the agency declines the award.")
    with transaction.atomic():
        award = _locked(award)
        allowed, why_not = can_decline_award(by, award)
        if not allowed:
            raise AcceptanceError(why_not)
        award.status = Award.Status.DECLINED
        award.declined_at = timezone.now()
        award.declined_by = by
        award.decline_reason = reason
        award.save(update_fields=["status", "declined_at", "declined_by", "decline_reason"])
        record(verb="award.declined", target=award, actor=by, message=reason)
        send_templated_email(
            template="applications/email/award_declined",
            context={"award": award, "by": by},
            to=_members(award),
        )
    return award


def expire_awards(now: datetime | None = None) -> list[Award]:
    """Mark every offered award whose acceptance deadline has passed expired (Celery beat)."""
    now = now or timezone.now()
    due = Award.objects.filter(
        status=Award.Status.OFFERED, acceptance_deadline__lt=now
    ).values_list("pk", flat=True)
    expired = []
    for pk in list(due):
        with transaction.atomic():
            award = Award.objects.select_for_update().select_related("agency").get(pk=pk)
            # Accepted or declined since the query: leave it.
            if award.status != Award.Status.OFFERED or award.acceptance_deadline >= now:
                continue
            award.status = Award.Status.EXPIRED
            award.save(update_fields=["status"])
            record(
                verb="award.expired",
                target=award,
                actor=None,
                message=f"Not accepted by {_format_time(award.acceptance_deadline)}.",
                data={"signatures": award.signatures.count()},
            )
            send_templated_email(
                template="applications/email/award_expired",
                context={"award": award},
                to=_members(award),
            )
        expired.append(award)
    return expired
