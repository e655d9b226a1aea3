"""Who reaches which training page: another agency's officers and enrollments are 404s, the
anonymous are sent to sign in, and an agency that may not train is told why."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory
from training.models import Enrollment, Officer

from .helpers import (
    add_officers,
    eligible,
    enrollment,
    make_session,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sro(agency, applicant):
    """The `agency` fixture with an accepted SRO award; `applicant` is its member."""
    eligible(agency)
    return agency


@pytest.fixture
def theirs(other_agency, other_agency_applicant):
    """Another eligible agency's officer with an upcoming seat."""
    eligible(other_agency)
    officer = add_officers(other_agency, 1, prefix="Theirs")[0]
    seat = enrollment(make_session(), officer, Enrollment.Status.ENROLLED)
    return officer, seat


def object_urls(officer: Officer, seat: Enrollment) -> list[str]:
    return [
        reverse("training:officer_detail", args=[officer.pk]),
        reverse("training:officer_edit", args=[officer.pk]),
        reverse("training:officer_remove", args=[officer.pk]),
        reverse("training:enrollment_cancel", args=[seat.pk]),
    ]


def test_another_agencys_officer_and_enrollment_are_not_found(signed_in, applicant, sro, theirs):
    client = signed_in(applicant)
    officer, seat = theirs
    for url in object_urls(officer, seat):
        assert client.get(url).status_code == 404, url
        assert (
            client.post(url, {"first_name": "X", "last_name": "Y", "role": "sro"}).status_code
            == 404
        ), url
    officer.refresh_from_db()
    seat.refresh_from_db()
    assert officer.is_active and officer.first_name == "Theirs"
    assert seat.status == Enrollment.Status.ENROLLED


def test_asking_for_another_agency_by_id_is_not_found(signed_in, applicant, sro, theirs):
    client = signed_in(applicant)
    other = theirs[0].agency
    session = theirs[1].session
    for url in (
        reverse("training:catalogue"),
        reverse("training:roster"),
        reverse("training:officer_add"),
        reverse("training:session_detail", args=[session.pk]),
    ):
        assert client.get(url, {"agency": other.pk}).status_code == 404, url
    for junk in ("abc", "²", "-1", "99999999999999999999"):
        assert client.get(reverse("training:catalogue"), {"agency": junk}).status_code == 404


def test_enrolling_another_agencys_officer_is_impossible(signed_in, applicant, sro, theirs):
    officer = theirs[0]
    session = make_session()
    response = signed_in(applicant).post(
        reverse("training:session_detail", args=[session.pk]), {f"officer_{officer.pk}": "on"}
    )
    # The form offers only the agency's own officers: the foreign field is ignored.
    assert response.status_code == 400
    assert not session.enrollments.exists()


def test_a_removed_agency_member_reaches_nothing(signed_in, sro):
    membership = MembershipFactory(agency=sro)
    officer = add_officers(sro, 1)[0]
    seat = enrollment(make_session(), officer, Enrollment.Status.ENROLLED)
    membership.status = membership.Status.REMOVED
    membership.save()
    client = signed_in(membership.user)
    for url in object_urls(officer, seat):
        assert client.get(url).status_code == 404, url


def test_the_anonymous_are_sent_to_sign_in(client, sro):
    officer = add_officers(sro, 1)[0]
    session = make_session()
    seat = enrollment(session, officer, Enrollment.Status.ENROLLED)
    urls = [
        reverse("training:catalogue"),
        reverse("training:roster"),
        reverse("training:officer_add"),
        reverse("training:session_detail", args=[session.pk]),
        *object_urls(officer, seat),
    ]
    for url in urls:
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("login")), url
    seat.refresh_from_db()
    assert seat.status == Enrollment.Status.ENROLLED


@pytest.mark.parametrize("award", ["none", "non_sro", "offered"])
def test_an_agency_that_may_not_train_is_told_why(signed_in, applicant, agency, award):
    if award == "non_sro":
        eligible(agency, is_sro=False)
    elif award == "offered":
        eligible(agency, status="offered")
    session = make_session()
    client = signed_in(applicant)
    for url in (
        reverse("training:catalogue"),
        reverse("training:roster"),
        reverse("training:officer_add"),
        reverse("training:session_detail", args=[session.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.text
        assert "cannot enroll officers in NASRO training yet" in text
        assert "accepted CHP School Resource Officer (SRO) award" in text
        if award == "offered":
            assert "Accept your SRO award first." in text
    response = client.post(
        reverse("training:officer_add"), {"first_name": "A", "last_name": "B", "role": "sro"}
    )
    assert response.status_code == 200
    assert not Officer.objects.filter(agency=agency).exists()


def test_a_user_of_several_agencies_chooses_one(signed_in, applicant, sro, other_agency):
    MembershipFactory(agency=other_agency, user=applicant)
    client = signed_in(applicant)
    response = client.get(reverse("training:roster"))
    assert response.status_code == 200
    assert "Which agency are you working for?" in response.text
    assert f"?agency={sro.pk}" in response.text
    response = client.get(reverse("training:roster"), {"agency": sro.pk})
    assert "Officer roster" in response.text
    assert "cannot enroll" not in response.text
    response = client.get(reverse("training:roster"), {"agency": other_agency.pk})
    assert "cannot enroll officers in NASRO training yet" in response.text


def test_a_user_of_no_agency_is_pointed_to_joining_one(signed_in, member, other_agency):
    from tests.factories import UserFactory

    response = signed_in(UserFactory()).get(reverse("training:catalogue"))
    assert response.status_code == 200
    assert "You are not part of an agency yet" in response.text
