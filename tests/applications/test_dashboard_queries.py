"""The agency dashboard reads a few columns of each application (not the ~97 of a row) in a
fixed number of queries: a column it shows but did not load would cost a query per row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from tests.factories import ApplicationFactory, MembershipFactory, SolicitationFactory

pytestmark = pytest.mark.django_db


def dashboard(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("applications:dashboard"))
    assert response.status_code == 200
    return len(queries), response.text


def test_the_dashboard_costs_the_same_queries_for_one_application_or_four(signed_in, applicant):
    client = signed_in(applicant)
    solicitation = SolicitationFactory()
    agency = applicant.memberships.get().agency
    ApplicationFactory(agency=agency, solicitation=solicitation)
    client.get(reverse("applications:dashboard"))  # warm per-process caches
    one, _ = dashboard(client)

    others = [MembershipFactory(user=applicant).agency for _ in range(3)]
    ApplicationFactory(agency=others[0], solicitation=solicitation, submitted=True,
                       tracking_number="CHP26-000777")  # fmt: skip
    ApplicationFactory(agency=others[1], solicitation=solicitation,
                       status=Application.Status.RETURNED,
                       corrections_due_at=timezone.now() + timezone.timedelta(days=3))  # fmt: skip
    ApplicationFactory(agency=others[2], solicitation=SolicitationFactory(closed=True),
                       submitted=True, status=Application.Status.UNDER_REVIEW)  # fmt: skip
    four, html = dashboard(client)

    assert four == one
    assert "CHP26-000777" in html
    assert "Make the corrections COPS asked for and resubmit" in html
    assert "Wait for COPS to review it" in html
    assert "Wait for COPS&#x27;s decision" in html or "Wait for COPS's decision" in html


def test_awards_memberships_and_agencies_cost_no_query_per_row(signed_in, applicant, agency):
    # The dashboard loads a few columns of each membership, agency and award: one it shows but
    # did not load would cost a query per row.
    from .acceptance_helpers import offered_award

    client = signed_in(applicant)
    SolicitationFactory()  # open: listed at the top
    first = offered_award(agency, letter=False)
    client.get(reverse("applications:dashboard"))  # warm per-process caches
    one, _ = dashboard(client)

    others = [MembershipFactory(user=applicant, administrator=True).agency for _ in range(2)]
    later = [offered_award(other, letter=False) for other in others]
    # Their decisions are not released yet: each released one reads its plan line.
    Application.objects.filter(award__in=later).update(decision_released_at=None)
    pending = MembershipFactory(user=applicant, status="pending").agency
    removed = MembershipFactory(user=applicant, status="removed").agency
    hidden = [offered_award(agency, letter=False) for agency in (pending, removed)]
    ApplicationFactory(agency=removed, tracking_number="CHP26-000999", submitted=True)
    three, html = dashboard(client)

    assert three == one
    for award in [first, *later]:
        assert award.number in html
        assert f"{award.agency.legal_name} · {award.solicitation.title}" in html
    assert html.count("0 of 2 signatures; accept by") == 3
    for other in [*others, pending]:
        assert other.ori in html
    assert "Waiting for approval" in html
    assert "Agency administrator, Authorized Representative" in html
    # Only an active membership shows an agency's awards and applications.
    for award in hidden:
        assert award.number not in html
    assert "CHP26-000999" not in html
    assert removed.legal_name not in html


def test_a_second_not_selected_decision_costs_no_query(signed_in, grants_manager):
    # The released plan lines come in one query for the page, and each plan's size and funding
    # line are worked out once: a further decided application costs nothing more.
    from applications import services
    from copsgrants import roles
    from tests.factories import UserFactory

    from .plan_helpers import scored_solicitation

    solicitation, _, apps = scored_solicitation(
        [("CA", 4), ("CA", 8), ("CA", 6)], total_funds="375000"
    )
    plan = services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    approver = UserFactory(roles=[roles.GRANTS_MANAGER])
    services.approve_plan(plan=plan, by=approver)
    services.release_decisions(plan=plan, by=approver)
    user = apps[0].agency.memberships.get().user
    client = signed_in(user)
    MembershipFactory(user=user, agency=apps[1].agency)
    client.get(reverse("applications:dashboard"))  # warm per-process caches
    two, html = dashboard(client)
    assert "Recommended: 3 positions" in html
    assert html.count("None: not selected. Ranked") == 1

    MembershipFactory(user=user, agency=apps[2].agency)
    three, html = dashboard(client)
    assert three == two
    assert html.count("None: not selected. Ranked") == 2
