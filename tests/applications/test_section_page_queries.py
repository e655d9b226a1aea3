"""A section page reads what it needs in a fixed number of queries, whatever the section, the
application's answers or the number of school partners."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications import services
from applications.sections import SECTIONS
from tests.factories import ApplicationFactory, MembershipFactory, SchoolPartnerFactory

pytestmark = pytest.mark.django_db


def page_queries(client, application, slug: str) -> list[str]:
    url = reverse("applications:application_section", args=[application.pk, slug])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in queries]


def test_can_edit_application_trusts_a_membership_the_caller_already_checked(applicant, agency):
    application = ApplicationFactory(agency=agency)
    with CaptureQueriesContext(connection) as queries:
        assert services.can_edit_application(applicant, application, member=True) == (True, "")
    assert len(queries) == 0
    assert services.can_edit_application(applicant, application, member=False) == (
        False,
        "You are not a member of this agency.",
    )
    outsider = MembershipFactory().user
    assert services.can_edit_application(outsider, application) == (
        False,
        "You are not a member of this agency.",
    )


@pytest.mark.parametrize("section", SECTIONS, ids=[s.slug for s in SECTIONS])
def test_a_section_page_reads_the_membership_once(signed_in, applicant, agency, section):
    application = ApplicationFactory(agency=agency, complete=True)
    queries = page_queries(signed_in(applicant), application, section.slug)
    # The membership is read as part of loading the application, not again on its own.
    assert sum('"applications_membership"' in sql for sql in queries) == 1


@pytest.mark.parametrize("section", SECTIONS, ids=[s.slug for s in SECTIONS])
def test_a_section_page_makes_as_many_queries_for_a_blank_as_for_a_full_application(
    signed_in, applicant, agency, section
):
    client = signed_in(applicant)
    blank = page_queries(client, ApplicationFactory(agency=agency), section.slug)
    full = ApplicationFactory(agency=agency, complete=True)
    SchoolPartnerFactory.create_batch(3, application=full)
    assert len(page_queries(client, full, section.slug)) == len(blank)


def test_the_sro_page_reads_the_school_partners_once(signed_in, applicant, agency):
    application = ApplicationFactory(agency=agency, complete=True)
    SchoolPartnerFactory.create_batch(2, application=application)
    queries = page_queries(signed_in(applicant), application, "sro")
    # The partner forms and the section's checks share one read.
    assert sum('"applications_schoolpartner"' in sql for sql in queries) == 1
