"""Attendance and completions (training coordinator): mark seated officers attended, no-show or
completed once their session has started; a completion commits its Certificate row with it and
a worker renders the PDF after commit (training/tasks.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from functools import partial

from django.db import transaction
from django.utils import timezone

from copsgrants.audit import record
from copsgrants.models import User

from ..models import Certificate, CourseSession, Enrollment
from .errors import TrainingError

__all__ = [
    "OUTCOMES",
    "can_record_attendance",
    "complete_session",
    "record_attendance",
    "retry_certificate",
]

logger = logging.getLogger(__name__)

OUTCOMES: dict[str, Enrollment.Status] = {
    "attended": Enrollment.Status.ATTENDED,
    "no_show": Enrollment.Status.NO_SHOW,
    "completed": Enrollment.Status.COMPLETED,
}

# A no-show may be corrected (the sign-in sheet turned up); a completion may not be taken back
# here: its certificate has been issued.
MARKABLE = (Enrollment.Status.ENROLLED, Enrollment.Status.ATTENDED, Enrollment.Status.NO_SHOW)


def can_record_attendance(user: User) -> tuple[bool, str]:
    if not user.has_perm("training.record_attendance"):
        return False, "Only a training coordinator can record attendance and completions."
    return True, ""


def _check(enrollment: Enrollment, target: str, today: date) -> str:
    """Why this enrollment cannot take the outcome, or "" if it can."""
    session = enrollment.session
    if session.status == CourseSession.Status.CANCELLED:
        return "the session was cancelled"
    if session.starts_on > today:
        return f"the session starts on {session.starts_on:%B} {session.starts_on.day}"
    if enrollment.status == target:
        return ""
    if enrollment.status == Enrollment.Status.COMPLETED:
        return "the course is already completed and its certificate issued"
    if enrollment.status not in MARKABLE:
        return f"the officer is {enrollment.get_status_display().lower()}, not seated"
    return ""


def record_attendance(
    *,
    enrollments: Iterable[Enrollment],
    outcome: str,
    by: User,
    completed_on: date | None = None,
) -> int:
    """Mark each enrollment attended, no-show or completed; returns how many changed. All or
    nothing: one enrollment that cannot take the outcome refuses the whole batch, naming it."""
    allowed, reason = can_record_attendance(by)
    if not allowed:
        raise TrainingError(reason)
    if outcome not in OUTCOMES:
        raise TrainingError(f"Unknown outcome {outcome!r}.")
    target = OUTCOMES[outcome]
    ids = sorted({enrollment.pk for enrollment in enrollments})
    if not ids:
        raise TrainingError("Select at least one officer.")
    today = timezone.localdate()
    if completed_on is not None and completed_on > today:
        raise TrainingError("The completion date cannot be in the future.")
    now = timezone.now()
    changed = 0
    with transaction.atomic():
        locked = list(
            Enrollment.objects.select_for_update(of=("self",))
            .select_related("session__course", "officer")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        problems = [
            f"{enrollment.officer.name}: {problem}"
            for enrollment in locked
            if (problem := _check(enrollment, target, today))
        ]
        if problems:
            raise TrainingError("Nothing was recorded. " + "; ".join(problems) + ".")
        for enrollment in locked:
            if enrollment.status == target:
                continue
            session = enrollment.session
            previous = enrollment.status
            enrollment.status = target
            enrollment.attendance_recorded_at = now
            enrollment.attendance_recorded_by = by
            fields = ["status", "attendance_recorded_at", "attendance_recorded_by"]
            if target == Enrollment.Status.COMPLETED:
                day = completed_on or min(session.ends_on, today)
                if day < session.starts_on:
                    raise TrainingError(
                        f"{enrollment.officer.name}: the completion date is before the session "
                        "starts."
                    )
                enrollment.completed_on = day
                fields.append("completed_on")
            enrollment.save(update_fields=fields)
            record(
                verb=f"training.{outcome}",
                target=enrollment,
                actor=by,
                message=f"{enrollment.officer.name}: {session}",
                data={"enrollment": enrollment.pk, "from": previous, "to": target.value},
            )
            if target == Enrollment.Status.COMPLETED:
                _issue_certificate(enrollment)
            changed += 1
    return changed


def _issue_certificate(enrollment: Enrollment) -> Certificate:
    from ..certificates import new_verification_code

    certificate = Certificate.objects.create(
        enrollment=enrollment, verification_code=new_verification_code()
    )
    _queue_render(certificate)
    return certificate


def _queue_render(certificate: Certificate) -> None:
    # On commit: a rolled-back completion queues nothing. A lost message (broker down) is
    # re-enqueued by the certificate sweep: the PENDING row is the promise.
    transaction.on_commit(partial(_enqueue_render, certificate_id=certificate.pk))


def _enqueue_render(*, certificate_id: int) -> None:
    # Imported here: the task module imports the renderer (WeasyPrint), which services never need.
    from ..tasks import render_certificate

    try:
        render_certificate.apply_async((certificate_id,), retry=False)
    except Exception:
        logger.warning(
            "Could not queue certificate %s; the certificate sweep will render it",
            certificate_id,
            exc_info=True,
        )


def complete_session(*, session: CourseSession, by: User) -> CourseSession:
    """Close a session once it has ended and every seated officer's attendance is recorded."""
    allowed, reason = can_record_attendance(by)
    if not allowed:
        raise TrainingError(reason)
    with transaction.atomic():
        session = CourseSession.objects.select_for_update().get(pk=session.pk)
        if session.status != CourseSession.Status.SCHEDULED:
            raise TrainingError(f"The session is {session.get_status_display().lower()}.")
        if session.ends_on > timezone.localdate():
            raise TrainingError(
                f"The session ends on {session.ends_on:%B} {session.ends_on.day}, "
                f"{session.ends_on.year}; complete it after that."
            )
        unrecorded = session.enrollments.filter(status=Enrollment.Status.ENROLLED).count()
        if unrecorded:
            raise TrainingError(
                f"{unrecorded} enrolled officer{'s' if unrecorded != 1 else ''} still "
                "need attendance recorded."
            )
        session.status = CourseSession.Status.COMPLETED
        session.save(update_fields=["status"])
        record(verb="training.session_completed", target=session, actor=by)
    return session


def retry_certificate(*, certificate: Certificate, by: User) -> Certificate:
    """Render a failed certificate again."""
    allowed, reason = can_record_attendance(by)
    if not allowed:
        raise TrainingError(reason)
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.status != Certificate.Status.FAILED:
            raise TrainingError(
                "Only a failed certificate can be retried; this one is "
                f"{certificate.get_status_display().lower()}."
            )
        previous_error = certificate.error
        certificate.status = Certificate.Status.PENDING
        certificate.error = ""
        certificate.save(update_fields=["status", "error"])
        record(
            verb="training.certificate_retried",
            target=certificate.enrollment,
            actor=by,
            data={"certificate": certificate.pk, "error": previous_error[:500]},
        )
        _queue_render(certificate)
    return certificate
