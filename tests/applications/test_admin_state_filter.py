"""The admin lists' state filter offers exactly the states a DISTINCT over every row gives,
asked state by state (`used_states`), on the application, membership and agency lists."""

import pytest

from applications.admin.common import used_states
from applications.models import Agency, Application, Membership
from tests.factories import AgencyFactory, ApplicationFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def distinct(model, field: str) -> set[str]:
    return set(model.objects.order_by().values_list(field, flat=True).distinct())


def test_no_rows_means_no_states():
    AgencyFactory(state="TX")
    assert used_states(Application, "agency__state") == set()
    assert used_states(Membership, "agency__state") == set()
    assert used_states(Agency, "state") == {"TX"}


def test_the_states_are_those_a_distinct_over_every_row_gives():
    agencies = {state: AgencyFactory(state=state) for state in ("WY", "PR", "GU", "IL", "TX")}
    for state in ("WY", "WY", "PR", "GU"):  # repeats, territories, and agencies without rows
        ApplicationFactory(agency=agencies[state])
    MembershipFactory(agency=agencies["IL"])
    for model, field in (
        (Application, "agency__state"),
        (Membership, "agency__state"),
        (Agency, "state"),
    ):
        assert used_states(model, field) == distinct(model, field), (model, field)
    assert used_states(Application, "agency__state") == {"WY", "PR", "GU"}


def test_a_state_change_shows_on_the_next_request():
    application = ApplicationFactory(agency=AgencyFactory(state="WY"))
    assert used_states(Application, "agency__state") == {"WY"}
    Agency.objects.filter(pk=application.agency_id).update(state="MT")
    assert used_states(Application, "agency__state") == {"MT"}
