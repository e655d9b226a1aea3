"""Removing a member asks first; staff are sent to their workplace; a malformed agency id is a 404;
emails link back to the site; deadlines, links and spelling read as an American agency expects."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.template import Context, Template
from django.urls import reverse

from applications import services
from applications.models import Application, Membership
from applications.templatetags.deadlines import deadline, eastern, time_left
from copsgrants import roles
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    SolicitationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def remove_url(agency, membership):
    return reverse("applications:membership_remove", args=[agency.pk, membership.pk])


# 7. Removing a member asks first ----------------------------------------------------------------


def test_removing_a_member_first_asks_for_confirmation_and_changes_nothing(
    signed_in, applicant, member, agency
):
    membership = Membership.objects.get(user=member)
    member.first_name, member.last_name = "Casey", "Nguyen"
    member.save()
    response = signed_in(applicant).get(remove_url(agency, membership))
    assert response.status_code == 200
    html = response.text
    assert f"Remove Casey Nguyen from {agency.legal_name}?" in html
    assert "They will lose access to its applications." in html
    assert re.search(
        rf'<form method="post" action="{re.escape(remove_url(agency, membership))}">', html
    )
    assert re.search(r'<button type="submit" class="usa-button[^"]*">Remove</button>', html)
    agency_page = reverse("applications:agency_detail", args=[agency.pk])
    assert f'href="{agency_page}">Cancel</a>' in html
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE


def test_the_agency_page_links_to_the_confirmation_instead_of_removing_at_once(
    signed_in, applicant, member, agency
):
    membership = Membership.objects.get(user=member)
    html = signed_in(applicant).get(reverse("applications:agency_detail", args=[agency.pk])).text
    url = remove_url(agency, membership)
    assert f'<a class="usa-link" href="{url}">Remove from agency' in html
    assert f'action="{url}"' not in html


def test_confirming_removes_the_member(signed_in, applicant, member, agency):
    membership = Membership.objects.get(user=member)
    response = signed_in(applicant).post(remove_url(agency, membership))
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == Membership.Status.REMOVED


def test_removing_yourself_is_worded_for_you(signed_in, applicant, member, agency):
    own = Membership.objects.get(user=applicant)
    html = signed_in(applicant).get(remove_url(agency, own)).text
    assert f"Remove yourself from {agency.legal_name}?" in html


def test_a_plain_member_sees_why_they_cannot_remove_anyone(signed_in, applicant, member, agency):
    own = Membership.objects.get(user=applicant)
    html = signed_in(member).get(remove_url(agency, own)).text
    assert "Only an agency administrator can remove members." in html
    assert ">Remove</button>" not in html


def test_another_agencys_administrator_gets_a_404_for_the_confirmation(
    signed_in, other_agency_applicant, member, agency
):
    membership = Membership.objects.get(user=member)
    response = signed_in(other_agency_applicant).get(remove_url(agency, membership))
    assert response.status_code == 404


def test_there_is_no_confirmation_for_someone_who_is_not_an_active_member(
    signed_in, applicant, agency
):
    pending = MembershipFactory(agency=agency, pending=True)
    assert signed_in(applicant).get(remove_url(agency, pending)).status_code == 404


# 6. Staff are pointed to their workplace --------------------------------------------------------


def test_staff_without_an_agency_see_the_way_to_the_staff_workplace(signed_in):
    staff = UserFactory(roles=[roles.PROGRAM_SPECIALIST])
    html = signed_in(staff).get(reverse("applications:dashboard")).text
    panel = html[html.index('data-testid="staff-panel"') :]
    assert "You are COPS staff: go to the staff workplace" in panel
    assert f'href="{reverse("admin:index")}"' in panel
    assert "You are not part of an agency yet" not in html
    assert "Register an agency" not in html


def test_applicants_see_no_staff_panel(signed_in, applicant):
    html = signed_in(applicant).get(reverse("applications:dashboard")).text
    assert 'data-testid="staff-panel"' not in html


def test_staff_who_also_belong_to_an_agency_see_their_applicant_dashboard(signed_in, agency):
    staff = UserFactory(roles=[roles.PROGRAM_SPECIALIST])
    MembershipFactory(user=staff, agency=agency)
    html = signed_in(staff).get(reverse("applications:dashboard")).text
    assert 'data-testid="staff-panel"' not in html
    assert agency.legal_name in html


# 8. A malformed agency id ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "", "1.0", "-1", " 1", "9" * 30, "\u0661"])
def test_starting_with_a_malformed_agency_id_is_a_404(signed_in, applicant, value):
    solicitation = SolicitationFactory()
    response = signed_in(applicant).post(
        reverse("applications:application_start", args=[solicitation.pk]), {"agency": value}
    )
    assert response.status_code == 404
    assert not Application.objects.exists()


# 5. Email links, deadlines, wording -------------------------------------------------------------


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    def run(action, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(**kwargs)

    return run


def test_the_receipt_and_the_corrections_email_link_to_the_application(
    settings, sent, applicant, agency, program_specialist
):
    settings.SITE_URL = "https://grants.example.gov/"
    application = ApplicationFactory(agency=agency, complete=True)
    sent(
        services.submit_application,
        application=application, by=applicant, certified_name=applicant.get_full_name(),
    )  # fmt: skip
    sent(
        services.return_application,
        application=application, by=program_specialist, reason="Attach the ordinance.",
    )  # fmt: skip
    link = f"https://grants.example.gov/applications/{application.pk}/"
    receipt, returned = mail.outbox[-2:]
    assert "Received" in receipt.subject and link in receipt.body
    assert "Corrections needed" in returned.subject and link in returned.body
    assert f'href="{link}"' in returned.alternatives[0][0]


def test_without_site_url_links_point_at_the_local_server(settings, monkeypatch):
    # The default of the SITE_URL setting is make run's address.
    assert "SITE_URL" not in __import__("os").environ
    assert settings.SITE_URL == "http://127.0.0.1:8000"
    text = Template('{% load application_links %}{% absolute_url "applications:dashboard" %}')
    assert text.render(Context()) == "http://127.0.0.1:8000/dashboard/"


def test_the_receipt_counts_one_sro_in_the_singular(sent, applicant, agency):
    application = ApplicationFactory(agency=agency, complete=True, sro_positions=1)
    sent(
        services.submit_application,
        application=application, by=applicant, certified_name=applicant.get_full_name(),
    )  # fmt: skip
    assert "(1 as School Resource Officer)" in mail.outbox[-1].body


@pytest.mark.parametrize(
    ("left", "expected"),
    [
        (timedelta(days=58, hours=3), "in 58 days"),
        (timedelta(days=1, hours=23), "in 1 day"),
        (timedelta(hours=5, minutes=59), "in 5 hours"),
        (timedelta(hours=1), "in 1 hour"),
        (timedelta(minutes=12, seconds=30), "in 12 minutes"),
        (timedelta(seconds=59), "in less than a minute"),
        (timedelta(0), "closed"),
        (-timedelta(days=3), "closed"),
    ],
)
def test_time_left_says_whole_units_rounded_down(left, expected):
    now = datetime(2027, 1, 4, 12, 0, tzinfo=UTC)
    assert time_left(now + left, now) == expected


def test_deadlines_are_written_in_eastern_time_with_the_time_left(time_machine):
    time_machine.move_to(datetime(2027, 1, 4, 18, 59, tzinfo=UTC), tick=False)
    closes = datetime(2027, 3, 3, 21, 59, tzinfo=UTC)
    assert eastern(closes) == "March 3, 2027 at 4:59 PM EST"
    assert eastern(datetime(2027, 7, 1, 16, 0, tzinfo=UTC)) == "July 1, 2027 at 12:00 PM EDT"
    assert deadline(closes) == "March 3, 2027 at 4:59 PM EST (in 58 days)"


def test_the_dashboard_states_an_open_solicitations_deadline_plainly(signed_in, applicant):
    SolicitationFactory(closes_at=datetime(2040, 3, 3, 21, 59, tzinfo=UTC))
    html = signed_in(applicant).get(reverse("applications:dashboard")).text
    assert re.search(r"Deadline: March 3, 2040 at 4:59 PM EST \(in \d+ days\)", html)
    assert "from now" not in html


OWN_TEMPLATES = [
    path
    for folder in ("templates/applications", "templates/registration")
    for path in sorted((ROOT / folder).rglob("*.html"))
    if path.name not in {"_budget.html", "locked_out.html"}  # other owners
]


@pytest.mark.parametrize("path", OWN_TEMPLATES, ids=lambda path: path.name)
def test_every_link_is_styled_as_a_link_or_a_button(path):
    for tag in re.findall(r"<a\b[^>]*>", path.read_text()):
        assert re.search(r'class="[^"]*\b(usa-link|usa-button)\b', tag), f"{path.name}: {tag}"


BRITISH = re.compile(
    r"\b(analys(e|ed|es|ing)|organis(e|ed|es|ing|ations?)|(recogn|author|priorit|summar)is\w*"
    r"|\w*(behaviour|colour|favour|honour|labour|neighbour)\w*|centres?|licence|catalogue"
    r"|programme|judgement|enrolment)\b",
    re.IGNORECASE,
)
OWN_FILES = [
    *OWN_TEMPLATES,
    *sorted((ROOT / "templates/applications/email").glob("*.txt")),
    *sorted((ROOT / "templates/uswds").rglob("*.html")),
    *(ROOT / "applications" / name for name in ("views.py", "forms.py", "sections.py", "urls.py")),
    *sorted((ROOT / "applications/templatetags").glob("*.py")),
]


@pytest.mark.parametrize("path", OWN_FILES, ids=lambda path: path.name)
def test_wording_uses_american_spelling(path):
    assert [m.group(0) for m in BRITISH.finditer(path.read_text())] == []


def test_no_page_says_position_s_or_similar():
    for path in OWN_FILES:
        assert not re.search(r"\w\(s\)", path.read_text()), path.name


def test_the_remove_page_says_up_front_that_the_only_administrator_cannot_be_removed(
    signed_in, applicant, agency
):
    own = Membership.objects.get(user=applicant, agency=agency)
    html = (
        signed_in(applicant)
        .get(reverse("applications:membership_remove", args=[agency.pk, own.pk]))
        .text
    )
    assert "cannot remove the agency&#x27;s only administrator" in html
    assert 'data-testid="remove-reason"' in html
    assert 'type="submit"' not in html.split('id="main-content"')[1].split("</main>")[0]
