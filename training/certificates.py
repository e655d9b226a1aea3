"""Completion certificates: the verification code, what a certificate says (its context), and
rendering one certificate into private storage through the same `render_pdf` as award letters.
Called by the Celery task in training/tasks.py (and directly by the demo); safe to run more than
once for the same certificate."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from applications.models import Membership
from copsgrants import audit
from copsgrants.email import send_templated_email
from copsgrants.pdf import render_pdf

from .models import Certificate

TEMPLATE = "pdf/certificate.html"

# No 0/O or 1/I/L: the code is read off paper and typed in.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


def format_code(compact: str) -> str:
    return "-".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def new_verification_code() -> str:
    """A random code (~59 bits), unique among certificates: "TRN-7K3P-QX9M-2HZD"."""
    while True:
        code = "TRN-" + format_code("".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH)))
        if not Certificate.objects.filter(verification_code=code).exists():
            return code


def normalize_code(code: str) -> str:
    """What a person typed, in the stored form: case, spaces and dashes forgiven."""
    compact = "".join(ch for ch in code.upper() if ch.isalnum())
    if compact.startswith("TRN"):
        compact = compact[3:]
    compact = compact[:CODE_LENGTH]
    return "TRN-" + format_code(compact)


def certificate_context(certificate: Certificate) -> dict[str, Any]:
    enrollment = certificate.enrollment
    session = enrollment.session
    officer = enrollment.officer
    return {
        "certificate": certificate,
        "officer": officer,
        "agency": officer.agency,
        "course": session.course,
        "session": session,
        "hours": session.course.hours,
        "completed_on": enrollment.completed_on or session.ends_on,
        "location": session.location,
        "verification_code": certificate.verification_code,
        "verify_url": settings.SITE_URL + reverse("training_certificates:verify"),
        "director": {
            "name": settings.LETTER_SIGNER_NAME,
            "title": settings.LETTER_SIGNER_TITLE,
        },
    }


def file_name(certificate: Certificate) -> str:
    """Server-chosen, fixed per certificate (a retry overwrites a crashed attempt's file), and
    not guessable from the certificate's id."""
    token = hmac.new(
        settings.SECRET_KEY.encode(), f"certificate:{certificate.pk}".encode(), hashlib.sha256
    ).hexdigest()[:20]
    return f"certificates/certificate-{certificate.pk}-{token}.pdf"


def download_name(certificate: Certificate) -> str:
    officer = certificate.enrollment.officer
    slug = "".join(ch if ch.isalnum() else "-" for ch in officer.last_name.lower()).strip("-")
    course = certificate.enrollment.session.course.code
    return f"certificate-{course}-{slug or 'officer'}-{certificate.pk}.pdf"


def start_rendering(certificate_id: int) -> bool:
    """Mark the certificate RENDERING (so staff see it); False if it is already ready."""
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate_id)
        if certificate.status == Certificate.Status.READY:
            return False
        certificate.status = Certificate.Status.RENDERING
        certificate.attempts += 1
        certificate.started_at = timezone.now()
        certificate.save(update_fields=["status", "attempts", "started_at"])
    return True


def render_certificate(certificate_id: int) -> None:
    """Render one certificate and store it. A READY certificate is left alone, so a redelivered
    task, a sweep and a retry all end with one file."""
    if not start_rendering(certificate_id):
        return
    certificate = Certificate.objects.select_related(
        "enrollment__session__course", "enrollment__officer__agency"
    ).get(pk=certificate_id)
    # Rendering takes a fraction of a second: outside any transaction or row lock.
    pdf = render_pdf(TEMPLATE, certificate_context(certificate))
    _store(certificate_id=certificate_id, pdf=pdf)


def _store(*, certificate_id: int, pdf: bytes) -> None:
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("enrollment__session__course", "enrollment__officer__agency")
            .get(pk=certificate_id)
        )
        if certificate.status == Certificate.Status.READY:
            return  # another worker finished first (a duplicate message): keep its file
        storage = certificate.file.storage
        name = file_name(certificate)
        if storage.exists(name):
            storage.delete(name)  # left by an attempt that died before it committed
        certificate.file.name = storage.save(name, ContentFile(pdf))
        certificate.sha256 = hashlib.sha256(pdf).hexdigest()
        certificate.status = Certificate.Status.READY
        certificate.rendered_at = timezone.now()
        certificate.error = ""
        certificate.save(update_fields=["file", "sha256", "status", "rendered_at", "error"])
        audit.record(
            verb="training.certificate_issued",
            target=certificate.enrollment,
            actor=None,
            message=f"Certificate {certificate.verification_code} issued.",
            data={"certificate": certificate.pk, "sha256": certificate.sha256},
        )
        # In the same transaction (the outbox): one email however often the render is retried.
        enrollment = certificate.enrollment
        officer = enrollment.officer
        members = Membership.objects.active().filter(agency_id=officer.agency_id)
        send_templated_email(
            template="training/email/certificate_ready",
            context={
                "certificate": certificate,
                "officer": officer,
                "course": enrollment.session.course,
                "session": enrollment.session,
                "completed_on": enrollment.completed_on or enrollment.session.ends_on,
            },
            to=[officer.email, *members.values_list("user__email", flat=True)],
        )


def mark_failed(*, certificate_id: int, error: str) -> None:
    """The render gave up (retries exhausted or a permanent error): staff see the error and can
    retry from the admin."""
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate_id)
        if certificate.status == Certificate.Status.READY:
            return
        certificate.status = Certificate.Status.FAILED
        certificate.error = error[:4000]
        certificate.save(update_fields=["status", "error"])
        audit.record(
            verb="training.certificate_failed",
            target=certificate.enrollment,
            actor=None,
            message="The certificate could not be rendered.",
            data={"certificate": certificate.pk, "error": error[:500]},
        )


def verify(code: str) -> Certificate | None:
    """The public check: the issued certificate with this code, or None."""
    normalized = normalize_code(code)
    if len(normalized) != len("TRN-") + CODE_LENGTH + 2:
        return None
    return (
        Certificate.objects.select_related(
            "enrollment__session__course", "enrollment__officer__agency"
        )
        .filter(verification_code=normalized, status=Certificate.Status.READY)
        .first()
    )
