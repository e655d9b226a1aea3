"""Award letters: what a letter says (its context), its verification code, and rendering one
letter version into private storage. Called by the Celery task in applications/tasks.py (and
directly by the demo); safe to run more than once for the same letter."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from copsgrants import audit
from copsgrants.email import send_templated_email
from copsgrants.pdf import render_pdf

from .models import Award, AwardCondition, AwardLetter, Membership

TEMPLATE = "pdf/award_letter.html"


def dollars(amount: Decimal) -> str:
    return f"${amount.quantize(Decimal('0.01')):,}"


def acceptance_deadline_for(letter_date: date) -> datetime:
    """The end of the acceptance window's last day, U.S. Eastern (TIME_ZONE)."""
    last_day = letter_date + timedelta(days=settings.AWARD_ACCEPTANCE_DAYS)
    return timezone.make_aware(datetime.combine(last_day, time(23, 59, 59)))


def mou_due_date_for(letter_date: date) -> date:
    return letter_date + timedelta(days=settings.MOU_DUE_DAYS)


def verification_code(content: dict[str, Any]) -> str:
    """A keyed hash of the letter's content: changing any figure changes the code, and nobody
    without the server's key can compute a code for a letter the COPS Office did not issue."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    digest = hmac.new(settings.SECRET_KEY.encode(), canonical.encode(), hashlib.sha256).hexdigest()[
        :16
    ]
    return "-".join(digest[i : i + 4] for i in range(0, 16, 4)).upper()


def normalize_code(code: str) -> str:
    compact = "".join(ch for ch in code.upper() if ch.isalnum())[:16]
    return "-".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def letter_content(letter: AwardLetter, letter_date: date) -> dict[str, Any]:
    """Everything the letter states, in a canonical form: the input of the verification code."""
    award = letter.award
    agency = award.agency
    conditions = list(award.conditions.order_by("pk"))
    return {
        "award": award.number,
        "version": letter.version,
        "letter_date": letter_date.isoformat(),
        "recipient": [agency.legal_name, agency.uei, agency.ori, *agency.address_lines],
        "federal_amount": str(award.federal_amount),
        "local_match": str(award.local_match),
        "positions": [
            award.positions_new_hire,
            award.positions_rehire_laid_off,
            award.positions_rehire_scheduled,
        ],
        "project": [award.project_start.isoformat(), award.project_end.isoformat()],
        "budget": [award.budget_start.isoformat(), award.budget_end.isoformat()],
        "conditions": [condition.code for condition in conditions],
        "sro": award.is_sro,
    }


def letter_context(letter: AwardLetter, letter_date: date, code: str) -> dict[str, Any]:
    award = letter.award
    agency = award.agency
    # A re-issued letter restates the dates the first letter set; it does not move them.
    deadline = award.acceptance_deadline or acceptance_deadline_for(letter_date)
    conditions = list(award.conditions.order_by("pk"))
    mou_due = next(
        (c.due_date for c in conditions if c.code == AwardCondition.Code.SRO_MOU and c.due_date),
        mou_due_date_for(letter_date),
    )
    return {
        "award": award,
        "agency": agency,
        "solicitation": award.solicitation,
        "version": letter.version,
        "reason": letter.reason,
        "letter_date": letter_date,
        "recipient": {"name": agency.le_executive_name, "title": agency.le_executive_title},
        "federal_amount": dollars(award.federal_amount),
        "local_match": dollars(award.local_match),
        "conditions": conditions,
        "mou_due_date": mou_due,
        "acceptance_deadline": timezone.localtime(deadline).date(),
        "director": {
            "name": settings.LETTER_SIGNER_NAME,
            "title": settings.LETTER_SIGNER_TITLE,
        },
        "verification_code": code,
        "site_url": settings.SITE_URL,
        "verify_url": settings.SITE_URL + reverse("applications:verify_letter"),
    }


def file_name(letter: AwardLetter) -> str:
    """Server-chosen, fixed per letter version (a retry overwrites a crashed attempt's file
    instead of leaving a second one), and not guessable from the award number alone."""
    token = hmac.new(
        settings.SECRET_KEY.encode(), f"letter:{letter.pk}".encode(), hashlib.sha256
    ).hexdigest()[:20]
    return f"letters/award-{letter.award_id}-v{letter.version}-{token}.pdf"


def start_rendering(letter_id: int) -> AwardLetter | None:
    """Mark the letter RENDERING (so staff see it) and fix its date; None if it is already ready."""
    with transaction.atomic():
        letter = AwardLetter.objects.select_for_update().get(pk=letter_id)
        if letter.status == AwardLetter.Status.READY:
            return None
        letter.status = AwardLetter.Status.RENDERING
        letter.attempts += 1
        letter.started_at = timezone.now()
        letter.letter_date = letter.letter_date or timezone.localdate()
        letter.save(update_fields=["status", "attempts", "started_at", "letter_date"])
    return letter


def render_letter(letter: AwardLetter) -> None:
    """Render one letter version, store it, and (first time only) offer the award and tell the
    agency's Authorized Representatives. A READY letter is left alone, so a redelivered task,
    a sweep and a retry all end with one file, one email."""
    started = start_rendering(letter.pk)
    if started is None:
        return
    letter = AwardLetter.objects.select_related("award__agency", "award__solicitation").get(
        pk=letter.pk
    )
    code = verification_code(letter_content(letter, letter.letter_date))
    # Rendering takes a fraction of a second to seconds: outside any transaction or row lock.
    pdf = render_pdf(TEMPLATE, letter_context(letter, letter.letter_date, code))
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    _store(letter_id=letter.pk, pdf=pdf, code=code, pages=pages)


def _store(*, letter_id: int, pdf: bytes, code: str, pages: int) -> None:
    with transaction.atomic():
        letter = AwardLetter.objects.select_for_update().get(pk=letter_id)
        if letter.status == AwardLetter.Status.READY:
            return  # another worker finished first (a duplicate message): keep its file
        award = Award.objects.select_for_update().get(pk=letter.award_id)
        storage = letter.file.storage
        name = file_name(letter)
        if storage.exists(name):
            storage.delete(name)  # left by an attempt that died before it committed
        letter.file.name = storage.save(name, ContentFile(pdf))
        letter.sha256 = hashlib.sha256(pdf).hexdigest()
        letter.verification_code = code
        letter.pages = pages
        letter.status = AwardLetter.Status.READY
        letter.rendered_at = timezone.now()
        letter.error = ""
        letter.save(
            update_fields=[
                "file", "sha256", "verification_code", "pages", "status", "rendered_at", "error",
            ]
        )  # fmt: skip
        first_offer = award.status == Award.Status.PENDING_LETTER
        if first_offer:
            award.status = Award.Status.OFFERED
            award.acceptance_deadline = acceptance_deadline_for(letter.letter_date)
            award.save(update_fields=["status", "acceptance_deadline"])
            for condition in award.conditions.filter(code=AwardCondition.Code.SRO_MOU):
                condition.due_date = mou_due_date_for(letter.letter_date)
                condition.save(update_fields=["due_date"])
        audit.record(
            verb="letter issued",
            target=award,
            actor=None,
            message=f"Award letter version {letter.version} issued ({pages} pages).",
            data={"letter": letter.pk, "version": letter.version, "sha256": letter.sha256},
        )
        representatives = Membership.objects.active().filter(
            agency_id=award.agency_id, is_authorized_representative=True
        )
        send_templated_email(
            template="applications/email/letter_ready",
            context={"award": award, "letter": letter, "first_offer": first_offer},
            to=[membership.user.email for membership in representatives.select_related("user")],
        )


def mark_failed(*, letter_id: int, error: str) -> None:
    """The render gave up (retries exhausted or a permanent error): staff see the error and
    can retry from the admin."""
    with transaction.atomic():
        letter = AwardLetter.objects.select_for_update().get(pk=letter_id)
        if letter.status == AwardLetter.Status.READY:
            return
        letter.status = AwardLetter.Status.FAILED
        letter.error = error[:4000]
        letter.save(update_fields=["status", "error"])
        audit.record(
            verb="letter failed",
            target=letter.award,
            actor=None,
            message=f"Award letter version {letter.version} could not be rendered.",
            data={"letter": letter.pk, "error": error[:500]},
        )


def verify(*, number: str, code: str) -> bool:
    """The public check: does a letter with this award number and code exist? Nothing else."""
    normalized = normalize_code(code)
    if len(normalized) != 19:
        return False
    return AwardLetter.objects.filter(
        award__number=number.strip().upper(),
        verification_code=normalized,
        status=AwardLetter.Status.READY,
    ).exists()
