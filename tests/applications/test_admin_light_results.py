"""The application list's rows are made from one `.values()` query (`light_results`) instead of
instance by instance: they must be the rows `.only(*COLUMNS)` with select_related gives, with
the same values, the same deferred fields (loaded on access) and the same markup."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from applications.admin.applications import ApplicationChangeList
from applications.admin.changelist import light_results, rows
from applications.models import Application
from tests.factories import AgencyFactory, ApplicationFactory, SolicitationFactory, UserFactory

pytestmark = pytest.mark.django_db

COLUMNS = ApplicationChangeList.COLUMNS


@pytest.fixture
def applications():
    solicitation = SolicitationFactory(code="CHP-FY26")
    return [
        ApplicationFactory(solicitation=solicitation, agency=AgencyFactory(legal_name="Draft Co")),
        ApplicationFactory(
            solicitation=solicitation, submitted=True, sro_commitment=True,
            agency=AgencyFactory(legal_name='Smith & O\'Neil <County> "PD"', state="PR"),
        ),
        ApplicationFactory(submitted=True, sro_commitment=False, tracking_number="CHP26-000007"),
    ]  # fmt: skip


def whole(queryset) -> list:
    return list(queryset.select_related("agency", "solicitation").only(*COLUMNS))


def test_the_rows_are_the_rows_select_related_loads(applications):
    queryset = Application.objects.order_by("-pk")
    expected = whole(queryset)
    light = light_results(queryset.select_related("agency", "solicitation")[:10], COLUMNS)
    assert [obj.pk for obj in light] == [obj.pk for obj in expected]
    with CaptureQueriesContext(connection) as queries:
        for ours, theirs in zip(light, expected, strict=True):
            assert type(ours) is Application
            assert ours.get_deferred_fields() == theirs.get_deferred_fields()
            for column in COLUMNS:
                path = column.split("__")
                mine, other = ours, theirs
                for name in path:
                    mine, other = getattr(mine, name), getattr(other, name)
                assert mine == other, column
            assert ours.agency.get_deferred_fields() == theirs.agency.get_deferred_fields()
            assert str(ours) == str(theirs)
            assert not ours._state.adding and ours._state.db == theirs._state.db
    assert not queries, "every column is loaded"


def test_a_deferred_field_loads_on_access(applications):
    light = light_results(Application.objects.filter(pk=applications[1].pk), COLUMNS)
    assert "certified_name" in light[0].get_deferred_fields()
    assert light[0].certified_name == applications[1].certified_name
    assert light[0].section_versions == applications[1].section_versions
    assert light[0].agency.ori == applications[1].agency.ori


def test_the_list_markup_is_the_same_with_whole_instances(applications, rf: RequestFactory):
    request = rf.get("/admin/applications/application/", {"o": "2"})
    request.user = UserFactory(is_staff=True, is_superuser=True)
    cl = admin.site._registry[Application].get_changelist_instance(request)
    assert type(cl.result_list) is list and len(cl.result_list) == 3
    cl.formset = None  # as changelist_view sets it
    light_markup = [str(row) for row in rows(cl)]
    cl.result_list = whole(cl.queryset)
    assert [str(row) for row in rows(cl)] == light_markup
