"""Solicitation settings: versions of the scoring rules."""

from __future__ import annotations

from django.db import transaction

from copsgrants.audit import record
from copsgrants.models import User

from ..models import ScoringRules, Solicitation


def add_scoring_rules(*, rules: ScoringRules, by: User) -> ScoringRules:
    """Save a new version of a solicitation's scoring settings (versions are never edited)."""
    with transaction.atomic():
        Solicitation.objects.select_for_update().get(pk=rules.solicitation_id)
        latest = (
            ScoringRules.objects.filter(solicitation_id=rules.solicitation_id)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        rules.version = (latest or 0) + 1
        rules.created_by = by
        rules.in_force = False
        rules.save()
        record(verb="scoring_rules.added", target=rules.solicitation, actor=by,
               data={"version": rules.version})  # fmt: skip
    return rules


def put_scoring_rules_in_force(*, rules: ScoringRules, by: User) -> ScoringRules:
    """Make this version the one scoring uses; the previous one stops being in force."""
    with transaction.atomic():
        Solicitation.objects.select_for_update().get(pk=rules.solicitation_id)
        ScoringRules.objects.filter(solicitation_id=rules.solicitation_id, in_force=True).exclude(
            pk=rules.pk
        ).update(in_force=False)
        ScoringRules.objects.filter(pk=rules.pk).update(in_force=True)
        rules.in_force = True
        record(verb="scoring_rules.in_force", target=rules.solicitation, actor=by,
               data={"version": rules.version})  # fmt: skip
    return rules
