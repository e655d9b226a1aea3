"""Whatever is posted, forms answer with a page (and field errors), never a server error."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications.forms import AGENCY_FIELDS
from applications.models import Agency
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

anything = st.one_of(
    st.text(max_size=400),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(["", " ", "<script>alert(1)</script>", "IL08401", "-1", "1e9", "NaN", "☃"]),
)

fuzz = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def user_client():
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(), backend="django.contrib.auth.backends.ModelBackend")
    return client


@fuzz
@given(data=st.fixed_dictionaries({}, optional={name: anything for name in AGENCY_FIELDS}))
def test_the_agency_form_never_errors_on_any_input(user_client, data):
    response = user_client.post(reverse("applications:agency_create"), data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "There is a problem" in response.text
    Agency.objects.all().delete()


@fuzz
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            name: anything
            for name in ("first_name", "last_name", "email", "password1", "password2")
        },
    )
)
def test_the_registration_form_never_errors_on_any_input(data):
    response = Client(raise_request_exception=False).post(reverse("register"), data)
    assert response.status_code in (200, 302)


@fuzz
@given(identifier=anything)
def test_finding_an_agency_never_errors_on_any_input(user_client, identifier):
    response = user_client.get(reverse("applications:agency_find"), {"identifier": identifier})
    # A NUL character cannot be typed, only put in an address: that is a 400 page
    # (copsgrants.middleware.RejectNulCharactersMiddleware); anything else is the page itself.
    assert response.status_code == (400 if "\x00" in identifier else 200)
