"""Funding plans in the admin: draft from the solicitation's page, the plan page, adjusting a
line with a memo, approving (not by the drafter) and releasing, with permissions checked."""

import pytest
from django.urls import reverse

from applications import services
from applications.models import Application, FundingPlan
from copsgrants import roles
from tests.factories import UserFactory

from .plan_helpers import scored_solicitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_manager(db):
    return UserFactory(roles=[roles.GRANTS_MANAGER])


@pytest.fixture
def scored():
    return scored_solicitation([("CA", 4), ("CA", 3), ("TX", 2), ("WY", 5)],
                               eligible_states=["NM"])  # fmt: skip


def plan_url(plan, name="change"):
    return reverse(f"admin:applications_fundingplan_{name}", args=[plan.pk])


def test_a_grants_manager_drafts_a_plan_from_the_solicitation_page(
    signed_in, grants_manager, scored
):
    solicitation, _, _ = scored
    client = signed_in(grants_manager)
    page = client.get(reverse("admin:applications_solicitation_change", args=[solicitation.pk]))
    draft_url = reverse("admin:applications_fundingplan_draft", args=[solicitation.pk])
    assert draft_url in page.text and "Audit bundle" in page.text
    assert "Draft funding plan" in client.get(draft_url).text
    response = client.post(draft_url)
    plan = FundingPlan.objects.get(solicitation=solicitation)
    assert response.status_code == 302 and response.url == plan_url(plan)

    page = client.get(plan_url(plan)).text
    assert "$1,000,000" in page and "$1,000,000: 8 positions in 4 applications" in page
    assert 'data-testid="remainder">$0<' in page
    assert 'data-state="NM"' in page and "no application ranked" in page
    assert "funds ran out at rank 2" in page
    assert reverse("admin:applications_fundingplan_adjust", args=[plan.pk, scored[2][0].pk]) in page
    # The drafter sees why they cannot approve it.
    assert "another grants manager must approve it" in page
    assert plan_url(plan, "approve") not in page


def test_adjusting_a_line_needs_a_memo_and_the_adjustment_is_listed_and_marked(
    signed_in, grants_manager, scored
):
    solicitation, _, apps = scored
    plan = services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    client = signed_in(grants_manager)
    url = reverse("admin:applications_fundingplan_adjust", args=[plan.pk, apps[0].pk])
    response = client.post(url, {"kind": "exclude", "memo": ""})
    assert response.status_code == 200 and "This field is required." in response.text
    assert not plan.adjustments.exists()
    response = client.post(url, {"kind": "reduce", "positions": "9", "memo": "Fewer seats."})
    assert "Reduce to between 1 and 3 positions" in response.text
    response = client.post(url, {"kind": "exclude", "memo": "Debarred in SAM.gov."})
    assert response.status_code == 302
    page = client.get(plan_url(plan)).text
    assert "Debarred in SAM.gov." in page and 'data-testid="adjusted"' in page
    assert "Exclude the application" in page


def test_a_second_manager_approves_then_releases_from_the_plan_page(
    signed_in, grants_manager, second_manager, scored
):
    solicitation, _, apps = scored
    plan = services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    client = signed_in(second_manager)
    page = client.get(plan_url(plan)).text
    assert plan_url(plan, "approve") in page and plan_url(plan, "release") not in page
    assert client.post(plan_url(plan, "approve")).status_code == 302
    assert Application.objects.get(pk=apps[0].pk).status == Application.Status.RECOMMENDED
    page = client.get(plan_url(plan)).text
    assert plan_url(plan, "release") in page and "Approved" in page
    assert client.post(plan_url(plan, "release")).status_code == 302
    assert FundingPlan.objects.get(pk=plan.pk).status == FundingPlan.Status.RELEASED
    assert Application.objects.get(pk=apps[0].pk).decision_released_at is not None


def test_the_drafter_posting_approve_reads_the_reason_and_nothing_changes(
    signed_in, grants_manager, scored
):
    solicitation, _, _ = scored
    plan = services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    response = signed_in(grants_manager).post(plan_url(plan, "approve"))
    assert response.status_code == 200
    assert "another grants manager must approve it" in response.text
    assert FundingPlan.objects.get(pk=plan.pk).status == FundingPlan.Status.DRAFT


@pytest.mark.parametrize("persona", ["program_specialist", "reviewer"])
def test_specialists_and_reviewers_cannot_draft_see_approve_release_or_download(
    signed_in, grants_manager, scored, persona, request
):
    solicitation, _, apps = scored
    plan = services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    client = signed_in(request.getfixturevalue(persona))
    for url in (
        reverse("admin:applications_fundingplan_draft", args=[solicitation.pk]),
        reverse("admin:applications_fundingplan_audit_bundle", args=[solicitation.pk]),
        reverse("admin:applications_fundingplan_adjust", args=[plan.pk, apps[0].pk]),
        plan_url(plan, "approve"),
        plan_url(plan, "release"),
        plan_url(plan),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"kind": "exclude", "memo": "x"}).status_code == 403, url
    assert FundingPlan.objects.get(pk=plan.pk).status == FundingPlan.Status.DRAFT
    assert not plan.adjustments.exists()
