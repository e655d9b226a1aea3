"""COPS staff work on applications in the admin: find them, read every answer (never edit), and
return submitted ones to the agency for corrections."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, ReviewAssignment
from applications.sections import SECTIONS
from copsgrants import roles
from copsgrants.audit import record
from copsgrants.models import AuditEvent
from tests.factories import (
    AgencyFactory,
    ApplicationFactory,
    MembershipFactory,
    SolicitationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:applications_application_changelist"


def change_url(application: Application) -> str:
    return reverse("admin:applications_application_change", args=[application.pk])


@pytest.fixture
def solicitation(db):
    return SolicitationFactory(code="O-COPS-2026-CHP")


@pytest.fixture
def submitted(agency, applicant, member, solicitation):
    """Springfield's submitted application; `applicant` and `member` are its active members."""
    return ApplicationFactory(
        agency=agency, solicitation=solicitation, submitted=True, tracking_number="CHP26-000101"
    )


@pytest.fixture
def three_applications(submitted, other_agency, solicitation):
    """Springfield (IL) submitted with SROs; Riverton (WY) draft without SROs on another
    solicitation; Lakeside (OH) returned, SRO question unanswered."""
    riverton = ApplicationFactory(
        agency=other_agency,
        solicitation=SolicitationFactory(code="O-COPS-2025-CHP", fiscal_year=2025),
        sro_commitment=False,
    )
    lakeside = ApplicationFactory(
        agency=AgencyFactory(legal_name="Lakeside Police Department", state="OH", ori="OH01807",
                             uei="LKSDPD2026OH"),
        solicitation=solicitation,
        status=Application.Status.RETURNED,
        tracking_number="CHP26-000303",
        returned_reason="Fix the retention plan.",
    )  # fmt: skip
    return submitted, riverton, lakeside


def rows(client, **params) -> set[int]:
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200  # an unknown filter would redirect with ?e=1
    return {application.pk for application in response.context["cl"].result_list}


# The list --------------------------------------------------------------------------------------


def test_the_application_list_offers_filters_by_status_solicitation_state_and_sro(
    signed_in, program_specialist, three_applications
):
    html = signed_in(program_specialist).get(reverse(CHANGELIST)).text
    for title in (
        "By solicitation",
        "By status",
        "By state",
        "By SRO commitment",
    ):
        assert title in html  # fmt: skip
    for link in ("status__exact=returned", "sro_commitment__exact=1"):
        assert link in html
    # States are a dropdown of the states that have applications.
    assert '<select name="agency__state"' in html
    assert '<option value="WY">Wyoming (WY)</option>' in html
    assert 'value="TX"' not in html
    assert "CHP26-000101" in html and "CHP26-000303" in html
    assert "Springfield Police Department" in html


def test_each_filter_returns_the_right_applications(
    signed_in, program_specialist, three_applications
):
    springfield, riverton, lakeside = three_applications
    client = signed_in(program_specialist)
    assert rows(client) == {springfield.pk, riverton.pk, lakeside.pk}
    assert rows(client, status__exact="submitted") == {springfield.pk}
    assert rows(client, status__exact="draft") == {riverton.pk}
    assert rows(client, status__exact="returned") == {lakeside.pk}
    assert rows(client, solicitation__id__exact=springfield.solicitation_id) == {
        springfield.pk, lakeside.pk
    }  # fmt: skip
    assert rows(client, solicitation__id__exact=riverton.solicitation_id) == {riverton.pk}
    assert rows(client, agency__state="WY") == {riverton.pk}
    assert rows(client, agency__state="IL") == {springfield.pk}
    assert rows(client, agency__state="") == {springfield.pk, riverton.pk, lakeside.pk}
    assert rows(client, agency__state__exact="WY") == {riverton.pk}  # older links still work
    assert rows(client, sro_commitment__exact="1") == {springfield.pk}
    assert rows(client, sro_commitment__exact="0") == {riverton.pk}
    assert rows(client, sro_commitment__isnull="True") == {lakeside.pk}
    assert rows(client, status__exact="returned", agency__state="IL") == set()


@pytest.mark.parametrize(
    ("term", "agency_name"),
    [
        ("springfield", "Springfield"),
        ("Riverton County", "Riverton"),
        ("IL08401", "Springfield"),
        ("oh01807", "Lakeside"),
        ("LKSDPD2026OH", "Lakeside"),
        ("CHP26-000101", "Springfield"),
        ("CHP26-000303", "Lakeside"),
    ],
)
def test_search_by_agency_name_ori_uei_or_tracking_number(
    signed_in, program_specialist, three_applications, term, agency_name
):
    by_name = {a.agency.legal_name.split()[0]: a.pk for a in three_applications}
    assert rows(signed_in(program_specialist), q=term) == {by_name[agency_name]}


def test_search_by_the_uei_of_a_fixture_agency(signed_in, program_specialist, three_applications):
    springfield = three_applications[0]
    assert rows(signed_in(program_specialist), q=springfield.agency.uei) == {springfield.pk}
    assert rows(signed_in(program_specialist), q="NOSUCHAGENCY") == set()


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_application_list_costs_the_same_queries_for_3_or_30_rows(signed_in):
    client = signed_in(UserFactory(is_staff=True, is_superuser=True))
    url = reverse(CHANGELIST)
    ApplicationFactory.create_batch(2, submitted=True)
    ApplicationFactory(sro_commitment=False)
    few = count_queries(client, url)
    ApplicationFactory.create_batch(20, submitted=True)
    ApplicationFactory.create_batch(7, status=Application.Status.RETURNED)
    assert Application.objects.count() == 30
    assert count_queries(client, url) == few


# The detail page -------------------------------------------------------------------------------


def test_the_application_page_shows_every_section_and_the_audit_trail(
    signed_in, program_specialist, submitted, applicant
):
    record(verb="application.submitted", target=submitted, actor=applicant, message="via test")
    response = signed_in(program_specialist).get(change_url(submitted))
    assert response.status_code == 200
    html = response.text
    for section in SECTIONS:
        assert f"<h3>{section.number}. {section.title}</h3>" in html
    assert submitted.cp_problem in html
    assert "General fund appropriation approved by the city council." in html
    assert "School partner: Springfield School District 186" in html
    assert submitted.agency.le_executive_name in html
    assert "3 positions" in html
    assert "application.submitted" in html and "via test" in html
    assert str(applicant) in html  # the actor


def test_the_application_page_is_read_only(signed_in, program_specialist, submitted):
    client = signed_in(program_specialist)
    html = client.get(change_url(submitted)).text
    assert 'name="cp_problem"' not in html
    assert 'name="_save"' not in html
    response = client.post(change_url(submitted), {"cp_problem": "Changed by staff", "_save": "1"})
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.cp_problem != "Changed by staff"
    add = client.get(reverse("admin:applications_application_add"))
    delete = client.post(
        reverse("admin:applications_application_delete", args=[submitted.pk]), {"post": "yes"}
    )
    assert (add.status_code, delete.status_code) == (403, 403)
    assert Application.objects.filter(pk=submitted.pk).exists()


def test_html_in_an_answer_is_escaped_in_the_admin(signed_in, program_specialist, submitted):
    Application.objects.filter(pk=submitted.pk).update(cp_problem="<b>bold</b><script>x</script>")
    html = signed_in(program_specialist).get(change_url(submitted)).text
    assert "&lt;b&gt;bold&lt;/b&gt;&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>x</script>" not in html
    assert "<b>bold</b>" not in html


# Return for corrections ------------------------------------------------------------------------


def choose_return(client, *applications):
    """Tick applications in the list and run "Return for corrections"."""
    return client.post(
        reverse(CHANGELIST),
        {
            "action": "return_for_corrections",
            "index": "0",
            "_selected_action": [a.pk for a in applications],
        },
    )


def confirm_return(client, reason, *applications, follow=False):
    """What the intermediate page posts."""
    return client.post(
        reverse(CHANGELIST),
        {
            "action": "return_for_corrections",
            "_selected_action": [a.pk for a in applications],
            "apply": "Return for corrections",
            "reason": reason,
        },
        follow=follow,
    )


def assert_unchanged(application: Application, status=Application.Status.SUBMITTED) -> None:
    application.refresh_from_db()
    assert application.status == status
    assert application.returned_reason == ""
    assert not AuditEvent.objects.filter(verb="application.returned").exists()
    assert mail.outbox == []


def test_returning_asks_for_the_reason_on_an_intermediate_page(
    signed_in, program_specialist, submitted
):
    response = choose_return(signed_in(program_specialist), submitted)
    assert response.status_code == 200
    assert response.templates[0].name == (
        "admin/applications/application/return_for_corrections.html"
    )
    html = response.text
    assert "What must the agency correct?" in html
    assert "CHP26-000101: Springfield Police Department" in html
    assert f'name="_selected_action" value="{submitted.pk}"' in html
    assert 'name="apply"' in html
    assert_unchanged(submitted)


@pytest.mark.parametrize("reason", ["", "   \n  "])
def test_returning_without_a_reason_shows_an_error_and_changes_nothing(
    signed_in, program_specialist, submitted, django_capture_on_commit_callbacks, reason
):
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm_return(signed_in(program_specialist), reason, submitted)
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert "What must the agency correct?" in response.text
    assert_unchanged(submitted)


def test_returning_with_a_reason_unlocks_it_records_it_and_emails_the_agency(
    signed_in, program_specialist, submitted, applicant, member, agency,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    pending = MembershipFactory(agency=agency, pending=True).user
    outsider = MembershipFactory().user  # active in another agency
    reason = "Section 8: the retention plan must name the funding source for year 4."
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm_return(signed_in(program_specialist), reason, submitted, follow=True)
    assert response.status_code == 200
    assert "Returned 1 application for corrections." in response.text

    submitted.refresh_from_db()
    assert submitted.status == Application.Status.RETURNED
    assert submitted.returned_reason == reason
    event = AuditEvent.objects.get(verb="application.returned")
    assert event.target == submitted
    assert event.actor == program_specialist
    assert event.message == reason

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert sorted(email.to) == sorted([applicant.email, member.email])
    assert pending.email not in email.to and outsider.email not in email.to
    assert "CHP26-000101" in email.subject
    assert reason in email.body
    assert "Springfield Police Department" in email.body


def test_returning_several_applications_returns_each(
    signed_in, program_specialist, submitted, other_agency_applicant, other_agency, solicitation,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    riverton = ApplicationFactory(agency=other_agency, solicitation=solicitation, submitted=True)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_return(signed_in(program_specialist), "Check the budget.", submitted, riverton)
    for application in (submitted, riverton):
        application.refresh_from_db()
        assert application.status == Application.Status.RETURNED
    assert AuditEvent.objects.filter(verb="application.returned").count() == 2
    assert sorted(len(m.to) for m in mail.outbox) == [1, 2]
    riverton_mail = next(m for m in mail.outbox if other_agency_applicant.email in m.to)
    assert "Check the budget." in riverton_mail.body


def test_the_reason_reaches_the_agency_exactly_as_typed(
    signed_in, program_specialist, other_agency_applicant, other_agency, solicitation,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    application = ApplicationFactory(agency=other_agency, solicitation=solicitation, submitted=True)
    reason = "The retention plan doesn't name the year-4 source & amount (<$50,000?)."
    with django_capture_on_commit_callbacks(execute=True):
        confirm_return(signed_in(program_specialist), reason, application)
    application.refresh_from_db()
    assert application.returned_reason == reason  # stored as typed
    body = mail.outbox[0].body
    assert reason in body
    assert "Riverton County Sheriff's Office" in body


def test_html_in_the_reason_is_escaped_in_the_admin(
    signed_in, program_specialist, submitted, django_capture_on_commit_callbacks
):
    client = signed_in(program_specialist)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_return(client, "Fix <script>alert(1)</script> now", submitted)
    html = client.get(change_url(submitted)).text
    assert "<script>alert(1)</script>" not in html
    assert "Fix &lt;script&gt;alert(1)&lt;/script&gt; now" in html  # reason and audit trail


@pytest.mark.parametrize(
    "status",
    [Application.Status.DRAFT, Application.Status.RETURNED, Application.Status.WITHDRAWN],
)
def test_only_submitted_applications_can_be_returned(
    signed_in, program_specialist, agency, solicitation, status,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    application = ApplicationFactory(agency=agency, solicitation=solicitation, status=status)
    client = signed_in(program_specialist)
    with django_capture_on_commit_callbacks(execute=True):
        response = choose_return(client, application)
        assert response.status_code == 302
        assert "Only submitted applications can be returned" in client.get(response.url).text
        response = confirm_return(client, "Please fix.", application)
        assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == status
    assert application.returned_reason == ""
    assert not AuditEvent.objects.filter(verb="application.returned").exists()
    assert mail.outbox == []


def test_a_draft_among_the_selection_stops_the_whole_return(
    signed_in, program_specialist, submitted, other_agency, solicitation,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    draft = ApplicationFactory(agency=other_agency, solicitation=solicitation)
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm_return(
            signed_in(program_specialist), "Please fix.", submitted, draft, follow=True
        )
    assert "Only submitted applications can be returned. Deselect: Riverton" in response.text
    assert_unchanged(submitted)
    draft.refresh_from_db()
    assert draft.status == Application.Status.DRAFT


def test_a_reviewer_does_not_get_the_return_action(
    signed_in, reviewer, submitted, django_capture_on_commit_callbacks
):
    # Reviewers see only the applications assigned to them, once certified free of conflict.
    ReviewAssignment.objects.create(
        application=submitted, reviewer=reviewer, coi_certified_at=timezone.now()
    )
    client = signed_in(reviewer)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert "CHP26-000101" in response.text
    assert "return_for_corrections" not in response.text
    assert client.get(change_url(submitted)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = choose_return(client, submitted)
        assert "What must the agency correct?" not in response.text
        confirm_return(client, "Sneaky return.", submitted)
    assert_unchanged(submitted)


# Staff groups ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "can_return"),
    [(roles.REVIEWER, False), (roles.PROGRAM_SPECIALIST, True), (roles.GRANTS_MANAGER, True),
     (roles.TRAINING_COORDINATOR, False)],
)  # fmt: skip
def test_which_staff_roles_can_view_and_return_applications(
    signed_in, submitted, role, can_return, django_capture_on_commit_callbacks
):
    user = UserFactory(roles=[role])
    assert Group.objects.get(name=role) in user.groups.all()
    can_view = role != roles.TRAINING_COORDINATOR
    assert user.has_perm("applications.view_application") is can_view
    assert user.has_perm("applications.return_application") is can_return
    assert not user.has_perm("applications.change_application")
    client = signed_in(user)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == (200 if can_view else 403)
    assert ('value="return_for_corrections"' in response.text) is can_return
    with django_capture_on_commit_callbacks(execute=True):
        confirm_return(client, "Please fix the budget.", submitted)
    submitted.refresh_from_db()
    expected = Application.Status.RETURNED if can_return else Application.Status.SUBMITTED
    assert submitted.status == expected
    assert len(mail.outbox) == (1 if can_return else 0)
