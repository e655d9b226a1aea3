import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Membership
from copsgrants.models import AuditEvent
from tests.factories import AgencyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_program_specialist_finds_agencies_by_name_ori_or_uei(signed_in, program_specialist):
    AgencyFactory(
        legal_name="Springfield Police Department", state="IL", ori="IL08401", uei="SPRNGFLDPD26"
    )
    AgencyFactory(legal_name="Riverton County Sheriff", state="WY", ori="WY01300")  # fmt: skip
    client = signed_in(program_specialist)
    url = reverse("admin:applications_agency_changelist")
    for term in ("springfield", "IL08401", "SPRNGFLDPD26"):
        html = client.get(url, {"q": term}).text
        assert "Springfield Police Department" in html
        assert "Riverton County Sheriff" not in html
    html = client.get(url, {"state__exact": "WY"}).text
    assert "Riverton County Sheriff" in html and "Springfield Police" not in html


def test_staff_see_memberships_and_users_with_filters(signed_in, program_specialist, applicant):
    client = signed_in(program_specialist)
    html = client.get(
        reverse("admin:applications_membership_changelist"), {"status": "active"}
    ).text
    assert applicant.email in html
    html = client.get(reverse("admin:copsgrants_user_changelist"), {"q": applicant.email}).text
    assert applicant.email in html


def test_a_reviewer_cannot_change_agencies_or_see_memberships(signed_in, reviewer, agency):
    client = signed_in(reviewer)
    assert client.get(reverse("admin:applications_agency_changelist")).status_code == 200
    response = client.post(
        reverse("admin:applications_agency_change", args=[agency.pk]), {"city": "X"}
    )
    assert response.status_code == 403
    assert client.get(reverse("admin:applications_membership_changelist")).status_code == 403


def test_an_applicant_cannot_enter_the_admin(signed_in, applicant):
    response = signed_in(applicant).get(reverse("admin:index"))
    assert response.status_code == 302
    assert "login" in response.url


def test_the_agency_page_in_the_admin_shows_its_audit_trail(signed_in, program_specialist):
    client = signed_in(UserFactory())
    from tests.applications.test_agencies import VALID

    client.post(reverse("applications:agency_create"), VALID | {"legal_name": "Audit <b>PD</b>"})
    agency = AuditEvent.objects.get(verb="agency.registered").target
    html = (
        signed_in(program_specialist)
        .get(reverse("admin:applications_agency_change", args=[agency.pk]))
        .text
    )
    assert "agency.registered" in html
    assert "Audit &lt;b&gt;PD&lt;/b&gt;" in html


def test_audit_events_cannot_be_edited_or_deleted(agency, applicant):
    event = AuditEvent.objects.create(
        verb="agency.registered", content_type_id=1, object_id="1", target_repr="x"
    )
    event.message = "tampered"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url_name", ["admin:applications_agency_changelist", "admin:applications_membership_changelist"]
)
def test_admin_lists_cost_the_same_queries_for_5_or_50_rows(signed_in, url_name):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = signed_in(admin)
    url = reverse(url_name)
    MembershipFactory.create_batch(5)
    few = count_queries(client, url)
    MembershipFactory.create_batch(45, status=Membership.Status.PENDING)
    assert count_queries(client, url) == few


def test_a_staff_edit_of_an_agency_in_the_admin_is_an_audit_event(signed_in, program_specialist):
    from tests.applications.test_agencies import VALID

    agency = AgencyFactory(state="IL", ori="IL08401", uei="SPRNGFLDPD26")
    data = {k: v for k, v in VALID.items() if k != "is_authorized_representative"}
    data |= {
        "city": "Capital City",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    response = signed_in(program_specialist).post(
        reverse("admin:applications_agency_change", args=[agency.pk]), data
    )
    assert response.status_code == 302, response.text[:3000]
    event = AuditEvent.objects.for_object(agency).get(verb="agency.updated_by_staff")
    assert event.actor == program_specialist
    assert "city" in event.data["fields"]
