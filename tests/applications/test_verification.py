"""A new agency is pending until a COPS program specialist verifies it in the admin, noting what
was checked. Until then its members draft but cannot submit."""

import pytest
from django.core import mail
from django.urls import reverse

from applications import services
from applications.models import Agency, Application, Membership
from copsgrants.models import AuditEvent
from tests.factories import (
    AgencyFactory,
    ApplicationFactory,
    MembershipFactory,
    SolicitationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOTE = "ORI OH01807 on the FBI list; UEI active in SAM.gov; Chief Boyd confirmed by phone."
WAITING = (
    "Lakeside Police Department is waiting for COPS to verify it. You can complete the "
    "application now; you can submit once it is verified. This usually takes 2 business days."
)


@pytest.fixture
def pending():
    return AgencyFactory(
        pending=True, legal_name="Lakeside Police Department", state="OH", ori="OH01807"
    )


@pytest.fixture
def representative(pending):
    """Administrator and Authorized Representative of the pending agency."""
    return MembershipFactory(
        agency=pending, administrator=True, authorized_representative=True
    ).user


@pytest.fixture
def complete(pending, representative):
    return ApplicationFactory(agency=pending, solicitation=SolicitationFactory(), complete=True)


def change_url(agency: Agency) -> str:
    return reverse("admin:applications_agency_change", args=[agency.pk])


def verify_url(agency: Agency) -> str:
    return reverse("admin:applications_agency_verify", args=[agency.pk])


# The rule -----------------------------------------------------------------------------------------


def test_a_registered_agency_starts_pending_verification():
    user = UserFactory()
    fields = {
        name: getattr(AgencyFactory.build(state="IL", ori="IL08401"), name)
        for name in ("legal_name", "ori", "uei", "state", "agency_type",
                     "jurisdiction_population", "sworn_force_actual", "sworn_force_budgeted",
                     "address_line1", "city", "zip_code", "le_executive_name",
                     "le_executive_title", "le_executive_email", "le_executive_phone",
                     "gov_executive_name", "gov_executive_title", "gov_executive_email",
                     "gov_executive_phone")
    }  # fmt: skip
    agency = services.register_agency(by=user, fields=fields, is_authorized_representative=True)
    assert agency.verification_status == Agency.Verification.PENDING
    assert not agency.is_verified
    assert agency.verified_at is None and agency.verified_by is None


def test_a_pending_agency_drafts_but_cannot_submit(representative, complete):
    assert services.can_edit_application(representative, complete) == (True, "")
    assert services.can_submit_application(representative, complete) == (False, WAITING)


def test_submitting_for_a_pending_agency_is_refused_and_changes_nothing(
    representative, complete, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(services.ApplicationError) as refused,
    ):
        services.submit_application(
            application=complete, by=representative, certified_name="Alex Rivera"
        )
    assert str(refused.value) == WAITING
    complete.refresh_from_db()
    assert complete.status == Application.Status.DRAFT
    assert complete.tracking_number is None
    assert not AuditEvent.objects.filter(verb="application.submitted").exists()
    assert mail.outbox == []


def test_a_plain_member_of_a_pending_agency_is_told_about_the_role_first(pending, complete):
    member = MembershipFactory(agency=pending).user
    allowed, reason = services.can_submit_application(member, complete)
    assert not allowed
    assert reason.startswith("Only an Authorized Representative")


def test_once_verified_the_same_application_can_be_submitted(
    program_specialist, pending, representative, complete
):
    services.verify_agency(agency=pending, by=program_specialist, note=NOTE)
    submitted = services.submit_application(
        application=complete, by=representative, certified_name="Alex Rivera"
    )
    assert submitted.status == Application.Status.SUBMITTED


# The service --------------------------------------------------------------------------------------


def test_verifying_records_who_when_and_what_was_checked_and_emails_the_administrators(
    program_specialist, pending, representative, django_capture_on_commit_callbacks
):
    plain = MembershipFactory(agency=pending).user
    asking = MembershipFactory(agency=pending, pending=True).user
    with django_capture_on_commit_callbacks(execute=True):
        services.verify_agency(agency=pending, by=program_specialist, note=f"  {NOTE}\n")
    pending.refresh_from_db()
    assert pending.is_verified
    assert pending.verified_by == program_specialist
    assert pending.verified_at is not None
    assert pending.verification_note == NOTE
    event = AuditEvent.objects.for_object(pending).get(verb="agency.verified")
    assert (event.actor, event.message) == (program_specialist, NOTE)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [representative.email]
    assert plain.email not in email.to and asking.email not in email.to
    assert "Lakeside Police Department" in email.subject
    assert "can now certify and submit" in email.body


@pytest.mark.parametrize("note", ["", "   \n "])
def test_verifying_without_saying_what_was_checked_is_refused(program_specialist, pending, note):
    with pytest.raises(services.AgencyError, match="Say what you checked"):
        services.verify_agency(agency=pending, by=program_specialist, note=note)
    pending.refresh_from_db()
    assert not pending.is_verified


def test_only_staff_who_may_change_agencies_can_verify(reviewer, grants_manager, pending):
    for user in (reviewer, grants_manager, UserFactory()):
        with pytest.raises(services.AgencyError, match="Only a COPS program specialist"):
            services.verify_agency(agency=pending, by=user, note=NOTE)
    pending.refresh_from_db()
    assert not pending.is_verified
    assert not AuditEvent.objects.filter(verb="agency.verified").exists()


def test_an_agency_is_verified_once(program_specialist, pending):
    services.verify_agency(agency=pending, by=program_specialist, note=NOTE)
    with pytest.raises(services.AgencyError, match="already verified"):
        services.verify_agency(agency=pending, by=program_specialist, note="Again.")
    assert AuditEvent.objects.filter(verb="agency.verified").count() == 1


# The admin ----------------------------------------------------------------------------------------


def test_a_program_specialist_sees_a_verify_button_on_a_pending_agency_only(
    signed_in, program_specialist, pending, agency
):
    client = signed_in(program_specialist)
    html = client.get(change_url(pending)).text
    assert f'href="{verify_url(pending)}"' in html
    assert "Pending verification" in html
    assert verify_url(agency) not in client.get(change_url(agency)).text


def test_a_reviewer_gets_no_verify_button_and_cannot_verify(signed_in, reviewer, pending):
    client = signed_in(reviewer)
    assert verify_url(pending) not in client.get(change_url(pending)).text
    assert client.get(verify_url(pending)).status_code == 403
    assert client.post(verify_url(pending), {"note": NOTE}).status_code == 403
    pending.refresh_from_db()
    assert not pending.is_verified


def test_the_verify_page_asks_what_was_checked_and_requires_it(
    signed_in, program_specialist, pending
):
    client = signed_in(program_specialist)
    response = client.get(verify_url(pending))
    assert response.status_code == 200
    assert "What did you check?" in response.text
    assert "Lakeside Police Department (OH01807)" in response.text
    response = client.post(verify_url(pending), {"note": "  "})
    assert response.status_code == 200
    assert "This field is required." in response.text
    pending.refresh_from_db()
    assert not pending.is_verified


def test_verifying_in_the_admin_calls_the_service_and_returns_to_the_agency(
    signed_in, program_specialist, pending, representative, django_capture_on_commit_callbacks
):
    client = signed_in(program_specialist)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(verify_url(pending), {"note": NOTE})
    assert response.status_code == 302
    assert response.url == change_url(pending)
    html = client.get(response.url).text
    assert "Lakeside Police Department is verified." in html
    assert "Agency verified by COPS" in html  # the audit trail
    assert verify_url(pending) not in html  # no button any more
    pending.refresh_from_db()
    assert pending.is_verified and pending.verification_note == NOTE
    assert [m.to for m in mail.outbox] == [[representative.email]]


def test_a_verified_agency_is_not_verified_again_from_its_page(
    signed_in, program_specialist, agency
):
    client = signed_in(program_specialist)
    response = client.post(verify_url(agency), {"note": NOTE}, follow=True)
    assert "is already verified" in response.text
    assert not AuditEvent.objects.filter(verb="agency.verified").exists()


def test_the_list_action_leads_to_the_verify_page_for_one_agency(
    signed_in, program_specialist, pending, agency
):
    client = signed_in(program_specialist)
    changelist = reverse("admin:applications_agency_changelist")
    response = client.post(
        changelist, {"action": "verify_agency", "_selected_action": [pending.pk]}
    )
    assert response.status_code == 302 and response.url == verify_url(pending)
    response = client.post(
        changelist,
        {"action": "verify_agency", "_selected_action": [pending.pk, agency.pk]},
        follow=True,
    )
    assert "Select one agency at a time" in response.text
    pending.refresh_from_db()
    assert not pending.is_verified


def test_the_agency_list_shows_verification_pending_first_and_filters_by_it(
    signed_in, program_specialist, pending
):
    AgencyFactory(legal_name="Aardvark Police Department")  # verified; first by name
    client = signed_in(program_specialist)
    changelist = reverse("admin:applications_agency_changelist")
    response = client.get(changelist)
    assert "By verification" in response.text
    listed = list(response.context["cl"].result_list)
    assert listed[0] == pending
    assert "Pending verification" in response.text and "Verified" in response.text
    response = client.get(changelist, {"verification_status__exact": "pending_verification"})
    assert list(response.context["cl"].result_list) == [pending]


# A second registration of a pending agency ------------------------------------------------------


@pytest.mark.parametrize("field", ["ori", "uei"])
def test_registering_a_pending_agencys_identifier_again_points_to_asking_to_join(
    signed_in, pending, field
):
    from tests.applications.test_agencies import VALID

    other = {"ori": "OH09999", "uei": "OTHERUEI0001", "state": "OH"}
    other[field] = getattr(pending, field)
    response = signed_in(UserFactory()).post(reverse("applications:agency_create"), VALID | other)
    assert response.status_code == 200
    assert f"An agency with this {field.upper()} is already registered. Ask to join it" in (
        response.text
    )
    assert Agency.objects.count() == 1


def test_a_pending_agency_can_be_found_and_asked_to_join(
    signed_in, client, pending, representative, django_capture_on_commit_callbacks
):
    requester = UserFactory()
    signed_in(requester)
    response = client.get(reverse("applications:agency_find"), {"identifier": "oh01807"})
    assert "Lakeside Police Department" in response.text
    assert reverse("applications:agency_join", args=[pending.pk]) in response.text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("applications:agency_join", args=[pending.pk]), {"identifier": pending.ori}
        )
    assert Membership.objects.get(user=requester).status == Membership.Status.PENDING
    assert mail.outbox[-1].to == [representative.email]


def test_members_of_a_pending_agency_are_told_why_they_cannot_submit_yet(signed_in):
    agency = AgencyFactory(pending=True)
    user = MembershipFactory(agency=agency, administrator=True, authorized_representative=True).user
    application = ApplicationFactory(agency=agency, complete=True)
    client = signed_in(user)
    for url in (
        reverse("applications:application_overview", args=[application.pk]),
        reverse("applications:agency_detail", args=[agency.pk]),
    ):
        html = client.get(url).text
        assert 'data-testid="verification-notice"' in html, url
        assert "Waiting for COPS to verify" in html, url
    dashboard = client.get(reverse("applications:dashboard")).text
    assert 'data-testid="agency-pending-verification"' in dashboard
    assert "you can submit once COPS verifies your agency" in dashboard
    review = client.get(reverse("applications:application_review", args=[application.pk])).text
    assert "waiting for COPS to verify it" in review


def test_members_of_a_verified_agency_see_no_verification_notice(signed_in, applicant, agency):
    application = ApplicationFactory(agency=agency)
    html = (
        signed_in(applicant)
        .get(reverse("applications:application_overview", args=[application.pk]))
        .text
    )
    assert 'data-testid="verification-notice"' not in html


def test_changing_a_verified_agencys_identity_sends_it_back_to_pending(applicant, agency):
    assert agency.is_verified
    services.update_agency(agency=agency, by=applicant, fields={"city": "Capital City"})
    agency.refresh_from_db()
    assert agency.is_verified  # an address change keeps the verification

    services.update_agency(agency=agency, by=applicant, fields={"uei": "NEWUEI123456"})
    agency.refresh_from_db()
    assert agency.verification_status == Agency.Verification.PENDING
    assert agency.verified_at is None and agency.verified_by is None
    event = AuditEvent.objects.for_object(agency).get(verb="agency.verification_reset")
    assert event.data == {"fields": ["uei"]}
    allowed, reason = services.can_submit_application(
        applicant, ApplicationFactory(agency=agency, complete=True)
    )
    assert not allowed and "waiting for COPS to verify it" in reason


def test_staff_cannot_edit_what_cops_verified_in_the_admin(admin_client, agency):
    url = reverse("admin:applications_agency_change", args=[agency.pk])
    html = admin_client.get(url).text
    for name in ("legal_name", "ori", "uei", "state"):
        assert f'name="{name}"' not in html, name
    assert 'name="city"' in html
    pending = AgencyFactory(pending=True)
    html = admin_client.get(reverse("admin:applications_agency_change", args=[pending.pk])).text
    assert 'name="ori"' in html


def test_the_edit_page_warns_that_identity_changes_need_verification_again(
    signed_in, applicant, agency
):
    html = signed_in(applicant).get(reverse("applications:agency_edit", args=[agency.pk])).text
    assert 'data-testid="reverify-warning"' in html
