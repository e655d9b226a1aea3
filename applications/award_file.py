"""The award file: one zip per award for auditors and the agency's records. It holds every letter
version's PDF (as stored, byte for byte), the acceptance signatures, the conditions and their
state, and the award's audit trail, as CSV (one table per file) and as one JSON document."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from copsgrants.models import AuditEvent

from .models import Award, AwardLetter

README = """Award file of {number} ({agency}), exported {exported}.

award.json        the whole record below in one document
award.csv         the award: amounts, positions by category, periods, status, deadline
letters.csv       every letter version: status, date, sha256 of the PDF, verification code
letters/          each ready letter version's PDF, exactly as issued (check it against sha256)
signatures.csv    the Authorized Representatives' acceptance signatures: typed name, time, IP
conditions.csv    the award's conditions, due dates and whether each is cleared
audit.csv         every audit event recorded against the award, oldest first
"""

AWARD_FIELDS = ("number", "status", "fiscal_year", "federal_amount", "local_match",
                "positions_new_hire", "positions_rehire_laid_off", "positions_rehire_scheduled",
                "is_sro", "project_title", "project_start", "project_end", "budget_start",
                "budget_end", "acceptance_deadline", "accepted_at", "declined_at",
                "decline_reason", "created_at")  # fmt: skip
LETTER_FIELDS = ("version", "status", "reason", "letter_date", "sha256", "verification_code",
                 "pages", "rendered_at")  # fmt: skip
SIGNATURE_FIELDS = ("user_id", "email", "typed_name", "signed_at", "ip_address")
CONDITION_FIELDS = ("code", "text", "withholds_funds", "due_date", "cleared_at")
AUDIT_FIELDS = ("at", "verb", "actor_id", "actor", "message", "data")


def letter_filename(letter: AwardLetter) -> str:
    return f"{letter.award.number}-letter-v{letter.version}.pdf"


def _rows(award: Award) -> dict[str, list[dict[str, Any]]]:
    letters = list(award.letters.order_by("version"))
    events = AuditEvent.objects.for_object(award).select_related("actor")
    return {
        "award": [
            {
                "agency": award.agency.legal_name,
                "ori": award.agency.ori,
                **{name: getattr(award, name) for name in AWARD_FIELDS},
            }
        ],
        "letters": [{name: getattr(letter, name) for name in LETTER_FIELDS} for letter in letters],
        "signatures": [
            {
                "user_id": s.user_id,
                "email": s.user.email,
                "typed_name": s.typed_name,
                "signed_at": s.signed_at,
                "ip_address": s.ip_address,
            }
            for s in award.signatures.select_related("user").order_by("signed_at")
        ],
        "conditions": [
            {
                "code": c.code,
                "text": c.text,
                "withholds_funds": c.withholds_funds,
                "due_date": c.due_date,
                "cleared_at": c.cleared_at,
            }
            for c in award.conditions.order_by("pk")
        ],
        "audit": [
            {
                "at": e.created_at,
                "verb": e.verb,
                "actor_id": e.actor_id,
                "actor": e.actor.email if e.actor else "",
                "message": e.message,
                "data": json.dumps(e.data, cls=DjangoJSONEncoder, sort_keys=True),
            }
            for e in events.order_by("created_at", "pk")
        ],
    }


def _csv(rows: list[dict[str, Any]], fields: tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        # A spreadsheet must never read agency-typed text as a formula.
        writer.writerow({k: _cell(row.get(k)) for k in fields})
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def build_award_file(award: Award) -> bytes:
    rows = _rows(award)
    award_fields = ("agency", "ori", *AWARD_FIELDS)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            README.format(
                number=award.number,
                agency=award.agency.legal_name,
                exported=timezone.now().isoformat(timespec="seconds"),
            ),
        )
        archive.writestr(
            "award.json", json.dumps(rows, cls=DjangoJSONEncoder, indent=2, sort_keys=True)
        )
        archive.writestr("award.csv", _csv(rows["award"], award_fields))
        archive.writestr("letters.csv", _csv(rows["letters"], LETTER_FIELDS))
        archive.writestr("signatures.csv", _csv(rows["signatures"], SIGNATURE_FIELDS))
        archive.writestr("conditions.csv", _csv(rows["conditions"], CONDITION_FIELDS))
        archive.writestr("audit.csv", _csv(rows["audit"], AUDIT_FIELDS))
        for letter in award.letters.filter(status=AwardLetter.Status.READY).order_by("version"):
            with letter.file.open("rb") as handle:
                archive.writestr(f"letters/{letter_filename(letter)}", handle.read())
    return buffer.getvalue()
