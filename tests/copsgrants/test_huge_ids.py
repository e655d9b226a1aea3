import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HUGE = 99999999999999999999999


@pytest.mark.parametrize(
    "url",
    [
        reverse("applications:agency_detail", args=[HUGE]),
        reverse("applications:application_overview", args=[HUGE]),
        reverse("applications:application_section", args=[HUGE, "officers"]),
        reverse("applications:solicitation_detail", args=[HUGE]),
    ],
)
def test_an_id_beyond_the_database_integer_range_is_a_404(signed_in, applicant, url):
    assert signed_in(applicant).get(url).status_code == 404
