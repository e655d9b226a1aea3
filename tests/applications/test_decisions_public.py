"""What agencies see of decisions: "Under review" until a grants manager releases them, then the
decision with its details on the dashboard and the application's overview."""

import pytest
from django.urls import reverse

from applications import services
from applications.models import Application
from copsgrants import roles
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory

from .plan_helpers import scored_solicitation

pytestmark = pytest.mark.django_db

DECISION_WORDS = ("Recommended", "Not selected", "not selected", "Not eligible", "Scored",
                  "Ineligible", "funds ran out")  # fmt: skip


@pytest.fixture
def decided(grants_manager):
    """An approved, unreleased plan: rank 1 recommended (3 of 4 positions), rank 2 not selected,
    and an application screened ineligible."""
    solicitation, _, apps = scored_solicitation([("CA", 4), ("CA", 8)], total_funds="375000")
    ineligible = ApplicationFactory(
        submitted=True, solicitation=solicitation, status=Application.Status.INELIGIBLE,
        ineligibility_reason=Application.IneligibilityReason.STARTUP_OR_CONSORTIUM,
        ineligibility_note="The department was created in 2026 and has no sworn officers yet.",
    )  # fmt: skip
    plan = services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    approver = UserFactory(roles=[roles.GRANTS_MANAGER])
    services.approve_plan(plan=plan, by=approver)
    users = {
        "recommended": apps[0].agency.memberships.get().user,
        "not_selected": apps[1].agency.memberships.get().user,
        "ineligible": MembershipFactory(agency=ineligible.agency).user,
    }
    return plan, approver, {"recommended": apps[0], "not_selected": apps[1],
                            "ineligible": ineligible}, users  # fmt: skip


def pages(client, application):
    return (
        client.get(reverse("applications:dashboard")).text,
        client.get(reverse("applications:application_overview", args=[application.pk])).text,
    )


@pytest.mark.parametrize("outcome", ["recommended", "not_selected", "ineligible"])
def test_before_release_the_agency_sees_under_review_and_nothing_of_the_decision(
    signed_in, decided, outcome
):
    _, _, applications, users = decided
    for html in pages(signed_in(users[outcome]), applications[outcome]):
        assert "Under review" in html
        for words in DECISION_WORDS:
            assert words not in html, words
    assert 'data-testid="decision"' not in html


def test_after_release_the_recommended_agency_sees_its_positions_and_amount(signed_in, decided):
    plan, approver, applications, users = decided
    services.release_decisions(plan=plan, by=approver)
    dashboard, overview = pages(signed_in(users["recommended"]), applications["recommended"])
    assert "Recommended for funding" in dashboard
    assert "Recommended: 3 positions, $375,000" in dashboard
    assert 'data-testid="decision"' in overview
    assert "3 officer positions of the 4 requested, $375,000 federal" in overview


def test_after_release_a_not_selected_agency_sees_its_rank_and_the_funding_line(signed_in, decided):
    plan, approver, applications, users = decided
    services.release_decisions(plan=plan, by=approver)
    dashboard, overview = pages(signed_in(users["not_selected"]), applications["not_selected"])
    assert "Not selected" in dashboard
    assert "Ranked 2 of 2; funds ran out at rank 1." in dashboard
    assert "Not selected for funding" in overview
    assert "Ranked 2 of 2; funds ran out at rank 1." in overview


def test_after_release_an_ineligible_agency_sees_the_reason_and_the_note(signed_in, decided):
    plan, approver, applications, users = decided
    services.release_decisions(plan=plan, by=approver)
    dashboard, overview = pages(signed_in(users["ineligible"]), applications["ineligible"])
    assert "Ineligible" in dashboard and "Start-up agency or consortium" in dashboard
    assert "Not eligible" in overview
    assert "Start-up agency or consortium" in overview
    assert "has no sworn officers yet" in overview
