"""Who may send officers to NASRO training, and each agency's officer roster.

An agency is eligible while it holds an accepted SRO award (DOMAIN.md). Its roster holds the
officers it reported as hired under such awards (`sync_roster` adds them) and the other sworn
officers it adds itself. Officers leave the roster (`is_active` False) rather than being deleted:
their enrollments and certificates stay on record."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone

from applications.models import Agency, Award, OfficerHire, active_membership
from copsgrants.audit import record
from copsgrants.models import User

from ..models import CourseSession, Enrollment, Officer
from .errors import TrainingError

__all__ = [
    "TrainingError",
    "add_officer",
    "can_manage_roster",
    "eligibility",
    "eligible_agencies",
    "officer_hours",
    "remove_officer",
    "sync_roster",
    "update_officer",
]

NOT_ELIGIBLE = (
    "NASRO training is open to agencies with an accepted CHP School Resource Officer (SRO) award."
)
EDITABLE_FIELDS = ("first_name", "last_name", "email", "badge_number", "role")


def _eligible_awards() -> QuerySet[Award]:
    return Award.objects.filter(is_sro=True, status=Award.Status.ACCEPTED)


def _is_eligible_award(award: Award) -> bool:
    """`_eligible_awards` asked of one loaded award."""
    return award.is_sro and award.status == Award.Status.ACCEPTED


def eligibility(agency: Agency) -> tuple[bool, str]:
    """(True, "") when the agency holds an accepted SRO award; otherwise why not."""
    if _eligible_awards().filter(agency=agency).exists():
        return True, ""
    offered = Award.objects.filter(agency=agency, is_sro=True, status=Award.Status.OFFERED)
    if offered.exists():
        return False, f"{NOT_ELIGIBLE} Accept your SRO award first."
    return False, NOT_ELIGIBLE


def eligible_among(agencies: list[Agency]) -> list[Agency]:
    """Those of `agencies` that may send officers to training, in one query, or none when the
    page has already loaded their awards (prefetch_related "awards", as the dashboard does)."""
    if agencies and all("awards" in getattr(a, "_prefetched_objects_cache", ()) for a in agencies):
        return [a for a in agencies if any(map(_is_eligible_award, a.awards.all()))]
    ids = set(_eligible_awards().filter(agency__in=agencies).values_list("agency_id", flat=True))
    return [agency for agency in agencies if agency.pk in ids]


def eligible_agencies(user: User) -> QuerySet[Agency]:
    """The user's agencies (active memberships) that may send officers to training."""
    return Agency.objects.for_user(user).filter(
        pk__in=_eligible_awards().values("agency_id")
    )  # fmt: skip


def can_manage_roster(user: User, agency: Agency) -> tuple[bool, str]:
    """Any active member of an eligible agency keeps its roster and enrolls its officers."""
    if active_membership(user, agency) is None:
        return False, "You are not a member of this agency."
    return eligibility(agency)


def _guard(user: User, agency: Agency) -> None:
    allowed, reason = can_manage_roster(user, agency)
    if not allowed:
        raise TrainingError(reason)


def _clean(fields: dict[str, object]) -> dict[str, object]:
    """Normalise and check roster fields; a readable TrainingError for bad values."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TrainingError(
            f"These officer details cannot be changed: {', '.join(sorted(unknown))}."
        )
    cleaned: dict[str, object] = {}
    for name, value in fields.items():
        text = " ".join(str(value or "").split())
        if name in ("first_name", "last_name"):
            if not text:
                raise TrainingError("Enter the officer's first and last name.")
            if len(text) > 100:
                raise TrainingError("Names can be at most 100 characters.")
        elif name == "email" and text:
            text = text.lower()
            try:
                validate_email(text)
            except ValidationError:
                raise TrainingError(f"“{text}” is not a valid email address.") from None
        elif name == "badge_number" and len(text) > 32:
            raise TrainingError("Badge or ID numbers can be at most 32 characters.")
        elif name == "role" and text not in Officer.Role.values:
            raise TrainingError("Choose the officer's role.")
        cleaned[name] = text
    return cleaned


def _badge_taken(agency: Agency, badge_number: str, exclude: int | None = None) -> bool:
    if not badge_number:
        return False
    return (
        Officer.objects.filter(agency=agency, badge_number=badge_number)
        .exclude(pk=exclude)
        .exists()
    )


def _badge_error(badge_number: str) -> TrainingError:
    return TrainingError(f"Another officer on your roster has badge or ID number {badge_number}.")


@transaction.atomic
def sync_roster(agency: Agency) -> int:
    """Put the officers the agency reported as hired under its accepted SRO awards on its
    roster; returns how many were added. Idempotent: a hire already on the roster is skipped, and
    a hire whose badge number matches an officer the agency added by hand is linked to that
    officer instead of duplicating them."""
    # The agency row lock serialises two syncs of one agency (two pages opened at once).
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    hires = OfficerHire.objects.filter(
        award__in=_eligible_awards().filter(agency=agency), officer__isnull=True
    ).order_by("pk")
    added = 0
    for hire in hires:
        badge = " ".join(hire.badge_number.split())
        existing = (
            Officer.objects.filter(agency=agency, badge_number=badge, hire__isnull=True).first()
            if badge
            else None
        )
        if existing is not None:
            existing.hire = hire
            existing.save(update_fields=["hire"])
            record(verb="training.officer_linked", target=existing, actor=None,
                   message=f"Linked to the hire reported under award {hire.award.number}.",
                   data={"hire": hire.pk})  # fmt: skip
            continue
        officer = Officer.objects.create(
            agency=agency, hire=hire, first_name=hire.first_name, last_name=hire.last_name,
            email=hire.email.lower(), badge_number=badge, role=Officer.Role.SRO,
        )  # fmt: skip
        record(verb="training.officer_added", target=officer, actor=None,
               message=f"Added from the hires reported under award {hire.award.number}.",
               data={"hire": hire.pk})  # fmt: skip
        added += 1
    return added


def add_officer(
    *,
    agency: Agency,
    by: User,
    first_name: str,
    last_name: str,
    email: str = "",
    badge_number: str = "",
    role: str,
) -> Officer:
    """Add a sworn officer the agency did not report as a hire."""
    _guard(by, agency)
    fields = _clean({"first_name": first_name, "last_name": last_name, "email": email,
                     "badge_number": badge_number, "role": role})  # fmt: skip
    if _badge_taken(agency, fields["badge_number"]):
        raise _badge_error(fields["badge_number"])
    try:
        with transaction.atomic():
            officer = Officer.objects.create(agency=agency, created_by=by, **fields)
            record(verb="training.officer_added", target=officer, actor=by,
                   message=f"{officer.name} added to the training roster.")  # fmt: skip
    except IntegrityError:  # the same badge number added by someone else a moment ago
        raise _badge_error(fields["badge_number"]) from None
    return officer


def update_officer(*, officer: Officer, by: User, **fields: object) -> Officer:
    """Correct an officer's name, email, badge number or role."""
    _guard(by, officer.agency)
    cleaned = _clean(fields)
    if "badge_number" in cleaned and _badge_taken(
        officer.agency, cleaned["badge_number"], exclude=officer.pk
    ):
        raise _badge_error(cleaned["badge_number"])
    try:
        with transaction.atomic():
            officer = Officer.objects.select_for_update().get(pk=officer.pk)
            changed = {
                name: value for name, value in cleaned.items() if getattr(officer, name) != value
            }
            if not changed:
                return officer
            before = {name: getattr(officer, name) for name in changed}
            for name, value in changed.items():
                setattr(officer, name, value)
            officer.save(update_fields=list(changed))
            record(verb="training.officer_updated", target=officer, actor=by,
                   message=f"Changed {', '.join(sorted(changed))}.",
                   data={"before": before, "after": changed})  # fmt: skip
    except IntegrityError:
        raise _badge_error(str(cleaned.get("badge_number", ""))) from None
    return officer


def _upcoming_places(officer: Officer) -> QuerySet[Enrollment]:
    """The officer's seats and waitlist places in sessions that have not ended."""
    return Enrollment.objects.filter(
        officer=officer,
        status__in=(Enrollment.Status.ENROLLED, Enrollment.Status.WAITLISTED),
        session__status=CourseSession.Status.SCHEDULED,
        session__ends_on__gte=timezone.localdate(),
    ).select_related("session__course")


def remove_officer(*, officer: Officer, by: User) -> Officer:
    """Take an officer off the roster (their training record stays). Refused while they hold a
    seat or a waitlist place in a session that has not ended: cancel that first."""
    if active_membership(by, officer.agency) is None:
        raise TrainingError("You are not a member of this agency.")
    with transaction.atomic():
        officer = Officer.objects.select_for_update().get(pk=officer.pk)
        if not officer.is_active:
            raise TrainingError(f"{officer.name} is not on the roster.")
        place = _upcoming_places(officer).first()
        if place is not None:
            raise TrainingError(
                f"{officer.name} has a place in {place.session}. Cancel it before removing "
                "them from the roster."
            )
        officer.is_active = False
        officer.save(update_fields=["is_active"])
        record(verb="training.officer_removed", target=officer, actor=by,
               message=f"{officer.name} removed from the training roster.")  # fmt: skip
    return officer


def officer_hours(officer: Officer) -> int:
    """Training hours on the officer's record: the hours of every course they completed."""
    total = Enrollment.objects.filter(
        officer=officer, status=Enrollment.Status.COMPLETED
    ).aggregate(hours=Sum("session__course__hours"))["hours"]
    return total or 0
