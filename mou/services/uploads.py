"""Uploading an MOU version (validated before anything is stored).

Each upload is a new version; earlier versions stay as they were, with their review outcome,
except that a version still awaiting review is marked REPLACED (at most one version of an award
waits for review: a database constraint). The file goes to private storage under a name the
server chooses; the user's file name is kept only as sanitised display text. Nobody is emailed
on upload: program specialists work from the admin queue; the audit event records it."""

from __future__ import annotations

import uuid
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from applications.models import Award, active_membership
from copsgrants.audit import record
from copsgrants.models import User

from ..models import MouVersion
from ..validation import PdfFacts, inspect_pdf, sanitize_filename
from .errors import MouError

__all__ = ["MouError", "can_upload_mou", "duplicate_of", "format_date", "upload_mou"]


def format_date(day: date) -> str:
    """ "January 12, 2027"."""
    return f"{day:%B} {day.day}, {day.year}"


def can_upload_mou(user: User, award: Award) -> tuple[bool, str]:
    """Whether `user` may upload an MOU version for `award`, and if not, why."""
    if not award.is_sro:
        return False, "Only School Resource Officer awards need an MOU."
    if not (user.is_authenticated and active_membership(user, award.agency)):
        return False, "Only members of the agency can upload its MOU."
    if award.status != Award.Status.ACCEPTED:
        return False, (
            f"This award is {award.get_status_display().lower()}; the MOU can be uploaded once "
            "the award is accepted."
        )
    return True, ""


def duplicate_of(award: Award, sha256: str) -> MouVersion | None:
    """The earliest version of the award with exactly these bytes, if any."""
    return award.mou_versions.filter(sha256=sha256).order_by("version").first()


def _check_dates(agency_signed_on: date | None, school_signed_on: date | None) -> None:
    today = timezone.localdate()
    for label, day in (("agency", agency_signed_on), ("school official", school_signed_on)):
        if day is None:
            raise MouError(f"Enter the date the {label} signed the MOU.")
        if day > today:
            raise MouError(f"The date the {label} signed cannot be in the future.")


def upload_mou(
    *,
    award: Award,
    by: User,
    file,
    school_district: str,
    schools: str,
    agency_signatory: str,
    agency_signed_on: date,
    school_signatory: str,
    school_signed_on: date,
    note: str = "",
    facts: PdfFacts | None = None,
) -> MouVersion:
    """Store `file` as the award's next MOU version. `facts` is what the form's
    `inspect_pdf` already found; without it the file is inspected here."""
    allowed, reason = can_upload_mou(by, award)
    if not allowed:
        raise MouError(reason)
    _check_dates(agency_signed_on, school_signed_on)
    for label, value in (
        ("the school district", school_district),
        ("the schools covered", schools),
        ("the agency executive who signed", agency_signatory),
        ("the school official who signed", school_signatory),
    ):
        if not (value or "").strip():
            raise MouError(f"Enter {label}.")
    if facts is None:
        try:
            facts = inspect_pdf(file)
        except ValidationError as exc:
            raise MouError(" ".join(exc.messages)) from exc

    stored_name = ""
    try:
        with transaction.atomic():
            award = Award.objects.select_for_update().select_related("agency").get(pk=award.pk)
            allowed, reason = can_upload_mou(by, award)
            if not allowed:
                raise MouError(reason)
            earlier = duplicate_of(award, facts.sha256)
            if earlier is not None:
                raise MouError(
                    f"This file is identical to version {earlier.version} uploaded on "
                    f"{format_date(timezone.localdate(earlier.uploaded_at))}. "
                    "Upload the revised file instead."
                )
            replaced = list(
                award.mou_versions.select_for_update().filter(status=MouVersion.Status.SUBMITTED)
            )
            for old in replaced:
                old.status = MouVersion.Status.REPLACED
                old.save(update_fields=["status"])
            number = (award.mou_versions.aggregate(n=Max("version"))["n"] or 0) + 1
            mou = MouVersion(
                award=award,
                version=number,
                school_district=school_district.strip(),
                schools=schools.strip(),
                agency_signatory=agency_signatory.strip(),
                agency_signed_on=agency_signed_on,
                school_signatory=school_signatory.strip(),
                school_signed_on=school_signed_on,
                note=(note or "").strip(),
                original_name=sanitize_filename(getattr(file, "name", "")),
                size=facts.size,
                sha256=facts.sha256,
                pages=facts.pages,
                uploaded_by=by,
            )
            file.seek(0)
            # The server chooses the name: mou/<award pk>/<random>.pdf under private storage.
            mou.file.save(f"{award.pk}/{uuid.uuid4().hex}.pdf", file, save=False)
            stored_name = mou.file.name
            mou.save()
            record(
                verb="mou.uploaded",
                target=mou,
                actor=by,
                message=f"Version {number}: {mou.original_name}",
                data={
                    "award": award.number,
                    "version": number,
                    "sha256": facts.sha256,
                    "size": facts.size,
                    "pages": facts.pages,
                    "replaced_versions": [old.version for old in replaced],
                },
            )
    except BaseException:
        if stored_name:  # the row was rolled back: do not leave its file behind
            MouVersion._meta.get_field("file").storage.delete(stored_name)
        raise
    return mou
