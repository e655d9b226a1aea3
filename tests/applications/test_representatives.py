"""Who made each person an Authorized Representative is recorded, shown to staff (self-designation
flagged) and revocable by staff; the admin never changes roles behind the services' back."""

import pytest
from django.core import mail
from django.urls import reverse

from applications import services
from applications.models import Membership
from copsgrants.models import AuditEvent
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

REASON = "The chief confirmed by phone that Alex Rivera may not sign for the department."


@pytest.fixture
def own(applicant):
    return Membership.objects.get(user=applicant)


def membership_of(user) -> Membership:
    return Membership.objects.get(user=user)


def revoke_url(membership: Membership) -> str:
    return reverse("admin:applications_membership_revoke_representative", args=[membership.pk])


def membership_change_url(membership: Membership) -> str:
    return reverse("admin:applications_membership_change", args=[membership.pk])


# Recording the designation ------------------------------------------------------------------------


@pytest.mark.parametrize("is_representative", [True, False])
def test_a_registrant_who_ticks_the_box_designates_themselves(is_representative):
    from tests.factories import AgencyFactory

    user = UserFactory()
    built = AgencyFactory.build(state="IL", ori="IL08401")
    fields = {
        f.name: getattr(built, f.name)
        for f in built._meta.concrete_fields
        if f.name in ("legal_name", "ori", "uei", "state", "agency_type", "city", "zip_code",
                      "jurisdiction_population", "sworn_force_actual", "sworn_force_budgeted",
                      "address_line1")
        or f.name.startswith(("le_executive", "gov_executive"))
    }  # fmt: skip
    agency = services.register_agency(
        by=user, fields=fields, is_authorized_representative=is_representative
    )
    membership = Membership.objects.get(agency=agency, user=user)
    assert membership.is_authorized_representative is is_representative
    assert membership.representative_designated_by == (user if is_representative else None)
    assert membership.is_self_designated_representative is is_representative


@pytest.mark.parametrize("as_representative", [True, False])
def test_approving_a_request_as_representative_records_the_approving_administrator(
    applicant, agency, as_representative
):
    asking = MembershipFactory(agency=agency, pending=True)
    services.approve_membership(
        membership=asking, by=applicant, authorized_representative=as_representative
    )
    asking.refresh_from_db()
    assert asking.is_authorized_representative is as_representative
    assert asking.representative_designated_by == (applicant if as_representative else None)
    assert not asking.is_self_designated_representative


def test_granting_the_role_records_who_granted_it_and_taking_it_away_clears_it(applicant, member):
    membership = membership_of(member)
    services.change_member_roles(
        membership=membership, by=applicant, is_administrator=False,
        is_authorized_representative=True,
    )  # fmt: skip
    membership.refresh_from_db()
    assert membership.representative_designated_by == applicant

    # Another administrator changes another role: the designation keeps its author.
    other_admin = MembershipFactory(agency=membership.agency, administrator=True).user
    services.change_member_roles(
        membership=membership, by=other_admin, is_administrator=True,
        is_authorized_representative=True,
    )  # fmt: skip
    membership.refresh_from_db()
    assert membership.representative_designated_by == applicant

    services.change_member_roles(
        membership=membership, by=applicant, is_administrator=True,
        is_authorized_representative=False,
    )  # fmt: skip
    membership.refresh_from_db()
    assert not membership.is_authorized_representative
    assert membership.representative_designated_by is None


def test_an_administrator_granting_themselves_the_role_is_self_designated(agency):
    admin = MembershipFactory(agency=agency, administrator=True)
    services.change_member_roles(
        membership=admin, by=admin.user, is_administrator=True, is_authorized_representative=True
    )
    admin.refresh_from_db()
    assert admin.is_self_designated_representative


# What staff see -----------------------------------------------------------------------------------


def test_the_agency_admin_page_flags_a_self_designated_representative(
    signed_in, program_specialist, agency, applicant, member, own
):
    Membership.objects.filter(pk=own.pk).update(representative_designated_by=applicant)
    designated = MembershipFactory(
        agency=agency, authorized_representative=True, representative_designated_by=applicant
    )
    html = (
        signed_in(program_specialist)
        .get(reverse("admin:applications_agency_change", args=[agency.pk]))
        .text
    )
    assert "AR designated by" in html
    assert "<strong>themselves (self-designated)</strong>" in html
    assert html.count("themselves (self-designated)") == 1
    assert 'alt="Warning:"' in html
    row = html[html.index(str(designated.user)) :]
    assert str(applicant) in row[: row.index("</tr>")]


def test_the_application_admin_page_lists_representatives_and_who_designated_them(
    signed_in, program_specialist, agency, applicant, own
):
    Membership.objects.filter(pk=own.pk).update(representative_designated_by=applicant)
    colleague = MembershipFactory(
        agency=agency, authorized_representative=True, representative_designated_by=applicant
    )
    former = MembershipFactory(
        agency=agency, authorized_representative=True, status=Membership.Status.REMOVED
    )
    application = ApplicationFactory(agency=agency, submitted=True)
    html = (
        signed_in(program_specialist)
        .get(reverse("admin:applications_application_change", args=[application.pk]))
        .text
    )
    assert "Authorized Representatives" in html
    assert f"({applicant.email}), designated by" in html
    assert "<strong>themselves (self-designated)</strong>" in html
    assert f"({colleague.user.email}), designated by {applicant}" in html
    assert membership_change_url(colleague) in html
    assert former.user.email not in html


def test_an_agency_without_representatives_says_so(signed_in, program_specialist, agency, member):
    application = ApplicationFactory(agency=agency)
    html = (
        signed_in(program_specialist)
        .get(reverse("admin:applications_application_change", args=[application.pk]))
        .text
    )
    assert "None: nobody at the agency can certify and submit." in html


# Revoking ----------------------------------------------------------------------------------------


def test_revoking_clears_the_role_records_the_reason_and_tells_the_person_and_administrators(
    program_specialist, agency, applicant, own, django_capture_on_commit_callbacks
):
    representative = MembershipFactory(
        agency=agency, authorized_representative=True, representative_designated_by=applicant
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.revoke_representative(
            membership=representative, by=program_specialist, reason=f" {REASON} "
        )
    representative.refresh_from_db()
    assert not representative.is_authorized_representative
    assert representative.representative_designated_by is None
    assert representative.status == Membership.Status.ACTIVE  # still a member
    event = AuditEvent.objects.for_object(representative).get(
        verb="membership.representative_revoked"
    )
    assert (event.actor, event.message) == (program_specialist, REASON)
    assert event.data == {"designated_by": applicant.email, "self_designated": False}
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted([representative.user.email, applicant.email])
    assert REASON in mail.outbox[0].body
    assert "no longer an Authorized Representative" in mail.outbox[0].subject


def test_a_revoked_representative_can_no_longer_submit(program_specialist, applicant, own, agency):
    application = ApplicationFactory(agency=agency, complete=True)
    services.revoke_representative(membership=own, by=program_specialist, reason=REASON)
    allowed, reason = services.can_submit_application(applicant, application)
    assert not allowed and reason.startswith("Only an Authorized Representative")


def test_revoking_needs_a_reason_a_representative_and_staff_permission(
    program_specialist, reviewer, grants_manager, applicant, own, member
):
    with pytest.raises(services.MembershipError, match="Say why"):
        services.revoke_representative(membership=own, by=program_specialist, reason=" ")
    with pytest.raises(services.MembershipError, match="is not an Authorized Representative"):
        services.revoke_representative(
            membership=membership_of(member), by=program_specialist, reason=REASON
        )
    for user in (reviewer, grants_manager, applicant):
        with pytest.raises(services.MembershipError, match="Only COPS staff"):
            services.revoke_representative(membership=own, by=user, reason=REASON)
    own.refresh_from_db()
    assert own.is_authorized_representative
    assert not AuditEvent.objects.filter(verb="membership.representative_revoked").exists()


def test_staff_revoke_in_the_admin_through_a_form_asking_why(
    signed_in, program_specialist, applicant, own, django_capture_on_commit_callbacks
):
    client = signed_in(program_specialist)
    changelist = reverse("admin:applications_membership_changelist")
    response = client.post(
        changelist, {"action": "revoke_representative", "_selected_action": [own.pk]}
    )
    assert response.status_code == 302 and response.url == revoke_url(own)
    page = client.get(revoke_url(own)).text
    assert "Why is the designation revoked?" in page
    assert "They designated themselves" not in page  # not recorded as self-designated here
    response = client.post(revoke_url(own), {"reason": ""})
    assert "This field is required." in response.text
    own.refresh_from_db()
    assert own.is_authorized_representative

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(revoke_url(own), {"reason": REASON})
    assert response.status_code == 302 and response.url == membership_change_url(own)
    own.refresh_from_db()
    assert not own.is_authorized_representative
    assert mail.outbox[-1].to == [applicant.email]
    html = client.get(membership_change_url(own)).text
    assert "is no longer an Authorized Representative" in html
    assert "Authorized Representative designation revoked" in html  # audit trail
    assert revoke_url(own) not in html  # nothing left to revoke


def test_the_revoke_page_explains_a_self_designation(signed_in, program_specialist, applicant, own):
    Membership.objects.filter(pk=own.pk).update(representative_designated_by=applicant)
    page = signed_in(program_specialist).get(revoke_url(own)).text
    assert "They designated themselves" in page


@pytest.mark.parametrize("persona", ["reviewer", "grants_manager"])
def test_staff_without_the_membership_permission_cannot_revoke(request, signed_in, persona, own):
    client = signed_in(request.getfixturevalue(persona))
    assert client.post(revoke_url(own), {"reason": REASON}).status_code == 403
    own.refresh_from_db()
    assert own.is_authorized_representative


def test_the_revoke_action_takes_one_membership_at_a_time(
    signed_in, program_specialist, own, agency
):
    other = MembershipFactory(agency=agency, authorized_representative=True)
    response = signed_in(program_specialist).post(
        reverse("admin:applications_membership_changelist"),
        {"action": "revoke_representative", "_selected_action": [own.pk, other.pk]},
        follow=True,
    )
    assert "Select one membership at a time" in response.text
    assert Membership.objects.filter(is_authorized_representative=True).count() == 2


# No bypass through the admin ----------------------------------------------------------------------


def test_unticking_the_last_administrator_in_the_membership_admin_changes_nothing(
    signed_in, program_specialist, own
):
    client = signed_in(program_specialist)
    html = client.get(membership_change_url(own)).text
    for name in ("is_administrator", "is_authorized_representative", "status", "user", "agency"):
        assert f'name="{name}"' not in html
    assert 'name="_save"' not in html
    # The form a tampering client would post: every box unticked, another status.
    response = client.post(
        membership_change_url(own),
        {"user": own.user_id, "agency": own.agency_id, "status": "removed", "_save": "Save"},
    )
    assert response.status_code in (200, 302)
    own.refresh_from_db()
    assert own.is_administrator and own.is_authorized_representative
    assert own.status == Membership.Status.ACTIVE
    assert not AuditEvent.objects.filter(verb="membership.updated_by_staff").exists()


def test_the_agency_page_inline_cannot_change_roles(signed_in, program_specialist, agency, own):
    from tests.applications.test_agencies import VALID

    data = {k: v for k, v in VALID.items() if k != "is_authorized_representative"}
    data |= {
        "ori": agency.ori,
        "uei": agency.uei,
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": str(own.pk),
        "memberships-0-agency": str(agency.pk),
        "memberships-0-status": "removed",
        # is_administrator and is_authorized_representative absent: unticked
    }
    client = signed_in(program_specialist)
    html = client.get(reverse("admin:applications_agency_change", args=[agency.pk])).text
    assert 'name="memberships-0-is_administrator"' not in html
    response = client.post(reverse("admin:applications_agency_change", args=[agency.pk]), data)
    assert response.status_code == 302, response.text[:2000]
    own.refresh_from_db()
    assert own.is_administrator and own.is_authorized_representative
    assert own.status == Membership.Status.ACTIVE


def test_staff_cannot_add_or_delete_memberships_in_the_admin(signed_in, own):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = signed_in(admin)
    assert client.get(reverse("admin:applications_membership_add")).status_code == 403
    response = client.post(
        reverse("admin:applications_membership_delete", args=[own.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Membership.objects.filter(pk=own.pk).exists()
