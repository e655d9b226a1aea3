"""Screening a submitted application: eligible (to review), ineligible (a reason and a note),
and the match-waiver decision that sets the federal request from then on."""

from decimal import Decimal

import pytest
from django.urls import reverse
from post_office.models import Email

from applications import services
from applications.models import Application, MatchWaiver
from copsgrants.models import AuditEvent
from tests.factories import AgencyFactory, ApplicationFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(agency):
    return ApplicationFactory(submitted=True, agency=agency)


def waiver_application(agency, kind: str) -> Application:
    """Three positions costing $216,981.18 each over three years, on a solicitation where an
    approved waiver lifts the $125,000 cap (the default)."""
    return ApplicationFactory(
        submitted=True, agency=agency, match_waiver=kind, match_source="",
        waiver_justification="Two rounds of layoffs and a credit downgrade since 2024.",
    )  # fmt: skip


def events(application: Application, verb: str):
    return AuditEvent.objects.filter(verb=verb, object_id=str(application.pk))


def test_screening_eligible_sends_the_application_to_review_with_an_audit_event_and_history(
    submitted, program_specialist
):
    screened = services.screen_application(
        application=submitted, by=program_specialist, eligible=True
    )
    submitted.refresh_from_db()
    assert submitted.status == Application.Status.UNDER_REVIEW == screened.status
    assert submitted.screened_by == program_specialist and submitted.screened_at is not None
    [event] = events(submitted, "application.screened_eligible")
    assert event.actor == program_specialist
    latest = submitted.history.first()
    assert latest.status == Application.Status.UNDER_REVIEW
    assert latest.screened_by_id == program_specialist.pk


def test_screening_ineligible_stores_the_reason_and_the_note_without_emailing_yet(
    submitted, program_specialist
):
    queued = Email.objects.count()
    services.screen_application(
        application=submitted, by=program_specialist, eligible=False,
        reason=Application.IneligibilityReason.NO_SAM,
        note="SAM.gov shows the registration expired on 2026-03-01.",
    )  # fmt: skip
    submitted.refresh_from_db()
    assert submitted.status == Application.Status.INELIGIBLE
    assert submitted.ineligibility_reason == "no_sam"
    assert submitted.ineligibility_note == "SAM.gov shows the registration expired on 2026-03-01."
    [event] = events(submitted, "application.screened_ineligible")
    assert event.data == {"reason": "no_sam"}
    assert Email.objects.count() == queued  # the agency hears of it when decisions are released


@pytest.mark.parametrize(
    ("reason", "note", "message"),
    [("", "A note.", "Choose the reason"), ("no_sam", "  ", "Write a note"),
     ("not_a_reason", "A note.", "Choose the reason")],
)  # fmt: skip
def test_ineligible_needs_a_listed_reason_and_a_note(
    submitted, program_specialist, reason, note, message
):
    with pytest.raises(services.ScreeningError, match=message):
        services.screen_application(
            application=submitted, by=program_specialist, eligible=False, reason=reason, note=note
        )
    submitted.refresh_from_db()
    assert submitted.status == Application.Status.SUBMITTED


def test_an_unverified_agencys_application_cannot_be_screened_eligible_but_can_be_ineligible(
    program_specialist,
):
    application = ApplicationFactory(submitted=True, agency=AgencyFactory(pending=True))
    with pytest.raises(services.ScreeningError, match="pending verification: only applications"):
        services.screen_application(application=application, by=program_specialist, eligible=True)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    services.screen_application(
        application=application, by=program_specialist, eligible=False,
        reason="other", note="The agency could not be verified.",
    )  # fmt: skip
    application.refresh_from_db()
    assert application.status == Application.Status.INELIGIBLE


@pytest.mark.parametrize(
    "status",
    [Application.Status.DRAFT, Application.Status.RETURNED, Application.Status.UNDER_REVIEW,
     Application.Status.WITHDRAWN],
)  # fmt: skip
def test_only_a_submitted_application_can_be_screened(agency, program_specialist, status):
    application = ApplicationFactory(submitted=True, agency=agency, status=status)
    with pytest.raises(services.ScreeningError, match="Only a submitted application"):
        services.screen_application(application=application, by=program_specialist, eligible=True)
    assert not events(application, "application.screened_eligible").exists()


def test_screening_eligible_waits_for_the_waiver_decision(agency, program_specialist):
    application = waiver_application(agency, MatchWaiver.FULL)
    with pytest.raises(services.ScreeningError, match="Decide the match-waiver request first"):
        services.screen_application(application=application, by=program_specialist, eligible=True)
    services.decide_match_waiver(
        application=application, by=program_specialist, decision="denied",
        reason="The budget grew 4% this year.",
    )  # fmt: skip
    services.screen_application(application=application, by=program_specialist, eligible=True)
    application.refresh_from_db()
    assert application.status == Application.Status.UNDER_REVIEW


def test_screening_eligible_records_the_data_flags_it_finds(program_specialist):
    agency = AgencyFactory(jurisdiction_population=10_000)
    application = ApplicationFactory(submitted=True, agency=agency, property_crimes=4_000)
    services.screen_application(application=application, by=program_specialist, eligible=True)
    [flag] = application.flags.all()
    assert flag.kind == "crime_rate" and flag.is_open
    [event] = events(application, "application.screened_eligible")
    assert event.data == {"open_flags": 1}


# The waiver decision and the money ------------------------------------------------------------
# One position costs 52,000 + 53,560 + 55,166.80 + 18,200 + 18,746 + 19,308.38 = $216,981.18.


def test_until_decided_the_requested_waiver_is_what_the_money_uses(agency):
    application = waiver_application(agency, MatchWaiver.FULL)
    assert application.waiver_pending
    assert application.decided_waiver == MatchWaiver.FULL
    assert application.federal_percent == Decimal("100")
    assert application.budget.total_federal == Decimal("650943.54")  # 3 x 216,981.18


@pytest.mark.parametrize(
    ("requested", "decision", "percent", "total_federal"),
    [
        # 100%, no cap: 3 x 216,981.18
        (MatchWaiver.FULL, "approved_full", "100", "650943.54"),
        # 90% = 195,283.06 a position, no cap
        (MatchWaiver.FULL, "approved_partial", "90", "585849.18"),
        (MatchWaiver.PARTIAL, "approved_partial", "90", "585849.18"),
        # 75% = 162,735.89, capped at $125,000 a position
        (MatchWaiver.FULL, "denied", "75", "375000.00"),
        (MatchWaiver.PARTIAL, "denied", "75", "375000.00"),
    ],
)
def test_the_waiver_decision_sets_the_federal_request_from_then_on(
    agency, program_specialist, requested, decision, percent, total_federal
):
    application = waiver_application(agency, requested)
    services.decide_match_waiver(
        application=application, by=program_specialist, decision=decision,
        reason="Audited statements for 2024 and 2025 reviewed.",
    )  # fmt: skip
    application = Application.objects.get(pk=application.pk)
    assert not application.waiver_pending
    assert application.federal_percent == Decimal(percent)
    assert application.budget.total_federal == Decimal(total_federal)
    [event] = events(application, "application.waiver_decided")
    assert event.actor == program_specialist
    assert event.data["decision"] == decision
    assert event.data["total_federal"] == total_federal
    assert application.history.first().waiver_decision == decision


def test_a_partial_request_cannot_be_approved_as_a_full_waiver(agency, program_specialist):
    application = waiver_application(agency, MatchWaiver.PARTIAL)
    with pytest.raises(services.ScreeningError, match="not approve more than was asked"):
        services.decide_match_waiver(
            application=application, by=program_specialist, decision="approved_full", reason="x"
        )


def test_a_waiver_decision_needs_a_request_a_decision_and_a_reason(
    submitted, agency, program_specialist
):
    with pytest.raises(services.ScreeningError, match="did not request a match waiver"):
        services.decide_match_waiver(
            application=submitted, by=program_specialist, decision="denied", reason="x"
        )
    application = waiver_application(agency, MatchWaiver.FULL)
    application.agency = AgencyFactory()  # the constraint allows one live application per agency
    with pytest.raises(services.ScreeningError, match="Give the reason"):
        services.decide_match_waiver(
            application=application, by=program_specialist, decision="denied", reason=" "
        )
    with pytest.raises(services.ScreeningError, match="Choose a decision"):
        services.decide_match_waiver(
            application=application, by=program_specialist, decision="", reason="x"
        )


def test_the_waiver_cannot_be_decided_once_the_application_is_scored(agency, program_specialist):
    application = waiver_application(agency, MatchWaiver.FULL)
    application.status = Application.Status.SCORED
    application.save()
    with pytest.raises(services.ScreeningError, match="this application is scored"):
        services.decide_match_waiver(
            application=application, by=program_specialist, decision="denied", reason="x"
        )


def test_the_agency_sees_the_waiver_decision_on_its_overview_and_review_pages(
    agency, applicant, program_specialist, signed_in
):
    application = waiver_application(agency, MatchWaiver.FULL)
    client = signed_in(applicant)
    overview = reverse("applications:application_overview", args=[application.pk])
    review = reverse("applications:application_review", args=[application.pk])
    assert "requested, not yet approved" in client.get(overview).text
    services.decide_match_waiver(
        application=application, by=program_specialist, decision="denied",
        reason="Reserves cover the match.",
    )  # fmt: skip
    html = client.get(overview).text
    assert "requested, not yet approved" not in html
    assert "COPS <strong>denied</strong> the match waiver" in html
    assert "Reserves cover the match." in html
    assert "(denied: Reserves cover the match.)" in client.get(review).text


def test_the_agency_sees_an_approved_waiver(agency, applicant, program_specialist, signed_in):
    application = waiver_application(agency, MatchWaiver.FULL)
    services.decide_match_waiver(
        application=application, by=program_specialist, decision="approved_partial",
        reason="Documented distress.",
    )  # fmt: skip
    client = signed_in(applicant)
    html = client.get(reverse("applications:application_overview", args=[application.pk])).text
    assert "approved a partial match waiver" in html
    assert "$585,849.18" in html
    review = client.get(reverse("applications:application_review", args=[application.pk])).text
    assert "(approved: partial waiver)" in review


def test_another_agencys_member_cannot_see_the_waiver_decision(
    agency, program_specialist, signed_in
):
    application = waiver_application(agency, MatchWaiver.FULL)
    outsider = MembershipFactory().user
    response = signed_in(outsider).get(
        reverse("applications:application_overview", args=[application.pk])
    )
    assert response.status_code == 404
