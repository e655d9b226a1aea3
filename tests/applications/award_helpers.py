"""A released funding plan for the award tests: scored applications ranked as the test asks,
drafted, approved by a second grants manager and released, all through the services."""

from __future__ import annotations

from decimal import Decimal

from applications import services
from copsgrants import roles
from tests.factories import UserFactory

from .plan_helpers import PER_POSITION, scored_solicitation


def released_plan(rows, *, manager=None, total_funds=None):
    """`rows`: (state, positions) in rank order, every one funded in full. Returns (plan,
    manager, applications in rank order); `manager` may make awards."""
    manager = manager or UserFactory(roles=[roles.GRANTS_MANAGER])
    funds = total_funds or sum((PER_POSITION * positions for _, positions in rows), Decimal(0))
    solicitation, _, applications = scored_solicitation(rows, total_funds=str(funds))
    plan = services.draft_funding_plan(solicitation=solicitation, by=manager)
    approver = UserFactory(roles=[roles.GRANTS_MANAGER])
    services.approve_plan(plan=plan, by=approver)
    plan = services.release_decisions(plan=plan, by=approver)
    return plan, manager, applications
