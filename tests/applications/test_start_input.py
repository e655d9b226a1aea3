import pytest
from django.urls import reverse

from applications.models import Application
from tests.factories import SolicitationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("agency_value", ["", "abc", "1.5", "-1", "99999999999999999999", "<b>"])
def test_starting_with_a_malformed_agency_is_a_404_not_a_crash(signed_in, applicant, agency_value):
    solicitation = SolicitationFactory()
    response = signed_in(applicant).post(
        reverse("applications:application_start", args=[solicitation.pk]),
        {"agency": agency_value},
    )
    assert response.status_code == 404
    assert not Application.objects.exists()
