"""Every staff group against every staff action, through the admin pages a person would use:
each action takes effect for exactly the group it belongs to and is refused (403, 404, or the
action not offered) for every other group."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import (
    Application,
    DataFlag,
    Drawdown,
    FundingPlan,
    MatchWaiver,
    PlanAdjustment,
    Review,
    ReviewAssignment,
    ScoringRules,
    ScoringRun,
)
from copsgrants import roles
from tests.award_states import accepted_award
from tests.factories import AgencyFactory, ApplicationFactory, SolicitationFactory, UserFactory

from .implementation_helpers import opened

pytestmark = pytest.mark.django_db

GROUPS = {
    "specialist": roles.PROGRAM_SPECIALIST,
    "reviewer": roles.REVIEWER,
    "manager": roles.GRANTS_MANAGER,
    "coordinator": roles.TRAINING_COORDINATOR,
}
REFUSED = {403, 404}
MANAGER = roles.GRANTS_MANAGER


@dataclass
class World:
    solicitation: object
    rules: ScoringRules
    user: object
    client: object
    other_reviewer: object


@pytest.fixture
def world_for(client):
    def build(group: str) -> World:
        solicitation = SolicitationFactory()
        rules = ScoringRules.objects.create(solicitation=solicitation, version=1, in_force=True)
        user = UserFactory(roles=[GROUPS[group]])
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return World(solicitation, rules, user, client, UserFactory(roles=[roles.REVIEWER]))

    return build


def submitted(world: World, **answers) -> Application:
    return ApplicationFactory(solicitation=world.solicitation, submitted=True, **answers)


def under_review(world: World) -> Application:
    return ApplicationFactory(
        solicitation=world.solicitation, submitted=True, status=Application.Status.UNDER_REVIEW,
        screened_at=timezone.now(),
    )  # fmt: skip


def full_scores(rules: ScoringRules) -> dict[str, str]:
    data = {}
    for criterion in rules.rubric:
        data[f"score_{criterion['key']}"] = "3"
        data[f"comment_{criterion['key']}"] = "Adequate."
    return data


def own_assignment(world: World, *, certified: bool, review: str | None = None):
    """An assignment of the acting staff member, whatever their group: the question is whether
    their group lets them act on it, not whether a manager would have assigned them."""
    assignment = ReviewAssignment.objects.create(
        application=under_review(world),
        reviewer=world.user,
        coi_certified_at=timezone.now() if certified else None,
    )
    if review:
        Review.objects.create(
            assignment=assignment,
            rules=world.rules,
            status=review,
            submitted_at=timezone.now() if review == Review.Status.SUBMITTED else None,
            scores={c["key"]: {"score": 3, "comment": ""} for c in world.rules.rubric},
        )
    return assignment


# Actions: each performs the request and returns (response, whether it took effect). ----------


def screen(world: World):
    application = submitted(world)
    url = reverse("admin:applications_application_screen", args=[application.pk])
    response = world.client.post(url, {"action": "screen", "screen-decision": "eligible"})
    application.refresh_from_db()
    return response, application.status == Application.Status.UNDER_REVIEW


def decide_waiver(world: World):
    application = submitted(
        world, match_waiver=MatchWaiver.PARTIAL, waiver_justification="Revenue fell 30%."
    )
    url = reverse("admin:applications_application_screen", args=[application.pk])
    response = world.client.post(url, {
        "action": "waiver", "waiver-decision": Application.WaiverDecision.APPROVED_PARTIAL,
        "waiver-reason": "Documented fiscal distress.",
    })  # fmt: skip
    application.refresh_from_db()
    return response, application.waiver_decision == Application.WaiverDecision.APPROVED_PARTIAL


def resolve_flag(world: World):
    application = submitted(world)
    flag = DataFlag.objects.create(
        application=application, kind=DataFlag.Kind.POVERTY, value=Decimal("71"),
        message="Poverty rate 71% is above the plausible bound.",
    )  # fmt: skip
    url = reverse("admin:applications_application_screen", args=[application.pk])
    response = world.client.post(url, {
        "action": f"flag-{flag.pk}", f"flag-{flag.pk}-resolution": DataFlag.Resolution.VERIFIED,
        f"flag-{flag.pk}-note": "Census ACS table seen.",
    })  # fmt: skip
    flag.refresh_from_db()
    return response, flag.resolution == DataFlag.Resolution.VERIFIED


def assign_reviewers(world: World):
    application = under_review(world)
    response = world.client.post(
        reverse("admin:applications_application_changelist"),
        {
            "action": "assign_reviewers",
            ACTION_CHECKBOX_NAME: [application.pk],
            "apply": "1",
            "reviewers": [world.other_reviewer.pk],
            "per_application": "1",
        },
    )
    return response, ReviewAssignment.objects.filter(application=application).exists()


def certify_no_conflict(world: World):
    assignment = own_assignment(world, certified=False)
    url = reverse("admin:applications_reviewassignment_review", args=[assignment.pk])
    response = world.client.post(url, {"certify": "1", "no_conflict": "on"})
    assignment.refresh_from_db()
    return response, assignment.coi_certified_at is not None


def save_review(world: World):
    assignment = own_assignment(world, certified=True)
    url = reverse("admin:applications_reviewassignment_review", args=[assignment.pk])
    response = world.client.post(url, {"save": "1", **full_scores(world.rules)})
    return response, Review.objects.filter(assignment=assignment).exists()


def submit_review(world: World):
    assignment = own_assignment(world, certified=True, review=Review.Status.DRAFT)
    url = reverse("admin:applications_reviewassignment_review", args=[assignment.pk])
    response = world.client.post(url, {"submit": "1", **full_scores(world.rules)})
    return response, assignment.review.__class__.objects.get(
        assignment=assignment
    ).status == Review.Status.SUBMITTED


def reopen_review(world: World):
    assignment = ReviewAssignment.objects.create(
        application=under_review(world), reviewer=world.other_reviewer,
        coi_certified_at=timezone.now(),
    )  # fmt: skip
    review = Review.objects.create(
        assignment=assignment, rules=world.rules, status=Review.Status.SUBMITTED,
        submitted_at=timezone.now(),
        scores={c["key"]: {"score": 3, "comment": ""} for c in world.rules.rubric},
    )  # fmt: skip
    url = reverse("admin:applications_reviewassignment_reopen", args=[assignment.pk])
    response = world.client.post(url, {"reason": "Score 1 contradicts the comment."})
    review.refresh_from_db()
    return response, review.status == Review.Status.DRAFT


def scored(world: World) -> None:
    """Two reviewed applications scored by another grants manager."""
    for _ in range(2):
        application = under_review(world)
        for reviewer in [world.other_reviewer, UserFactory(roles=[roles.REVIEWER])]:
            assignment = ReviewAssignment.objects.create(
                application=application, reviewer=reviewer, coi_certified_at=timezone.now()
            )
            Review.objects.create(
                assignment=assignment, rules=world.rules, status=Review.Status.SUBMITTED,
                submitted_at=timezone.now(),
                scores={c["key"]: {"score": 4, "comment": ""} for c in world.rules.rubric},
            )  # fmt: skip
    services.compute_scores(solicitation=world.solicitation, by=UserFactory(roles=[MANAGER]))


def drafted(world: World):
    """A draft plan by another grants manager, so the acting one may be its second approver."""
    scored(world)
    return services.draft_funding_plan(
        solicitation=world.solicitation, by=UserFactory(roles=[MANAGER])
    )


def compute_scores(world: World):
    scored_before = ScoringRun.objects.filter(solicitation=world.solicitation).count()
    application = under_review(world)
    for reviewer in [world.other_reviewer, UserFactory(roles=[roles.REVIEWER])]:
        assignment = ReviewAssignment.objects.create(
            application=application, reviewer=reviewer, coi_certified_at=timezone.now()
        )
        Review.objects.create(
            assignment=assignment, rules=world.rules, status=Review.Status.SUBMITTED,
            submitted_at=timezone.now(),
            scores={c["key"]: {"score": 4, "comment": ""} for c in world.rules.rubric},
        )  # fmt: skip
    url = reverse("admin:applications_solicitation_compute_scores", args=[world.solicitation.pk])
    response = world.client.post(url, {})
    runs = ScoringRun.objects.filter(solicitation=world.solicitation).count()
    return response, runs > scored_before


def draft_plan(world: World):
    scored(world)
    url = reverse("admin:applications_fundingplan_draft", args=[world.solicitation.pk])
    response = world.client.post(url, {})
    return response, FundingPlan.objects.filter(solicitation=world.solicitation).exists()


def adjust_plan(world: World):
    plan = drafted(world)
    line = plan.lines.order_by("rank").first()
    url = reverse("admin:applications_fundingplan_adjust", args=[plan.pk, line.application_id])
    response = world.client.post(url, {
        "kind": PlanAdjustment.Kind.EXCLUDE, "memo": "The agency withdrew its match.",
    })  # fmt: skip
    return response, plan.adjustments.exists()


def approve_plan(world: World):
    plan = drafted(world)
    url = reverse("admin:applications_fundingplan_approve", args=[plan.pk])
    response = world.client.post(url, {})
    plan.refresh_from_db()
    return response, plan.status == FundingPlan.Status.APPROVED


def release_decisions(world: World):
    plan = services.approve_plan(plan=drafted(world), by=UserFactory(roles=[MANAGER]))
    url = reverse("admin:applications_fundingplan_release", args=[plan.pk])
    response = world.client.post(url, {})
    plan.refresh_from_db()
    return response, plan.status == FundingPlan.Status.RELEASED


def requested_drawdown() -> Drawdown:
    """A drawdown awaiting a decision on an accepted award whose MOU condition is met."""
    award = opened(accepted_award(AgencyFactory(), letter=False))
    return Drawdown.objects.create(
        award=award, number=1, period_start=date(2026, 10, 1), period_end=date(2026, 10, 31),
        amount=Decimal("25000"), description="October payroll.",
    )  # fmt: skip


def approve_drawdown(world: World):
    drawdown = requested_drawdown()
    url = reverse("admin:applications_drawdown_approve", args=[drawdown.pk])
    response = world.client.post(url, {"note": ""})
    drawdown.refresh_from_db()
    return response, drawdown.status == Drawdown.Status.APPROVED


def reject_drawdown(world: World):
    drawdown = requested_drawdown()
    url = reverse("admin:applications_drawdown_reject", args=[drawdown.pk])
    response = world.client.post(url, {"note": "No payroll records."})
    drawdown.refresh_from_db()
    return response, drawdown.status == Drawdown.Status.REJECTED


ACTIONS: dict[str, tuple[Callable, set[str]]] = {
    "screen": (screen, {"specialist"}),
    "decide waiver": (decide_waiver, {"specialist"}),
    "resolve flag": (resolve_flag, {"specialist"}),
    "assign reviewers": (assign_reviewers, {"manager"}),
    "certify no conflict": (certify_no_conflict, {"reviewer"}),
    "save review": (save_review, {"reviewer"}),
    "submit review": (submit_review, {"reviewer"}),
    "reopen review": (reopen_review, {"manager"}),
    "compute scores": (compute_scores, {"manager"}),
    "draft plan": (draft_plan, {"manager"}),
    "adjust plan": (adjust_plan, {"manager"}),
    "approve plan": (approve_plan, {"manager"}),
    "release decisions": (release_decisions, {"manager"}),
    "approve drawdown": (approve_drawdown, {"specialist"}),
    "reject drawdown": (reject_drawdown, {"specialist"}),
}
CASES = [(action, group) for action in ACTIONS for group in GROUPS]


@pytest.mark.parametrize(("action", "group"), CASES, ids=[f"{a}-{g}" for a, g in CASES])
def test_each_staff_action_is_allowed_for_exactly_its_group(world_for, action, group):
    perform, allowed = ACTIONS[action]
    world = world_for(group)

    response, took_effect = perform(world)

    if group in allowed:
        assert took_effect, f"{group} could not {action}: {response.status_code}"
        assert response.status_code == 302
    else:
        assert not took_effect, f"{group} was able to {action}"
        # Refused outright, or (a list's bulk action) not offered, so the list just reloads.
        assert response.status_code in REFUSED or (
            response.status_code in {200, 302} and action == "assign reviewers"
        ), f"{group} {action}: {response.status_code}"


def test_the_matrix_covers_every_staff_group_and_gives_each_action_one_group():
    assert set(GROUPS.values()) == set(roles.STAFF_ROLES)
    assert all(len(allowed) == 1 for _, allowed in ACTIONS.values())
