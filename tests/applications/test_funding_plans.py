"""Funding plans as services: draft from the current scores, adjust with a memo, approve by a
second grants manager, release the decisions to the agencies."""

from decimal import Decimal

import pytest
from post_office.models import Email

from applications import services
from applications.models import Application, FundingPlan, PlanAdjustment, PlanLine
from copsgrants import roles
from copsgrants.models import AuditEvent
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory

from .plan_helpers import PER_POSITION, scored_solicitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_manager(db):
    return UserFactory(roles=[roles.GRANTS_MANAGER])


@pytest.fixture
def scored():
    # $1,000,000 buys 8 positions; each state's 0.5% minimum ($5,000) is one position.
    return scored_solicitation([("CA", 4), ("CA", 3), ("TX", 2), ("WY", 5)])


def lines(plan):
    return list(plan.lines.order_by("rank").values_list("positions_funded", "basis"))


def test_a_draft_plan_has_a_line_per_ranked_application_funded_by_the_algorithm(
    scored, grants_manager
):
    solicitation, run, apps = scored
    plan = services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    assert plan.status == FundingPlan.Status.DRAFT and plan.run == run
    assert plan.appropriation == Decimal("1000000") and plan.drafted_by == grants_manager
    first = plan.lines.get(application=apps[0])
    assert (first.rank, first.state, first.positions_requested) == (1, "CA", 4)
    assert first.federal_requested == 4 * PER_POSITION
    # CA and TX get their minimum from their best; WY's rank 4 would fall below the line.
    assert lines(plan) == [(4, "state_minimum"), (2, "national"), (1, "state_minimum"),
                           (1, "state_minimum")]  # fmt: skip
    assert AuditEvent.objects.filter(verb="plan.drafted", actor=grants_manager).count() == 1


def test_drafting_needs_a_current_scoring_run(scored, grants_manager):
    solicitation, run, _ = scored
    run.is_current = False
    run.save(update_fields=["is_current"])
    with pytest.raises(services.PlanError, match="compute scores first"):
        services.draft_funding_plan(solicitation=solicitation, by=grants_manager)


def test_a_second_draft_from_the_same_scores_is_refused(scored, grants_manager):
    solicitation, _, _ = scored
    services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    with pytest.raises(services.PlanError, match="adjust that one"):
        services.draft_funding_plan(solicitation=solicitation, by=grants_manager)


def test_no_plan_is_drafted_once_one_is_approved(scored, grants_manager, second_manager):
    solicitation, _, _ = scored
    plan = services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    services.approve_plan(plan=plan, by=second_manager)
    with pytest.raises(services.PlanError, match="approved"):
        services.draft_funding_plan(solicitation=solicitation, by=grants_manager)


def test_excluding_an_application_needs_a_memo_and_moves_the_money_down_the_list(
    scored, grants_manager
):
    solicitation, _, apps = scored
    plan = services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    with pytest.raises(services.PlanError, match="memo"):
        services.adjust_plan(plan=plan, application=apps[0], by=grants_manager,
                             kind="exclude", memo="  ")  # fmt: skip
    assert not plan.adjustments.exists()
    services.adjust_plan(plan=plan, application=apps[0], by=grants_manager, kind="exclude",
                         memo="Debarred in SAM.gov on 2026-03-01.")  # fmt: skip
    # Rank 2 now carries CA's minimum and its whole request; WY gets the rest.
    assert lines(plan) == [(0, "not_funded"), (3, "state_minimum"), (2, "state_minimum"),
                           (3, "state_minimum")]  # fmt: skip
    adjustment = plan.adjustments.get()
    assert (adjustment.kind, adjustment.made_by) == ("exclude", grants_manager)
    assert adjustment.memo == "Debarred in SAM.gov on 2026-03-01."
    event = AuditEvent.objects.get(verb="plan.adjusted")
    assert event.message == adjustment.memo


def test_reducing_positions_caps_the_line_and_must_stay_below_the_request(scored, grants_manager):
    solicitation, _, apps = scored
    plan = services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    with pytest.raises(services.PlanError, match="between 1 and 3"):
        services.adjust_plan(plan=plan, application=apps[0], by=grants_manager, kind="reduce",
                             memo="Only 3 vacancies.", positions=4)  # fmt: skip
    services.adjust_plan(plan=plan, application=apps[0], by=grants_manager, kind="reduce",
                         memo="Only 2 academy seats this year.", positions=2)  # fmt: skip
    assert lines(plan) == [(2, "state_minimum"), (3, "national"), (2, "state_minimum"),
                           (1, "state_minimum")]  # fmt: skip
    assert plan.adjustments.get().positions == 2


def test_funding_out_of_rank_order_funds_it_before_better_ranked_applications(
    scored, grants_manager
):
    solicitation, _, apps = scored
    plan = services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    services.adjust_plan(plan=plan, application=apps[3], by=grants_manager,
                         kind="fund_out_of_order", memo="Priority per the Director.")  # fmt: skip
    # After the three state minimums (3 positions), WY's remaining 4 come before rank 1's rest.
    assert lines(plan) == [(2, "state_minimum"), (0, "not_funded"), (1, "state_minimum"),
                           (5, "state_minimum")]  # fmt: skip
    assert plan.lines.get(application=apps[3]).federal_funded == 5 * PER_POSITION


def test_an_approved_plan_cannot_be_adjusted(scored, grants_manager, second_manager):
    solicitation, _, apps = scored
    plan = services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    services.approve_plan(plan=plan, by=second_manager)
    with pytest.raises(services.PlanError, match="Only a draft"):
        services.adjust_plan(plan=plan, application=apps[0], by=grants_manager,
                             kind="exclude", memo="Too late.")  # fmt: skip


def test_the_drafter_cannot_approve_their_own_plan(scored, grants_manager):
    solicitation, _, apps = scored
    plan = services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    with pytest.raises(services.PlanError, match="another grants manager"):
        services.approve_plan(plan=plan, by=grants_manager)
    assert FundingPlan.objects.get(pk=plan.pk).status == FundingPlan.Status.DRAFT
    assert Application.objects.get(pk=apps[0].pk).status == Application.Status.SCORED


def test_with_the_second_approver_setting_off_the_drafter_may_approve(
    scored, grants_manager, settings
):
    settings.FUNDING_PLAN_SECOND_APPROVER = False
    solicitation, _, _ = scored
    plan = services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    assert services.approve_plan(plan=plan, by=grants_manager).status == "approved"


def test_approving_marks_funded_applications_recommended_and_the_rest_not_selected(
    grants_manager, second_manager
):
    solicitation, _, apps = scored_solicitation([("CA", 4), ("CA", 8), ("TX", 2)],
                                                total_funds="500000")  # fmt: skip
    plan = services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    plan = services.approve_plan(plan=plan, by=second_manager)
    assert (plan.status, plan.approved_by) == (FundingPlan.Status.APPROVED, second_manager)
    statuses = [Application.objects.get(pk=a.pk).status for a in apps]
    assert statuses == ["recommended", "not_selected", "recommended"]
    assert AuditEvent.objects.filter(verb="application.recommended").count() == 2
    assert AuditEvent.objects.filter(verb="application.not_selected").count() == 1
    history = Application.history.filter(id=apps[1].pk).order_by("-history_date").first()
    assert history.status == "not_selected"  # saved, not QuerySet.update(): history records it
    assert not Email.objects.exists()  # nobody hears anything until release


@pytest.mark.parametrize("persona", ["program_specialist", "reviewer"])
def test_only_grants_managers_draft_and_approve(scored, grants_manager, persona, request):
    user = request.getfixturevalue(persona)
    solicitation, _, _ = scored
    with pytest.raises(services.PlanError, match="Only a grants manager"):
        services.draft_funding_plan(solicitation=solicitation, by=user)
    plan = services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    with pytest.raises(services.PlanError, match="Only a grants manager"):
        services.approve_plan(plan=plan, by=user)


def test_releasing_a_draft_is_refused(scored, grants_manager):
    solicitation, _, _ = scored
    plan = services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    with pytest.raises(services.PlanError, match="Approve the plan"):
        services.release_decisions(plan=plan, by=grants_manager)


def test_release_emails_every_agency_its_decision_once(
    grants_manager, second_manager, django_capture_on_commit_callbacks
):
    solicitation, _, apps = scored_solicitation(
        [("CA", 4), ("CA", 8), ("TX", 2), ("CA", 1)], total_funds="500000"
    )
    ineligible = ApplicationFactory(
        submitted=True, solicitation=solicitation, status=Application.Status.INELIGIBLE,
        ineligibility_reason=Application.IneligibilityReason.NO_SAM,
        ineligibility_note="SAM.gov registration expired on 2026-01-15.",
    )  # fmt: skip
    MembershipFactory(agency=ineligible.agency, administrator=True)
    plan = services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    services.approve_plan(plan=plan, by=second_manager)
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.release_decisions(plan=plan, by=second_manager)
    assert plan.status == FundingPlan.Status.RELEASED and plan.released_by == second_manager
    assert Email.objects.count() == 5

    def mail_to(application):
        emails = application.agency.memberships.values_list("user__email", flat=True)
        return Email.objects.get(to__contains=emails[0])

    recommended = mail_to(apps[0])
    assert recommended.subject == f"Recommended for funding: application {apps[0].tracking_number}"
    # TX's minimum took one of the four positions $500,000 buys.
    assert "Officer positions: 3 of the 4 requested" in recommended.message
    assert "Federal amount: $375,000.00" in recommended.message
    not_selected = mail_to(apps[1])
    assert not_selected.subject.startswith("Not selected for funding")
    assert "Ranked 2 of 4; funds ran out at rank 1." in not_selected.message
    assert "not eligible" in mail_to(ineligible).subject
    body = mail_to(ineligible).message
    assert "No active SAM.gov registration" in body and "expired on 2026-01-15" in body
    for application in [*apps, ineligible]:
        application.refresh_from_db()
        assert application.decision_released_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        services.release_decisions(plan=plan, by=second_manager)
    assert Email.objects.count() == 5
    assert AuditEvent.objects.filter(verb="application.decision_released").count() == 5


def test_a_partly_funded_application_is_told_the_positions_it_gets(grants_manager, second_manager):
    solicitation, _, _ = scored_solicitation([("CA", 10)], total_funds="500000")
    plan = services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    services.approve_plan(plan=plan, by=second_manager)
    services.release_decisions(plan=plan, by=second_manager)
    body = Email.objects.get().message
    assert "Officer positions: 4 of the 10 requested" in body
    assert "Federal amount: $500,000.00" in body


def test_lines_keep_the_federal_request_of_the_application_budget(scored, grants_manager):
    solicitation, _, apps = scored
    plan = services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    for application in apps:
        line = PlanLine.objects.get(plan=plan, application=application)
        assert line.federal_requested == application.budget.total_federal
    assert PlanAdjustment.objects.count() == 0


def test_a_draft_from_scores_computed_again_since_cannot_be_approved(
    scored, grants_manager, second_manager
):
    solicitation, run, _ = scored
    plan = services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    run.is_current = False
    run.save(update_fields=["is_current"])
    with pytest.raises(services.PlanError, match="draft a new plan"):
        services.approve_plan(plan=plan, by=second_manager)
