"""Screening (program specialist): data-check flags and their resolution, the match-waiver
decision, and the eligibility decision that moves a submitted application to review or out.

The agency hears of an ineligibility decision only when the grants manager releases decisions;
screening itself sends no email."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from copsgrants.audit import record
from copsgrants.models import User

from ..flags import flags_for
from ..models import Application, DataFlag
from .applications import ApplicationError


class ScreeningError(ApplicationError):
    """A screening step that the application's state or the input forbids."""


# While screening and review go on, flags may be resolved and the waiver decided; after
# scoring they would change numbers already published.
OPEN_TO_CHECKS = (Application.Status.SUBMITTED, Application.Status.UNDER_REVIEW)


def _state(application: Application) -> str:
    return application.get_status_display().lower()


def refresh_flags(*, application: Application) -> list[DataFlag]:
    """Bring the application's stored flags in line with what the data checks find now: a flag
    whose figure is unchanged keeps its resolution (its message may change as peers arrive), a
    changed figure reopens its flag, and a flag no longer raised is deleted (its resolution stays
    in the audit trail and the flag's history). Returns the current flags."""
    with transaction.atomic():
        # The application's row lock serializes refreshes: two at once would both create a flag.
        current = Application.objects.select_for_update().get(pk=application.pk)
        found = {flag.kind: flag for flag in flags_for(current)}
        stored = {
            flag.kind: flag
            for flag in DataFlag.objects.select_for_update().filter(application=application)
        }
        for kind, flag in stored.items():
            if kind not in found:
                flag.delete()
        current = []
        for kind, new in found.items():
            flag = stored.get(kind)
            if flag is None:
                flag = DataFlag.objects.create(
                    application=application, kind=kind, value=new.value, message=new.message
                )
            elif flag.value != new.value:
                flag.value, flag.message = new.value, new.message
                flag.resolution, flag.resolution_note = DataFlag.Resolution.OPEN, ""
                flag.resolved_at = flag.resolved_by = None
                flag.save(update_fields=["value", "message", "resolution", "resolution_note",
                                         "resolved_at", "resolved_by"])  # fmt: skip
            elif flag.message != new.message:
                flag.message = new.message
                flag.save(update_fields=["message"])
            current.append(flag)
    return sorted(current, key=lambda flag: flag.kind)


def resolve_flag(*, flag: DataFlag, by: User, resolution: str, note: str) -> DataFlag:
    """Mark a flag "verified with documentation" or "corrected by the agency", saying how."""
    note = note.strip()
    if resolution not in (DataFlag.Resolution.VERIFIED, DataFlag.Resolution.CORRECTED):
        raise ScreeningError("Choose whether the figure was verified or corrected.")
    if not note:
        raise ScreeningError("Say what documentation verified the figure, or what was corrected.")
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=flag.application_id)
        if application.status not in OPEN_TO_CHECKS:
            raise ScreeningError(
                f"Flags can be resolved during screening and review; this application is "
                f"{_state(application)}."
            )
        current = DataFlag.objects.select_for_update().get(pk=flag.pk)
        if not current.is_open:
            raise ScreeningError(
                f"This flag was already resolved ({current.get_resolution_display().lower()})."
            )
        current.resolution = resolution
        current.resolution_note = note
        current.resolved_at = timezone.now()
        current.resolved_by = by
        current.save(update_fields=["resolution", "resolution_note", "resolved_at", "resolved_by"])
        record(
            verb="application.flag_resolved",
            target=application,
            actor=by,
            message=note,
            data={
                "flag": current.pk,
                "kind": current.kind,
                "value": str(current.value),
                "flag_message": current.message,
                "resolution": resolution,
            },
        )
    return current


def decide_match_waiver(
    *, application: Application, by: User, decision: str, reason: str
) -> Application:
    """COPS approves the requested match waiver (partial or full) or denies it. From then on the
    federal share and the budget use the decision (Application.decided_waiver)."""
    reason = reason.strip()
    choices = Application.WaiverDecision
    if decision not in (choices.APPROVED_PARTIAL, choices.APPROVED_FULL, choices.DENIED):
        raise ScreeningError("Choose a decision: approve a partial or full waiver, or deny it.")
    if not reason:
        raise ScreeningError("Give the reason for the decision.")
    with transaction.atomic():
        current = Application.objects.select_for_update().get(pk=application.pk)
        if current.status not in OPEN_TO_CHECKS:
            raise ScreeningError(
                f"A match waiver is decided during screening and review; this application is "
                f"{_state(current)}."
            )
        if not current.waiver_requested:
            raise ScreeningError("The agency did not request a match waiver.")
        if decision == choices.APPROVED_FULL and current.match_waiver != "full":
            raise ScreeningError(
                "The agency asked for a partial waiver: COPS may approve it or deny it, not "
                "approve more than was asked."
            )
        before = current.budget.total_federal
        previous = current.waiver_decision
        current.waiver_decision = decision
        current.waiver_decision_reason = reason
        current.waiver_decided_at = timezone.now()
        current.waiver_decided_by = by
        current.save(
            update_fields=["waiver_decision", "waiver_decision_reason", "waiver_decided_at",
                           "waiver_decided_by", "updated_at"]
        )  # fmt: skip
        record(
            verb="application.waiver_decided",
            target=current,
            actor=by,
            message=reason,
            data={
                "requested": current.match_waiver,
                "decision": decision,
                "previous_decision": previous,
                "federal_percent": str(current.federal_percent),
                "total_federal_before": str(before),
                "total_federal": str(current.budget.total_federal),
            },
        )
    return current


def screen_application(
    *, application: Application, by: User, eligible: bool, reason: str = "", note: str = ""
) -> Application:
    """Decide a submitted application's eligibility. Eligible: it goes to review (only for a
    verified agency, and once a requested waiver is decided, so review and scoring see the
    federal request that will be funded). Ineligible: a reason from the list and a note, which
    the agency receives when decisions are released."""
    note = note.strip()
    if not eligible:
        if reason not in Application.IneligibilityReason.values:
            raise ScreeningError("Choose the reason the application is ineligible.")
        if not note:
            raise ScreeningError(
                "Write a note for the agency explaining the ineligibility decision."
            )
    with transaction.atomic():
        current = Application.objects.select_for_update().get(pk=application.pk)
        if current.status != Application.Status.SUBMITTED:
            raise ScreeningError(
                f"Only a submitted application can be screened; this one is {_state(current)}."
            )
        if eligible:
            agency = current.agency
            if not agency.is_verified:
                raise ScreeningError(
                    f"{agency.legal_name} is {agency.get_verification_status_display().lower()}: "
                    "only applications of verified agencies can be screened eligible. Verify "
                    "the agency first, or screen the application ineligible."
                )
            if current.waiver_pending:
                raise ScreeningError(
                    "Decide the match-waiver request first: review and scoring use the "
                    "federal request that follows from it."
                )
            current.status = Application.Status.UNDER_REVIEW
            current.ineligibility_reason = ""
        else:
            current.status = Application.Status.INELIGIBLE
            current.ineligibility_reason = reason
        current.ineligibility_note = note
        current.screened_at = timezone.now()
        current.screened_by = by
        current.save(update_fields=["status", "ineligibility_reason", "ineligibility_note",
                                    "screened_at", "screened_by", "updated_at"])  # fmt: skip
        if eligible:
            flags = refresh_flags(application=current)
            record(
                verb="application.screened_eligible",
                target=current,
                actor=by,
                message=note,
                data={"open_flags": sum(1 for flag in flags if flag.is_open)},
            )
        else:
            record(
                verb="application.screened_ineligible",
                target=current,
                actor=by,
                message=note,
                data={"reason": reason},
            )
    return current
