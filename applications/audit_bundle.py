"""One download for auditors per solicitation: everything that decided who was funded, as JSON
(bundle.json, the whole record) and CSV (one table per file), in a zip. It holds the scoring
rules versions (weights, bonuses, rubric), each application's reported figures, screening and
waiver decisions, every review's criterion scores (reviewers by id only), every data flag and its
resolution, every scoring run with each application's breakdown, and every funding plan with its
lines, adjustments (with memos) and approvals: enough to recompute the ranking and the plan
outside the system (README "Funding plan")."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from .models import (
    Application,
    DataFlag,
    FundingPlan,
    Review,
    ReviewAssignment,
    ScoreBreakdown,
    ScoringRun,
    Solicitation,
)

README = """Audit bundle of {code} ({title}), exported {exported}.

bundle.json holds every table below in one document; the CSV files hold the same rows.
Money is in U.S. dollars with cents; scores have 4 decimal places (rounded half up at each
step, see the README "Scoring" of the application). Staff are named by user id and email;
reviewers by user id only.

solicitation.csv      the solicitation's money rules and appropriation (total_funds)
scoring_rules.csv     every version of the scoring rules: weights, bonuses, rubric (JSON)
applications.csv      every submitted application: reported figures, budget, screening,
                      match-waiver decision, status, when its decision was released
reviews.csv           every review: reviewer id, status, each criterion's score, the total
assignments.csv       reviewer assignments and conflict-of-interest certifications
flags.csv             data-check flags and how each was resolved
runs.csv              every scoring run: rules version, who computed it, when
breakdowns.csv        each application's breakdown in each run: inputs, percentiles, criteria,
                      bonuses, scores, rank with and without bonuses
plans.csv             funding plans: appropriation, state minimum, drafted/approved/released by
plan_lines.csv        each plan's lines: rank, state, requested and funded, basis
plan_adjustments.csv  every adjustment with its memo, who made it and when
"""


def _user(user) -> dict | None:
    return None if user is None else {"id": user.pk, "email": user.email}


def _fields(obj, names: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


SOLICITATION_FIELDS = ("id", "code", "title", "fiscal_year", "total_funds",
                       "federal_share_percent", "per_officer_cap", "funded_months",
                       "award_ceiling", "partial_waiver_federal_percent",
                       "full_waiver_federal_percent", "waiver_lifts_officer_cap",
                       "opens_at", "closes_at")  # fmt: skip
RULES_FIELDS = ("id", "version", "fiscal_need_weight", "crime_weight", "community_policing_weight",
                "sro_bonus_points", "veteran_bonus_points", "reviews_required", "in_force",
                "notes", "created_at", "rubric")  # fmt: skip
FIGURES = ("budget_change_percent", "unemployment_rate", "poverty_rate", "violent_crimes",
           "property_crimes", "sro_commitment", "sro_positions", "veteran_commitment",
           "match_waiver", "waiver_decision", "waiver_decision_reason", "waiver_decided_at",
           "ineligibility_reason", "ineligibility_note", "screened_at", "submitted_at",
           "decision_released_at", "status")  # fmt: skip
BREAKDOWN_FIELDS = ("fiscal_need", "crime", "community_policing", "sro_bonus", "veteran_bonus",
                    "score_without_bonus", "score", "rank", "rank_without_bonus", "inputs",
                    "percentiles", "criteria")  # fmt: skip


def bundle_data(solicitation: Solicitation) -> dict[str, Any]:
    applications = (
        Application.objects.filter(solicitation=solicitation)
        .exclude(submitted_at__isnull=True)
        .select_related("agency", "screened_by", "waiver_decided_by", "solicitation")
        .order_by("pk")
    )
    runs = ScoringRun.objects.filter(solicitation=solicitation).select_related(
        "rules", "computed_by"
    )
    breakdowns = ScoreBreakdown.objects.filter(run__solicitation=solicitation).order_by(
        "run", "rank"
    )
    reviews = (
        Review.objects.filter(assignment__application__solicitation=solicitation)
        .select_related("assignment", "rules")
        .order_by("pk")
    )
    plans = (
        FundingPlan.objects.filter(solicitation=solicitation)
        .select_related("drafted_by", "approved_by", "released_by")
        .prefetch_related("lines", "adjustments__made_by")
        .order_by("pk")
    )

    def application_row(a: Application) -> dict[str, Any]:
        budget = a.budget
        return {
            "id": a.pk, "tracking_number": a.tracking_number, "agency": a.agency.legal_name,
            "ori": a.agency.ori, "state": a.agency.state,
            "jurisdiction_population": (a.agency_profile or {}).get(
                "jurisdiction_population", a.agency.jurisdiction_population
            ),
            **_fields(a, FIGURES),
            "positions_requested": budget.positions,
            "federal_percent": budget.federal_percent,
            "federal_per_position": budget.federal_per_position,
            "federal_requested": budget.total_federal,
            "screened_by": _user(a.screened_by), "waiver_decided_by": _user(a.waiver_decided_by),
        }  # fmt: skip

    return {
        "exported_at": timezone.now(),
        "solicitation": _fields(solicitation, SOLICITATION_FIELDS),
        "scoring_rules": [
            _fields(r, RULES_FIELDS) for r in solicitation.scoring_rules.order_by("version")
        ],
        "applications": [application_row(a) for a in applications],
        "reviews": [
            {
                "id": r.pk,
                "application": r.assignment.application_id,
                "reviewer": r.assignment.reviewer_id,
                "rules_version": r.rules.version,
                "status": r.status,
                "submitted_at": r.submitted_at,
                "scores": {k: v.get("score") for k, v in sorted(r.scores.items())},
                "comments": {k: v.get("comment", "") for k, v in sorted(r.scores.items())},
                "total": r.total,
                "reopened_at": r.reopened_at,
                "reopen_reason": r.reopen_reason,
            }
            for r in reviews
        ],
        "assignments": [
            {
                **_fields(
                    a,
                    (
                        "id",
                        "application_id",
                        "reviewer_id",
                        "status",
                        "coi_certified_at",
                        "coi_declared_at",
                        "coi_reason",
                        "assigned_at",
                    ),
                )
            }
            for a in ReviewAssignment.objects.filter(application__solicitation=solicitation)
        ],
        "flags": [
            {
                **_fields(
                    f,
                    (
                        "id",
                        "application_id",
                        "kind",
                        "value",
                        "message",
                        "resolution",
                        "resolution_note",
                        "resolved_at",
                        "created_at",
                    ),
                ),
                "resolved_by": _user(f.resolved_by),
            }
            for f in DataFlag.objects.filter(application__solicitation=solicitation)
            .select_related("resolved_by")
            .order_by("pk")
        ],
        "runs": [
            {
                "id": r.pk,
                "rules_version": r.rules.version,
                "computed_at": r.computed_at,
                "computed_by": _user(r.computed_by),
                "is_current": r.is_current,
                "not_ready": r.not_ready,
            }
            for r in runs
        ],
        "breakdowns": [
            {"run": b.run_id, "application": b.application_id, **_fields(b, BREAKDOWN_FIELDS)}
            for b in breakdowns
        ],
        "plans": [
            {
                "id": p.pk,
                "run": p.run_id,
                "status": p.status,
                "appropriation": p.appropriation,
                "state_minimum_percent": p.state_minimum_percent,
                "drafted_at": p.drafted_at,
                "drafted_by": _user(p.drafted_by),
                "approved_at": p.approved_at,
                "approved_by": _user(p.approved_by),
                "released_at": p.released_at,
                "released_by": _user(p.released_by),
                "lines": [
                    _fields(
                        line,
                        (
                            "application_id",
                            "rank",
                            "state",
                            "positions_requested",
                            "federal_requested",
                            "positions_funded",
                            "federal_funded",
                            "basis",
                        ),
                    )
                    for line in p.lines.all()
                ],
                "adjustments": [
                    {
                        **_fields(a, ("application_id", "kind", "positions", "memo", "made_at")),
                        "made_by": _user(a.made_by),
                    }
                    for a in p.adjustments.all()
                ],
            }
            for p in plans
        ],
    }


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """A CSV row: nested values as JSON text."""
    return {
        key: json.dumps(value, cls=DjangoJSONEncoder) if isinstance(value, dict | list) else value
        for key, value in row.items()
    }


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow(_flat(row))
    return out.getvalue()


def build_audit_bundle(solicitation: Solicitation) -> bytes:
    data = bundle_data(solicitation)
    tables = {
        "solicitation": [data["solicitation"]],
        "scoring_rules": data["scoring_rules"],
        "applications": data["applications"],
        "reviews": data["reviews"],
        "assignments": data["assignments"],
        "flags": data["flags"],
        "runs": data["runs"],
        "breakdowns": data["breakdowns"],
        "plans": [{k: v for k, v in p.items() if k not in ("lines", "adjustments")}
                  for p in data["plans"]],
        "plan_lines": [{"plan": p["id"], **line} for p in data["plans"] for line in p["lines"]],
        "plan_adjustments": [{"plan": p["id"], **a} for p in data["plans"]
                             for a in p["adjustments"]],
    }  # fmt: skip
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            README.format(code=solicitation.code, title=solicitation.title,
                          exported=data["exported_at"].isoformat()),
        )  # fmt: skip
        archive.writestr("bundle.json", json.dumps(data, cls=DjangoJSONEncoder, indent=1))
        for name, rows in tables.items():
            archive.writestr(f"{name}.csv", _csv(rows))
    return buffer.getvalue()
