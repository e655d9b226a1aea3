"""The demo is built through the services, so its records carry the same audit trail as real
ones; only the closed FY25 solicitation's records are imported directly, and say so."""

import io

import pytest
from django.core.management import call_command

from applications import services
from applications.checks import outstanding
from applications.models import (
    Agency,
    Application,
    FundingPlan,
    Membership,
    Review,
    ReviewAssignment,
    ScoringRun,
)
from copsgrants.models import AuditEvent, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())


def verbs(obj) -> list[str]:
    return list(AuditEvent.objects.for_object(obj).order_by("pk").values_list("verb", flat=True))


def test_springfield_and_riverton_are_verified_by_the_specialist_and_lakeside_is_pending(demo):
    specialist = User.objects.get(email="specialist@demo.test")
    for ori in ("IL08401", "WY01300"):
        agency = Agency.objects.get(ori=ori)
        assert agency.is_verified and agency.verified_by == specialist
        assert agency.verification_note
        event = AuditEvent.objects.for_object(agency).get(verb="agency.verified")
        assert event.actor == specialist
    lakeside = Agency.objects.get(ori="OH01807")
    assert lakeside.verification_status == Agency.Verification.PENDING


def test_lakeside_has_its_own_ohio_address_and_executives(demo):
    lakeside = Agency.objects.get(ori="OH01807")
    riverton = Agency.objects.get(ori="WY01300")
    assert (lakeside.state, lakeside.city, lakeside.zip_code) == ("OH", "Lakeside", "43440")
    for prefix in ("le_executive_", "gov_executive_"):
        for part in ("name", "email", "phone"):
            name = f"{prefix}{part}"
            assert getattr(lakeside, name) != getattr(riverton, name), name
    assert lakeside.address_line1 != riverton.address_line1
    assert lakeside.le_executive_phone.startswith("419-")  # northern Ohio


def test_the_demo_applications_carry_the_services_audit_trail(demo):
    springfield_draft = Application.objects.get(agency__ori="IL08401", status="draft")
    assert verbs(springfield_draft) == ["application.started"] + ["application.section_saved"] * 3

    riverton = Application.objects.get(agency__ori="WY01300", solicitation__code="O-COPS-2026-CHP")
    assert riverton.status == Application.Status.RETURNED
    trail = verbs(riverton)
    assert trail[0] == "application.started"
    assert trail[-2:] == ["application.submitted", "application.returned"]
    assert riverton.tracking_number and riverton.submitted_at and riverton.corrections_due_at

    withdrawn = Application.objects.get(agency__ori="OH01807", status="withdrawn")
    assert verbs(withdrawn)[-1] == "application.withdrawn"


def test_lakeside_completed_its_draft_but_must_wait_for_verification(demo):
    draft = Application.objects.get(agency__ori="OH01807", status="draft")
    assert outstanding(draft) == []
    olivia = User.objects.get(email="other@demo.test")
    allowed, reason = services.can_submit_application(olivia, draft)
    assert not allowed
    assert reason.startswith("Lakeside Police Department is waiting for COPS to verify it.")


def test_fy25_records_are_marked_as_imported(demo):
    previous = Application.objects.filter(solicitation__code="O-COPS-2025-CHP")
    assert previous.exists()
    for application in previous:
        # Imported first; everything after is COPS's own work through the services.
        event = AuditEvent.objects.for_object(application).order_by("pk").first()
        assert event.verb == "application.imported"
        assert event.message == "Imported from the FY25 system"
        assert AuditEvent.objects.for_object(application).filter(actor=None).count() == 1


def test_fy25_is_screened_reviewed_scored_planned_approved_by_a_second_manager_and_released(demo):
    previous = Application.objects.filter(solicitation__code="O-COPS-2025-CHP")
    statuses = set(previous.values_list("status", flat=True))
    assert statuses == {"recommended", "not_selected", "ineligible"}
    assert previous.filter(decision_released_at__isnull=True).count() == 0
    plan = FundingPlan.objects.get(solicitation__code="O-COPS-2025-CHP")
    assert plan.status == FundingPlan.Status.RELEASED
    assert plan.drafted_by.email == "manager@demo.test"
    assert plan.approved_by.email == "approver@demo.test"
    run = ScoringRun.objects.get(solicitation__code="O-COPS-2025-CHP", is_current=True)
    assert run.breakdowns.count() == previous.exclude(status="ineligible").count()
    reviewers = set(
        Review.objects.filter(assignment__application__in=previous, status="submitted").values_list(
            "assignment__reviewer__email", flat=True
        )
    )
    assert reviewers == {"reviewer@demo.test", "reviewer2@demo.test"}
    springfield = previous.get(agency__ori="IL08401")
    assert verbs(springfield)[:2] == ["application.imported", "application.screened_eligible"]


def test_fy26_is_mid_review_with_work_in_every_queue(demo):
    current = Application.objects.filter(solicitation__code="O-COPS-2026-CHP")
    assert current.filter(status="submitted").count() == 2  # to screen
    assert current.filter(status="under_review").count() == 4
    riley = ReviewAssignment.objects.filter(
        application__in=current, reviewer__email="reviewer@demo.test"
    )
    assert riley.filter(coi_certified_at__isnull=True).count() == 1
    assert riley.filter(review__status="draft").count() == 1
    assert riley.filter(review__status="submitted").exists()
    assert not ScoringRun.objects.filter(solicitation__code="O-COPS-2026-CHP").exists()


def test_the_demo_member_joined_by_asking_and_being_approved(demo):
    membership = Membership.objects.get(user__email="member@demo.test")
    assert verbs(membership) == ["membership.requested", "membership.approved"]
    assert membership.decided_by.email == "applicant@demo.test"


def test_the_demo_registrants_are_self_designated_representatives(demo):
    alex = Membership.objects.get(user__email="applicant@demo.test")
    assert alex.is_self_designated_representative


@pytest.mark.django_db
def test_the_fy25_demo_shows_the_sro_bonus_carrying_an_application_across_the_funding_line():
    from applications.models import ScoringRun
    from applications.ranking import ranking

    call_command("seed_demo", stdout=io.StringIO())
    run = ScoringRun.objects.get(solicitation__fiscal_year=2025, is_current=True)
    rows = ranking(run).rows
    carried = [row for row in rows if row.moved == "carried"]
    assert carried, "the demo should show what the SRO bonus does"
    assert all(row.breakdown.sro_bonus > 0 for row in carried)
