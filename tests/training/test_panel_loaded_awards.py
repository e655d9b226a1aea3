"""The dashboard's training panel asks no query of its own: the dashboard has loaded the agencies'
awards (prefetch_related "awards"), and `eligible_among` reads them with the same rule as its
query (an accepted SRO award), which it still asks when the awards are not loaded."""

from __future__ import annotations

import pytest
from django.db.models import prefetch_related_objects

from applications.models import Agency, Award
from tests import factories as make
from tests.applications.acceptance_helpers import offered_award
from training.services.roster import eligible_among

pytestmark = pytest.mark.django_db


def agency_with(status: str | None, *, is_sro: bool = True) -> Agency:
    agency = make.AgencyFactory()
    if status is not None:
        award = offered_award(agency, is_sro=is_sro, letter=False)
        Award.objects.filter(pk=award.pk).update(status=status)
    return agency


@pytest.fixture
def agencies() -> list[Agency]:
    accepted, offered = Award.Status.ACCEPTED, Award.Status.OFFERED
    return [
        agency_with(accepted),
        agency_with(offered),
        agency_with(accepted, is_sro=False),
        agency_with(None),
        agency_with(accepted),
    ]


def test_loaded_awards_give_the_same_agencies_as_the_query_and_cost_none(
    agencies, django_assert_num_queries
):
    asked = eligible_among(agencies)
    assert [a.pk for a in asked] == [agencies[0].pk, agencies[4].pk]

    fresh = list(Agency.objects.filter(pk__in=[a.pk for a in agencies]).order_by("pk"))
    prefetch_related_objects(fresh, "awards")
    with django_assert_num_queries(0):
        loaded = eligible_among(fresh)
    assert [a.pk for a in loaded] == [a.pk for a in asked]


def test_without_loaded_awards_it_asks_one_query(agencies, django_assert_num_queries):
    with django_assert_num_queries(1):
        eligible_among(agencies)
    half = list(Agency.objects.filter(pk__in=[a.pk for a in agencies[:2]]))
    prefetch_related_objects(half, "awards")
    with django_assert_num_queries(1):  # one agency without: the query for all
        assert len(eligible_among([*half, agencies[4]])) == 2
