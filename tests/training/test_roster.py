"""An eligible agency's officer roster: hires reported under accepted SRO awards join it, members
add, correct and remove officers, and each officer's completed hours add up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import Award
from copsgrants.audit import AuditEvent
from tests.training.helpers import add_hire, add_officers, eligible, enrollment, make_session
from training import services
from training.models import Enrollment, Officer

pytestmark = pytest.mark.django_db


def verbs(obj):
    return list(AuditEvent.objects.for_object(obj).order_by("pk").values_list("verb", flat=True))


def test_sync_adds_the_hires_of_accepted_sro_awards_once(agency, applicant):
    sro = eligible(agency)
    non_sro = eligible(agency, is_sro=False)
    offered = eligible(agency, status=Award.Status.OFFERED)
    hire = add_hire(sro, first_name="Dana", last_name="Reyes", email="Dana.Reyes@PD.example",
                    badge_number="  B 77 ")  # fmt: skip
    add_hire(non_sro, first_name="Not", last_name="Sro")
    add_hire(offered, first_name="Not", last_name="Accepted")

    assert services.sync_roster(agency) == 1
    assert services.sync_roster(agency) == 0
    [officer] = Officer.objects.filter(agency=agency)
    assert (officer.hire, officer.name, officer.email, officer.badge_number, officer.role) == (
        hire, "Dana Reyes", "dana.reyes@pd.example", "B 77", Officer.Role.SRO,
    )  # fmt: skip
    assert verbs(officer) == ["training.officer_added"]


def test_sync_links_a_hire_to_the_officer_already_added_with_the_same_badge(agency, applicant):
    award = eligible(agency)
    added = services.add_officer(agency=agency, by=applicant, first_name="Dana",
                                 last_name="Reyes", badge_number="B77", role="sro")  # fmt: skip
    hire = add_hire(award, badge_number="B77")
    assert services.sync_roster(agency) == 0
    added.refresh_from_db()
    assert added.hire == hire
    assert Officer.objects.filter(agency=agency).count() == 1


def test_a_member_adds_and_corrects_an_officer_with_audit_events(sro_agency, applicant):
    officer = services.add_officer(agency=sro_agency, by=applicant, first_name="  Sam ",
                                   last_name="Ortiz", email="SAM@pd.example",
                                   badge_number="4411", role=Officer.Role.SUPERVISOR)  # fmt: skip
    assert (officer.name, officer.email, officer.created_by) == (
        "Sam Ortiz", "sam@pd.example", applicant,
    )  # fmt: skip
    services.update_officer(officer=officer, by=applicant, last_name="Ortiz-Lee", role="patrol")
    officer.refresh_from_db()
    assert (officer.last_name, officer.role) == ("Ortiz-Lee", Officer.Role.PATROL)
    assert verbs(officer) == ["training.officer_added", "training.officer_updated"]
    event = AuditEvent.objects.for_object(officer).get(verb="training.officer_updated")
    assert event.data["before"] == {"last_name": "Ortiz", "role": "supervisor"}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"first_name": " ", "last_name": "X"}, "first and last name"),
        ({"first_name": "A", "last_name": "B", "email": "not-an-email"}, "not a valid email"),
        ({"first_name": "A", "last_name": "B", "role": "chief"}, "Choose the officer's role"),
        ({"first_name": "A", "last_name": "B", "badge_number": "X" * 33}, "at most 32"),
    ],
)
def test_bad_officer_details_are_refused_with_a_reason(sro_agency, applicant, fields, message):
    fields.setdefault("role", "sro")
    with pytest.raises(services.TrainingError, match=message):
        services.add_officer(agency=sro_agency, by=applicant, **fields)
    assert not Officer.objects.exists()


def test_badge_numbers_are_unique_within_an_agency(sro_agency, applicant):
    first, second = add_officers(sro_agency, 2)
    with pytest.raises(services.TrainingError, match=f"badge or ID number {first.badge_number}"):
        services.add_officer(agency=sro_agency, by=applicant, first_name="A", last_name="B",
                             badge_number=first.badge_number, role="sro")  # fmt: skip
    with pytest.raises(services.TrainingError, match="Another officer"):
        services.update_officer(officer=second, by=applicant, badge_number=first.badge_number)
    with pytest.raises(services.TrainingError, match="cannot be changed: agency"):
        services.update_officer(officer=second, by=applicant, agency=None)


def test_only_members_of_an_eligible_agency_keep_its_roster(
    agency, applicant, other_agency_applicant
):
    with pytest.raises(services.TrainingError, match="accepted CHP School Resource Officer"):
        services.add_officer(agency=agency, by=applicant, first_name="A", last_name="B",
                             role="sro")  # fmt: skip
    eligible(agency)
    with pytest.raises(services.TrainingError, match="not a member"):
        services.add_officer(agency=agency, by=other_agency_applicant, first_name="A",
                             last_name="B", role="sro")  # fmt: skip
    officer = add_officers(agency, 1)[0]
    with pytest.raises(services.TrainingError, match="not a member"):
        services.update_officer(officer=officer, by=other_agency_applicant, first_name="Z")
    with pytest.raises(services.TrainingError, match="not a member"):
        services.remove_officer(officer=officer, by=other_agency_applicant)
    officer.refresh_from_db()
    assert officer.is_active and officer.first_name == "Officer"


def test_an_officer_with_an_upcoming_place_cannot_be_removed_until_it_is_cancelled(
    sro_agency, applicant
):
    officer = add_officers(sro_agency, 1)[0]
    [seat] = services.enroll(session=make_session(), officers=[officer], by=applicant)
    with pytest.raises(services.TrainingError, match="Cancel it before removing"):
        services.remove_officer(officer=officer, by=applicant)
    services.cancel_enrollment(enrollment=seat, by=applicant)
    services.remove_officer(officer=officer, by=applicant)
    officer.refresh_from_db()
    assert officer.is_active is False
    assert verbs(officer)[-1] == "training.officer_removed"
    with pytest.raises(services.TrainingError, match="not on the roster"):
        services.remove_officer(officer=officer, by=applicant)


def test_officer_hours_add_up_completed_courses_only(sro_agency):
    officer = add_officers(sro_agency, 1)[0]
    past = {"starts_on": timezone.localdate() - timedelta(days=90),
            "opens_at": timezone.now() - timedelta(days=150),
            "closes_at": timezone.now() - timedelta(days=100)}  # fmt: skip
    enrollment(make_session("basic-sro", **past), officer, Enrollment.Status.COMPLETED)
    enrollment(make_session("cpted", **past), officer, Enrollment.Status.COMPLETED)
    enrollment(make_session("adolescent-mental-health", **past), officer, Enrollment.Status.NO_SHOW)
    enrollment(make_session("sro-supervisors"), officer, Enrollment.Status.ENROLLED)
    assert services.officer_hours(officer) == 40 + 16
    assert services.officer_hours(add_officers(sro_agency, 1)[0]) == 0
