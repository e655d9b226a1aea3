"""copsgrants.prepared: a query built and compiled once, run with each call's ids, gives what the
ORM gives for the same ids (rows with Django's conversions, instances with their select_related
objects), and refuses a query whose stand-ins it cannot place."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Application
from copsgrants.models import User
from copsgrants.prepared import Prepared
from tests import factories as make
from tests.applications.test_dashboard_rows import loaded

pytestmark = pytest.mark.django_db


def applications_of(user, pk):
    return (
        Application.objects.for_user(User(pk=user))
        .select_related("agency", "solicitation")
        .filter(pk=pk)
    )


@pytest.fixture
def two_agencies():
    mine, theirs = make.AgencyFactory(legal_name="Mine PD"), make.AgencyFactory(legal_name="Theirs")
    user = make.UserFactory()
    make.MembershipFactory(user=user, agency=mine)
    own = make.ApplicationFactory(agency=mine)
    own.agency_profile = {"positions": 3, "note": "tab\there"}
    own.save()
    other = make.ApplicationFactory(agency=theirs)
    return user, own, other


def test_instances_are_the_orms_with_their_related_objects(two_agencies):
    user, own, other = two_agencies
    prepared = Prepared(applications_of, "user", "pk")
    (found,) = prepared.instances(user=user.pk, pk=own.pk)
    (expected,) = applications_of(user.pk, own.pk)
    assert loaded(found) == loaded(expected)
    assert found.agency_profile == {"positions": 3, "note": "tab\there"}  # JSON decoded
    with CaptureQueriesContext(connection) as queries:
        assert loaded(found.agency) == loaded(expected.agency)
        assert loaded(found.solicitation) == loaded(expected.solicitation)
    assert len(queries) == 0  # select_related: already loaded
    # The same compiled query, other ids: the access rule still holds.
    assert prepared.instances(user=user.pk, pk=other.pk) == []
    stranger = make.UserFactory()
    assert prepared.instances(user=stranger.pk, pk=own.pk) == []


def test_each_call_runs_the_query_with_its_own_ids(two_agencies):
    user, own, _ = two_agencies
    prepared = Prepared(applications_of, "user", "pk")
    prepared.instances(user=user.pk, pk=own.pk)  # compiled
    with CaptureQueriesContext(connection) as queries:
        assert [a.pk for a in prepared.instances(user=user.pk, pk=own.pk)] == [own.pk]
    assert len(queries) == 1
    assert str(own.pk) in queries[0]["sql"] and str(user.pk) in queries[0]["sql"]


def test_rows_have_djangos_conversions(two_agencies):
    _, own, _ = two_agencies
    prepared = Prepared(
        lambda pk: Application.objects.filter(pk=pk).values_list(
            "pk", "agency_profile", "created_at", "solicitation__total_funds"
        ),
        "pk",
    )
    expected = list(
        Application.objects.filter(pk=own.pk).values_list(
            "pk", "agency_profile", "created_at", "solicitation__total_funds"
        )
    )
    rows = prepared.rows(pk=own.pk)
    assert rows == expected
    assert isinstance(rows[0][3], Decimal)
    assert rows[0][2].tzinfo is not None


def test_a_stand_in_the_query_does_not_use_once_is_refused(two_agencies):
    unused = Prepared(lambda pk, user: Application.objects.filter(pk=pk), "pk", "user")
    with pytest.raises(ValueError, match="user appears 0 times"):
        unused.rows(pk=1, user=2)
    twice = Prepared(lambda pk: Application.objects.filter(pk=pk, agency_id=pk), "pk")
    with pytest.raises(ValueError, match="pk appears 2 times"):
        twice.rows(pk=1)
    with pytest.raises(TypeError):
        Prepared(applications_of, "user", "pk").instances(user=1)
