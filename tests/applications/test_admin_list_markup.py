"""The admin application list draws its rows and its date hierarchy itself (per-column work
once per page, no widget template per row, no years query when the first and last dates tell
them): the markup must be Django's own, escaping and preserved filters included."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.contrib.admin.templatetags import admin_list
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.admin import changelist
from applications.models import Application
from tests.factories import AgencyFactory, ApplicationFactory, SolicitationFactory, UserFactory

EASTERN = ZoneInfo("America/New_York")

pytestmark = pytest.mark.django_db


def test_the_row_checkbox_is_the_markup_django_draws(signed_in):
    application = ApplicationFactory(
        agency=AgencyFactory(legal_name='Smith & O\'Neil <County> "PD"'),
        submitted=True,
        tracking_number="CHP26-000321",
    )
    model_admin = admin.site._registry[Application]
    django_markup = ModelAdmin.action_checkbox(model_admin, application)
    assert model_admin.action_checkbox(application) == django_markup

    client = signed_in(UserFactory(is_staff=True, is_superuser=True))
    html = client.get(reverse("admin:applications_application_changelist")).text
    assert str(django_markup) in html


def _django_rows(cl) -> list[str]:
    """The list's rows as Django's own `results(cl)` draws them (one reverse() and one
    resolve() per row)."""
    return ["<tr>" + "".join(items) + "</tr>" for items in admin_list.results(cl)]


def _varied_applications() -> None:
    """A draft (no tracking number, nothing submitted), submitted with and without an SRO
    commitment, and a name that must be escaped."""
    solicitation = SolicitationFactory()
    ApplicationFactory(solicitation=solicitation, agency=AgencyFactory(legal_name="Draft County"))
    ApplicationFactory(
        solicitation=solicitation,
        agency=AgencyFactory(legal_name='Smith & O\'Neil <County> "PD"', state="OH"),
        submitted=True,
        sro_commitment=True,
    )
    ApplicationFactory(
        solicitation=solicitation, submitted=True, sro_commitment=False,
        agency=AgencyFactory(legal_name="Lake County Sheriff", state="WA"),
    )  # fmt: skip


@pytest.mark.parametrize(
    "query",
    ["", "?o=-2", "?status__exact=submitted&o=3.-6", "?q=County"],
)
def test_the_list_rows_are_the_rows_django_draws(signed_in, query):
    # With filters, a sort and a search that the rows' links carry to the change page.
    _varied_applications()
    client = signed_in(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(reverse("admin:applications_application_changelist") + query)

    cl = response.context["cl"]
    expected = _django_rows(cl)
    assert expected, "the query should list some applications"
    html = response.text
    position = 0
    for row in expected:
        found = html.find(row, position)
        assert found >= 0, row
        position = found + len(row)
    assert html.count('class="action-select"') == len(expected)
    if query:
        assert "?_changelist_filters=" in expected[0]


def _submitted_at(year, month, day, hour=12, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=EASTERN)


@pytest.mark.parametrize(
    "dates",
    [
        # Adjacent years, the first one late on New Year's Eve in Eastern time (already the
        # next year in UTC): the years come from the first and last dates.
        [_submitted_at(2025, 12, 31, 23, 30), _submitted_at(2026, 3, 2)],
        [_submitted_at(2024, 5, 1), _submitted_at(2026, 1, 2)],  # a year between: asked
        [_submitted_at(2024, 5, 1), _submitted_at(2025, 6, 1), _submitted_at(2026, 1, 2)],
        [_submitted_at(2026, 2, 1), _submitted_at(2026, 5, 1)],  # one year: its months
        [_submitted_at(2026, 2, 1), _submitted_at(2026, 2, 9)],  # one month: its days
        [],  # nothing submitted
    ],
)
def test_the_date_hierarchy_offers_what_django_offers(signed_in, dates):
    ApplicationFactory()  # a draft: no submission date
    for when in dates:
        ApplicationFactory(submitted=True, submitted_at=when)
    client = signed_in(UserFactory(is_staff=True, is_superuser=True))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:applications_application_changelist"))

    cl = response.context["cl"]
    ours = changelist.date_hierarchy(cl)
    assert ours == admin_list.date_hierarchy(cl)
    for choice in ours["choices"]:
        assert f'href="{choice["link"]}"'.replace("&", "&amp;") in response.text
    years = {when.astimezone(EASTERN).year for when in dates}
    asked_years = any(
        "datetimefield" in q["sql"] and "'year'" in q["sql"] for q in queries.captured_queries
    )
    # Django asks for the years unless the dates are all in one year (it offers months or
    # days); here it is not asked either when the first and last dates are in adjacent years.
    assert asked_years == (not years or max(years) - min(years) > 1)


@pytest.mark.parametrize("query", ["", "?submitted_at__year=2026", "?q=nothing-matches"])
def test_the_count_reads_the_first_and_last_dates_in_the_same_query(signed_in, query):
    ApplicationFactory(submitted=True, submitted_at=_submitted_at(2026, 2, 1))
    ApplicationFactory(submitted=True, submitted_at=_submitted_at(2026, 2, 9))
    ApplicationFactory()  # a draft
    client = signed_in(UserFactory(is_staff=True, is_superuser=True))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:applications_application_changelist") + query)

    cl = response.context["cl"]
    ranges = [q["sql"] for q in queries.captured_queries if "MIN(" in q["sql"]]
    assert len(ranges) == 1 and "COUNT(" in ranges[0]
    assert cl.result_count == {"": 3, "?submitted_at__year=2026": 2}.get(query, 0)
    assert changelist.date_hierarchy(cl) == admin_list.date_hierarchy(cl)
    if not query:
        days = [choice["title"] for choice in changelist.date_hierarchy(cl)["choices"]]
        assert days == ["February 1", "February 9"]


@pytest.mark.parametrize("query", ["", "?o=-2.3", "?q=County", "?q=nothing-matches"])
def test_the_results_table_is_the_one_djangos_result_list_draws(signed_in, query):
    _varied_applications()
    client = signed_in(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:applications_application_changelist") + query)

    cl = response.context["cl"]
    engine = engines["django"]
    # Django's own template (the application list's is found under the model's name first).
    djangos = engine.get_template("admin/change_list_results.html")
    ours = engine.get_template("admin/applications/application/change_list_results.html")
    expected = djangos.render(admin_list.result_list(cl))
    assert ours.render(changelist.result_list(cl)) == expected
    assert expected in response.text
    assert ("<tbody>" in expected) == (query != "?q=nothing-matches")
