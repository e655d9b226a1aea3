from datetime import timedelta

import pytest
from django.core import mail
from django.db.models import F
from django.urls import reverse

from applications.models import Agency, Membership
from copsgrants.models import AuditEvent
from tests.factories import AgencyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

VALID = {
    "legal_name": "Springfield Police Department",
    "ori": "IL08401",
    "uei": "SPRNGFLDPD26",
    "agency_type": "municipal",
    "state": "IL",
    "jurisdiction_population": "114394",
    "sworn_force_actual": "212",
    "sworn_force_budgeted": "230",
    "address_line1": "800 E Monroe St",
    "address_line2": "",
    "city": "Springfield",
    "zip_code": "62701",
    "le_executive_name": "Dana Whitfield",
    "le_executive_title": "Chief of Police",
    "le_executive_email": "chief@springfield.example",
    "le_executive_phone": "217-555-0100",
    "gov_executive_name": "Pat Okafor",
    "gov_executive_title": "Mayor",
    "gov_executive_email": "mayor@springfield.example",
    "gov_executive_phone": "(217) 555-0101",
    "is_authorized_representative": "on",
}


@pytest.fixture
def user(db):
    return UserFactory()


def create(client, **changes):
    return client.post(reverse("applications:agency_create"), VALID | changes)


def test_a_user_registers_an_agency_and_becomes_its_administrator(signed_in, user):
    response = create(signed_in(user))
    agency = Agency.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("applications:agency_detail", args=[agency.pk])
    membership = Membership.objects.get(user=user, agency=agency)
    assert membership.status == Membership.Status.ACTIVE
    assert membership.is_administrator and membership.is_authorized_representative
    assert AuditEvent.objects.for_object(agency).get().verb == "agency.registered"


def test_identifiers_are_normalised_before_they_are_checked(signed_in, user):
    create(signed_in(user), ori=" il-08401 ", uei="sprngfldpd26")
    agency = Agency.objects.get()
    assert (agency.ori, agency.uei) == ("IL08401", "SPRNGFLDPD26")


def test_the_nine_character_ori_form_is_accepted(signed_in, user):
    create(signed_in(user), ori="IL0840100")
    assert Agency.objects.get().ori == "IL0840100"


@pytest.mark.parametrize(
    "ori",
    [
        "",
        "IL0840",
        "IL084011",
        "I108401",
        "1L08401",
        "IL08A01",
        "IL084010",
        "IL08401000",
        "IL 08401!",
    ],
)
def test_a_malformed_ori_is_refused_next_to_the_field(signed_in, user, ori):
    response = create(signed_in(user), ori=ori)
    assert response.status_code == 200
    assert not Agency.objects.exists()
    assert response.text.count('id="id_ori_error"') == 1
    assert "This ORI starts with" not in response.text  # one clear message, not two


def test_an_ori_from_another_state_is_refused(signed_in, user):
    response = create(signed_in(user), ori="WA03103")
    assert "This ORI starts with WA, but the agency&#x27;s state is IL" in response.text
    assert not Agency.objects.exists()


@pytest.mark.parametrize(
    "uei", ["", "SPRNGFLDPD2", "SPRNGFLDPD266", "SPRNGFLD_D26", "SPRNGFLDPD2É", "SPRNG FLDPD2!"]
)
def test_a_malformed_uei_is_refused_next_to_the_field(signed_in, user, uei):
    response = create(signed_in(user), uei=uei)
    assert response.status_code == 200
    assert 'id="id_uei_error"' in response.text
    assert not Agency.objects.exists()


@pytest.mark.parametrize("field", ["ori", "uei"])
def test_a_duplicate_identifier_is_refused_with_a_pointer_to_joining(signed_in, user, field):
    existing = AgencyFactory(state="IL", ori="IL08401", uei="SPRNGFLDPD26")
    other = {"ori": "IL09999", "uei": "OTHERUEI0001"}
    other[field] = getattr(existing, field)
    response = create(signed_in(user), **other)
    assert response.status_code == 200
    assert f"An agency with this {field.upper()} is already registered" in response.text
    assert Agency.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("jurisdiction_population", "-1", "Enter 0 or more."),
        ("sworn_force_actual", "-5", "Enter 0 or more."),
        ("sworn_force_budgeted", "lots", "Enter a whole number, like 12."),
        ("jurisdiction_population", "99999999999999999999", "or less."),
        ("legal_name", "x" * 201, "Use 200 characters or fewer (this has 201)."),
        ("city", "", "Enter the city."),
        ("zip_code", "1234", "5-digit ZIP code"),
        ("le_executive_phone", "call me", "10-digit U.S. phone number"),
        ("gov_executive_email", "mayor@", "Enter an email address, like name@example.com."),
        ("state", "ZZ", "Choose one of the options."),
        ("legal_name", "Police\x00Dept", "Remove the invisible control character."),
    ],
)
def test_bad_values_get_field_level_errors(signed_in, user, field, value, message):
    response = create(signed_in(user), **{field: value})
    assert response.status_code == 200
    assert message in response.text
    assert f'id="id_{field}_error"' in response.text
    assert not Agency.objects.exists()


def test_a_non_utf8_body_is_answered_with_errors_not_a_crash(signed_in, user):
    client = signed_in(user)
    body = b"legal_name=%FF%FE%FA&ori=%C3%28"
    response = client.generic(
        "POST",
        reverse("applications:agency_create"),
        body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "There is a problem" in response.text


def test_html_in_agency_text_is_escaped_on_every_page(signed_in, user):
    client = signed_in(user)
    create(client, legal_name="<script>alert(1)</script> PD")
    agency = Agency.objects.get()
    for url in (
        reverse("applications:agency_detail", args=[agency.pk]),
        reverse("applications:dashboard"),
        reverse("applications:agency_edit", args=[agency.pk]),
    ):
        html = client.get(url).text
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_another_agencys_pages_are_404(signed_in, applicant, other_agency):
    client = signed_in(applicant)
    for name in ("agency_detail", "agency_edit"):
        assert (
            client.get(reverse(f"applications:{name}", args=[other_agency.pk])).status_code == 404
        )
    pending = MembershipFactory(agency=other_agency, pending=True)
    for name in ("membership_approve", "membership_decline"):
        url = reverse(f"applications:{name}", args=[other_agency.pk, pending.pk])
        assert client.post(url).status_code == 404
    pending.refresh_from_db()
    assert pending.status == Membership.Status.PENDING


def test_a_pending_member_cannot_see_the_agency_yet(signed_in, agency):
    requester = MembershipFactory(agency=agency, pending=True).user
    response = signed_in(requester).get(reverse("applications:agency_detail", args=[agency.pk]))
    assert response.status_code == 404


def test_a_plain_member_sees_the_agency_but_is_told_why_they_cannot_edit_it(
    signed_in, member, agency
):
    client = signed_in(member)
    response = client.get(reverse("applications:agency_detail", args=[agency.pk]))
    assert response.status_code == 200
    assert "Only an agency administrator can change the agency" in response.text
    response = client.post(
        reverse("applications:agency_edit", args=[agency.pk]), VALID | {"city": "Elsewhere"}
    )
    assert response.status_code == 403
    assert "Only an agency administrator can change the agency&#x27;s profile." in response.text
    agency.refresh_from_db()
    assert agency.city != "Elsewhere"
    agency.refresh_from_db()
    assert agency.city != "Elsewhere"


def test_an_administrator_edits_the_agency_and_the_change_is_audited(signed_in, applicant, agency):
    client = signed_in(applicant)
    data = VALID | {"ori": agency.ori, "uei": agency.uei, "city": "Capital City"}
    response = client.post(reverse("applications:agency_edit", args=[agency.pk]), data)
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.city == "Capital City"
    event = AuditEvent.objects.for_object(agency).get(verb="agency.updated")
    assert "city" in event.data["fields"]
    assert event.actor == applicant
    assert agency.history.count() >= 2


def test_joining_an_agency_asks_its_administrators_who_approve(
    signed_in, client, applicant, agency, django_capture_on_commit_callbacks
):
    requester = UserFactory(email="newhire@springfield.example")
    signed_in(requester)
    response = client.get(reverse("applications:agency_find"), {"identifier": "il08401"})
    assert agency.legal_name in response.text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("applications:agency_join", args=[agency.pk]), {"identifier": agency.ori}
        )
    membership = Membership.objects.get(user=requester)
    assert membership.status == Membership.Status.PENDING
    assert mail.outbox[-1].to == [applicant.email]
    assert "asks to join" in mail.outbox[-1].subject

    signed_in(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("applications:membership_approve", args=[agency.pk, membership.pk]),
            {"authorized_representative": "on"},
        )
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert membership.is_authorized_representative
    assert membership.decided_by == applicant
    assert mail.outbox[-1].to == ["newhire@springfield.example"]
    verbs = set(AuditEvent.objects.for_object(membership).values_list("verb", flat=True))
    assert verbs == {"membership.requested", "membership.approved"}

    signed_in(requester)
    assert client.get(reverse("applications:agency_detail", args=[agency.pk])).status_code == 200


def test_a_declined_request_gives_no_access_and_can_be_made_again_a_week_later(
    signed_in, client, applicant, agency
):
    requester = UserFactory()
    signed_in(requester)
    client.post(reverse("applications:agency_join", args=[agency.pk]), {"identifier": agency.ori})
    membership = Membership.objects.get(user=requester)
    signed_in(applicant)
    client.post(reverse("applications:membership_decline", args=[agency.pk, membership.pk]))
    membership.refresh_from_db()
    assert membership.status == Membership.Status.DECLINED
    signed_in(requester)
    assert client.get(reverse("applications:agency_detail", args=[agency.pk])).status_code == 404
    # A week later (the wait after a decline):
    Membership.objects.filter(pk=membership.pk).update(
        decided_at=F("decided_at") - timedelta(days=8)
    )
    client.post(reverse("applications:agency_join", args=[agency.pk]), {"identifier": agency.ori})
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING


def test_asking_twice_is_refused_politely(signed_in, agency):
    client = signed_in(UserFactory())
    client.post(reverse("applications:agency_join", args=[agency.pk]), {"identifier": agency.ori})
    response = client.post(
        reverse("applications:agency_join", args=[agency.pk]),
        {"identifier": agency.ori},
        follow=True,
    )
    assert "You have already asked to join" in response.text
    assert Membership.objects.filter(agency=agency).count() == 1


def test_a_plain_member_cannot_approve_requests(signed_in, member, agency):
    pending = MembershipFactory(agency=agency, pending=True)
    signed_in(member).post(reverse("applications:membership_approve", args=[agency.pk, pending.pk]))
    pending.refresh_from_db()
    assert pending.status == Membership.Status.PENDING


def test_finding_an_unknown_identifier_offers_registration(signed_in, user):
    response = signed_in(user).get(reverse("applications:agency_find"), {"identifier": "TX99999"})
    assert "No agency with that ORI or UEI is registered" in response.text
    response = signed_in(user).get(reverse("applications:agency_find"), {"identifier": "??"})
    assert 'id="id_identifier_error"' in response.text


def test_the_dashboard_lists_only_the_users_own_agencies(signed_in, applicant, other_agency):
    html = signed_in(applicant).get(reverse("applications:dashboard")).text
    assert "Springfield Police Department" in html
    assert other_agency.legal_name not in html


def test_an_administrator_makes_a_member_an_authorized_representative(
    signed_in, applicant, member, agency, django_capture_on_commit_callbacks
):
    membership = Membership.objects.get(user=member)
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(applicant).post(
            reverse("applications:membership_roles", args=[agency.pk, membership.pk]),
            {"is_authorized_representative": "on"},
        )
    membership.refresh_from_db()
    assert membership.is_authorized_representative and not membership.is_administrator
    event = AuditEvent.objects.for_object(membership).get(verb="membership.roles_changed")
    assert event.data["after"] == ["Authorized Representative"]
    assert mail.outbox[-1].to == [member.email]


def test_the_last_administrator_cannot_give_up_the_role_or_be_removed(signed_in, applicant, agency):
    client = signed_in(applicant)
    own = Membership.objects.get(user=applicant)
    response = client.post(
        reverse("applications:membership_roles", args=[agency.pk, own.pk]), {}, follow=True
    )
    assert "An agency needs at least one administrator" in response.text
    response = client.post(
        reverse("applications:membership_remove", args=[agency.pk, own.pk]), follow=True
    )
    assert "only administrator" in response.text
    own.refresh_from_db()
    assert own.is_administrator and own.status == Membership.Status.ACTIVE


def test_a_removed_member_loses_access_and_can_ask_to_join_again(
    signed_in, client, applicant, member, agency
):
    membership = Membership.objects.get(user=member)
    signed_in(applicant).post(
        reverse("applications:membership_remove", args=[agency.pk, membership.pk])
    )
    membership.refresh_from_db()
    assert membership.status == Membership.Status.REMOVED
    assert AuditEvent.objects.for_object(membership).filter(verb="membership.removed").exists()
    signed_in(member)
    assert client.get(reverse("applications:agency_detail", args=[agency.pk])).status_code == 404
    client.post(reverse("applications:agency_join", args=[agency.pk]), {"identifier": agency.ori})
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING


def test_a_plain_member_cannot_change_roles_or_remove_anyone(signed_in, applicant, member, agency):
    own = Membership.objects.get(user=applicant)
    client = signed_in(member)
    client.post(reverse("applications:membership_roles", args=[agency.pk, own.pk]), {})
    client.post(reverse("applications:membership_remove", args=[agency.pk, own.pk]))
    own.refresh_from_db()
    assert own.is_administrator and own.status == Membership.Status.ACTIVE
    html = client.get(reverse("applications:agency_detail", args=[agency.pk])).text
    assert "Remove from agency" not in html


def test_another_agencys_administrator_cannot_manage_this_agencys_members(
    signed_in, other_agency_applicant, member, agency
):
    membership = Membership.objects.get(user=member)
    client = signed_in(other_agency_applicant)
    for name in ("membership_roles", "membership_remove"):
        url = reverse(f"applications:{name}", args=[agency.pk, membership.pk])
        assert client.post(url, {"is_administrator": "on"}).status_code == 404
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE and not membership.is_administrator


def test_the_agency_page_lists_its_applications(signed_in, applicant, agency, other_agency):
    from tests.factories import ApplicationFactory

    own = ApplicationFactory(agency=agency, submitted=True)
    theirs = ApplicationFactory(agency=other_agency, submitted=True)
    html = signed_in(applicant).get(reverse("applications:agency_detail", args=[agency.pk])).text
    assert own.tracking_number in html
    assert theirs.tracking_number not in html


def test_asking_to_join_needs_the_agencys_ori_or_uei_not_just_its_id(
    signed_in, agency, django_capture_on_commit_callbacks
):
    client = signed_in(UserFactory())
    url = reverse("applications:agency_join", args=[agency.pk])
    for data in ({}, {"identifier": "IL99999"}, {"identifier": "WY01300"}):
        response = client.post(url, data)
        assert response.status_code == 404, data
        assert agency.legal_name not in response.text
    assert not Membership.objects.filter(agency=agency, status="pending").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"identifier": agency.uei.lower()}, follow=True)
    assert Membership.objects.filter(agency=agency, status="pending").count() == 1


def test_the_find_page_carries_the_typed_identifier_into_the_join_request(signed_in, agency):
    client = signed_in(UserFactory())
    html = client.get(reverse("applications:agency_find"), {"identifier": agency.ori}).text
    assert f'name="identifier" value="{agency.ori}"' in html
