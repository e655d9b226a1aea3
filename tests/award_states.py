"""Awards in the states the implementation, MOU and training tests start from, written directly
(making and accepting awards are other tests' business)."""

from __future__ import annotations

from django.utils import timezone

from applications.models import Award
from tests.applications.acceptance_helpers import offered_award


def accepted_award(agency, *, is_sro: bool = True, letter: bool = True) -> Award:
    """An accepted award to `agency`: 3 new-hire positions, $375,000 federal, project period
    2026-10-01 to 2031-09-30; an SRO award carries the uncleared, withholding SRO MOU condition
    (due 90 days from today)."""
    award = offered_award(agency, is_sro=is_sro, letter=letter)
    award.status = Award.Status.ACCEPTED
    award.accepted_at = timezone.now()
    award.save(update_fields=["status", "accepted_at"])
    return award
