"""What the agency dashboard lists of the user's memberships and their agencies' applications,
read in one query: the memberships (active and pending, by agency name) joined to their agencies'
applications, those applications' solicitations and their plan lines with their plans (for the
released decisions). The rows become model instances holding only the columns read (as `.only()`
leaves them: any other field is deferred), with their agency, solicitation and plan attached, as
`select_related` would."""

from __future__ import annotations

from django.db import models

from copsgrants.models import User
from copsgrants.prepared import Prepared

from .models import Agency, Application, FundingPlan, Membership, PlanLine, Solicitation

# What the dashboard's table and `next_action` read of an application, its agency and its
# solicitation, and of a membership: not the ~97 columns (JSON answers and profiles) of an
# application or the ~40 of an agency. The agencies also go to the panels (their names).
MEMBERSHIP_FIELDS = ("id", "user", "agency", "status", "is_authorized_representative",
                     "is_administrator")  # fmt: skip
AGENCY_FIELDS = ("id", "legal_name", "ori", "verification_status")
APPLICATION_FIELDS = ("id", "status", "tracking_number", "decision_released_at",
                      "corrections_due_at", "ineligibility_reason", "ineligibility_note",
                      "agency", "solicitation")  # fmt: skip
SOLICITATION_FIELDS = ("id", "title", "closes_at", "opens_at", "is_published")

_PARTS = (
    # (model, the path from a membership, its fields)
    (Membership, "", MEMBERSHIP_FIELDS),
    (Agency, "agency__", AGENCY_FIELDS),
    (Application, "agency__applications__", APPLICATION_FIELDS),
    (Solicitation, "agency__applications__solicitation__", SOLICITATION_FIELDS),
    # Every plan line of the application, with its plan, whole (as select_related loads them):
    # the latest released plan's line is `released_lines`'s answer.
    (PlanLine, "agency__applications__plan_lines__", None),
    (FundingPlan, "agency__applications__plan_lines__plan__", None),
)


def _attnames(model: type[models.Model], fields: tuple[str, ...] | None) -> list[str]:
    """The fields' column attributes in the model's own order (what `from_db` expects)."""
    return [f.attname for f in model._meta.concrete_fields if fields is None or f.name in fields]


_COLUMNS = [(model, path, _attnames(model, fields)) for model, path, fields in _PARTS]
# `_instance` tells a row the outer join found none by its first column: the primary key.
assert all(attnames[0] == model._meta.pk.attname for model, _, attnames in _COLUMNS)
_LOOKUPS = [path + attname for _, path, attnames in _COLUMNS for attname in attnames]


# Built and compiled once per process (copsgrants.prepared): a query of 60 columns over six
# joins took Django longer to build than PostgreSQL to answer.
_ROWS = Prepared(
    lambda user: (
        Membership.objects.filter(user=user)
        .filter(status__in=[Membership.Status.ACTIVE, Membership.Status.PENDING])
        .order_by("agency__legal_name", "agency_id", "agency__applications__id")
        .values_list(*_LOOKUPS)
    ),
    "user",
)


def memberships_and_applications(
    user: User,
) -> tuple[list[Membership], list[Application], dict[int, PlanLine]]:
    """The user's active and pending memberships by agency name (a removed or declined one
    grants nothing and is not listed), the applications of the active ones' agencies, by
    deadline (latest first), then agency name, and each released application's line in its
    latest released plan (what `decisions.released_lines` gives)."""
    rows, db = _ROWS.rows(user=user.pk), Membership.objects.db
    memberships: dict[int, Membership] = {}
    applications: dict[int, Application] = {}
    lines: dict[int, PlanLine] = {}
    for row in rows:
        values = iter(row)
        membership, agency, application, solicitation, line, plan = (
            _instance(model, attnames, values, db) for model, _, attnames in _COLUMNS
        )
        if membership.pk not in memberships:
            membership.agency = agency
            memberships[membership.pk] = membership
        if application is None or membership.status != Membership.Status.ACTIVE:
            continue
        if application.pk not in applications:
            application.agency = memberships[membership.pk].agency
            application.solicitation = solicitation
            applications[application.pk] = application
        if line is not None and _released(applications[application.pk], plan):
            line.plan = plan
            held = lines.get(application.pk)
            if held is None or _later(plan, held.plan):
                lines[application.pk] = line
    # The rows come by agency name; a stable sort by deadline keeps that order within one.
    listed = sorted(applications.values(), key=lambda a: a.solicitation.closes_at, reverse=True)
    return list(memberships.values()), listed, lines


def _later(plan: FundingPlan, than: FundingPlan) -> bool:
    return bool(plan.released_at and than.released_at and plan.released_at > than.released_at)


def _released(application: Application, plan: FundingPlan) -> bool:
    return (
        application.decision_released_at is not None and plan.status == FundingPlan.Status.RELEASED
    )


def _instance(model: type[models.Model], attnames: list[str], values, db: str):
    """The row's next columns as an instance of `model`, or None where the join found no row."""
    taken = [next(values) for _ in attnames]
    if taken[0] is None:  # the primary key (first of a model's fields)
        return None
    return model.from_db(db, attnames, taken)
