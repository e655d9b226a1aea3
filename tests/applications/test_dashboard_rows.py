"""The dashboard reads the user's memberships and their agencies' applications in one query
(applications/dashboard_rows.py) and its awards without joining their agencies: the same rows, in
the same order, with the same columns loaded (the others deferred) and the same related objects,
as the ORM queries with select_related and only() it replaces, over varied data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from applications.dashboard_rows import memberships_and_applications
from applications.models import Application, Award, Membership
from tests import factories as make

from .acceptance_helpers import offered_award

pytestmark = pytest.mark.django_db

# What the dashboard loaded before, by select_related and only().
MEMBERSHIP_COLUMNS = ("user", "agency", "status", "is_authorized_representative",
                      "is_administrator", "agency__legal_name", "agency__ori",
                      "agency__verification_status")  # fmt: skip
APPLICATION_COLUMNS = ("status", "tracking_number", "decision_released_at", "corrections_due_at",
                       "ineligibility_reason", "ineligibility_note", "agency", "agency__legal_name",
                       "agency__verification_status", "solicitation", "solicitation__title",
                       "solicitation__closes_at", "solicitation__opens_at",
                       "solicitation__is_published")  # fmt: skip


def reference(user) -> tuple[list[Membership], list[Application]]:
    memberships = list(
        Membership.objects.filter(user=user)
        .filter(status__in=[Membership.Status.ACTIVE, Membership.Status.PENDING])
        .select_related("agency")
        .only(*MEMBERSHIP_COLUMNS)
        .order_by("agency__legal_name")
    )
    ids = [m.agency_id for m in memberships if m.status == Membership.Status.ACTIVE]
    applications = list(
        Application.objects.filter(agency_id__in=ids)
        .select_related("agency", "solicitation")
        .only(*APPLICATION_COLUMNS)
        .order_by("-solicitation__closes_at", "agency__legal_name")
    )
    return memberships, applications


def loaded(obj) -> dict:
    """The instance's loaded columns and their values."""
    deferred = obj.get_deferred_fields()
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in deferred
    }


def same(ours, theirs, related: tuple[str, ...]) -> None:
    assert [o.pk for o in ours] == [t.pk for t in theirs]
    for o, t in zip(ours, theirs, strict=True):
        assert o.get_deferred_fields() == t.get_deferred_fields()
        assert loaded(o) == loaded(t)
        for name in related:
            mine, expected = getattr(o, name), getattr(t, name)
            assert mine.pk == expected.pk
            # Ours may load more of a shared agency (the memberships read its ORI).
            assert loaded(expected).items() <= loaded(mine).items()


def agency_named(name: str):
    return make.AgencyFactory(legal_name=name)


@pytest.fixture
def varied_user():
    user = make.UserFactory()
    now = timezone.now()
    soon, later, past = (
        make.SolicitationFactory(title="FY26 CHP", closes_at=now + timedelta(days=5)),
        make.SolicitationFactory(title="FY27 CHP", closes_at=now + timedelta(days=40)),
        make.SolicitationFactory(title="FY25 CHP", closed=True),
    )
    zeta, alpha, middle = (agency_named(n) for n in ("Zeta County", "alpha city", "Middle Town"))
    make.MembershipFactory(user=user, agency=zeta, administrator=True)
    make.MembershipFactory(user=user, agency=alpha, authorized_representative=True)
    make.MembershipFactory(user=user, agency=middle)  # no applications
    waiting = make.MembershipFactory(user=user, pending=True).agency
    removed = make.MembershipFactory(user=user, status=Membership.Status.REMOVED).agency
    make.ApplicationFactory(agency=zeta, solicitation=soon)
    make.ApplicationFactory(agency=zeta, solicitation=past, submitted=True)
    make.ApplicationFactory(agency=alpha, solicitation=later, submitted=True,
                       status=Application.Status.RETURNED, corrections_due_at=now)  # fmt: skip
    make.ApplicationFactory(agency=alpha, solicitation=past,
                       status=Application.Status.WITHDRAWN)  # fmt: skip
    for hidden in (waiting, removed):
        make.ApplicationFactory(agency=hidden, solicitation=later)
    make.MembershipFactory(agency=zeta)  # someone else's membership: not listed
    return user


def test_the_same_memberships_and_applications_as_the_orm_queries(varied_user):
    ours = memberships_and_applications(varied_user)[:2]
    theirs = reference(varied_user)
    same(ours[0], theirs[0], related=("agency",))
    same(ours[1], theirs[1], related=("agency", "solicitation"))
    assert len(ours[0]) == 4 and len(ours[1]) == 4
    assert ours[0][0].agency.legal_name in ("alpha city", "Middle Town")


def test_one_query_however_many_memberships(varied_user, django_assert_num_queries):
    with django_assert_num_queries(1):
        memberships, applications, _ = memberships_and_applications(varied_user)
        # Everything the dashboard reads is loaded.
        read = [(m.agency.legal_name, m.agency.ori, m.agency.is_verified) for m in memberships]
        read += [(a.deadline, a.is_before_deadline(), a.solicitation.title) for a in applications]
        read += [(a.agency.legal_name, a.agency.is_verified) for a in applications]
    assert len(read) == 12


def test_no_memberships_no_rows():
    assert memberships_and_applications(make.UserFactory()) == ([], [], {})


def test_the_awards_come_by_year_then_agency_name_with_their_agency(client):
    user = make.UserFactory()
    agencies = [agency_named(n) for n in ("Zeta County", "alpha city", "Middle Town")]
    for agency in agencies:
        make.MembershipFactory(user=user, agency=agency)
    awards = [offered_award(agency, letter=False) for agency in agencies]
    Award.objects.filter(pk=awards[2].pk).update(fiscal_year=awards[2].fiscal_year + 1)
    expected = list(
        Award.objects.filter(agency__in=agencies)
        .annotate(signed=Count("signatures"))
        .order_by("-fiscal_year", "agency__legal_name")
    )
    client.force_login(user)
    html = client.get(reverse("applications:dashboard")).text
    positions = [html.index(f"{a.agency.legal_name} · {a.solicitation.title}") for a in expected]
    assert positions == sorted(positions)
    assert expected[0].agency.legal_name == "Middle Town"


def copied(original, status: str, hours: int):
    """Another plan of the plan's solicitation, `hours` later, with a copy of its lines."""
    plan = type(original).objects.get(pk=original.pk)
    lines = list(plan.lines.all())
    assert plan.released_at
    plan.pk, plan.status = None, status
    plan.released_at += timedelta(hours=hours)
    plan.save()
    for line in lines:
        line.pk, line.plan, line.rank = None, plan, line.rank + 10 * hours
        line.save()
    return plan


def test_the_same_released_plan_lines_as_released_lines(grants_manager):
    # Two released plans of one solicitation (the later one wins), a draft plan, and an
    # application whose decision is not released: the lines `released_lines` gives, whole.
    from applications import services
    from applications.decisions import released_lines
    from applications.models import FundingPlan
    from copsgrants import roles

    from .plan_helpers import scored_solicitation

    solicitation, _, apps = scored_solicitation(
        [("CA", 4), ("CA", 8), ("CA", 6)], total_funds="375000"
    )
    approver = make.UserFactory(roles=[roles.GRANTS_MANAGER])
    first = services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    services.approve_plan(plan=first, by=approver)
    services.release_decisions(plan=first, by=approver)
    second, draft = (
        copied(first, status, hours) for status, hours in (("released", 1), ("draft", 2))
    )
    assert draft.status == FundingPlan.Status.DRAFT and draft.lines.exists()
    Application.objects.filter(pk=apps[2].pk).update(decision_released_at=None)

    user = make.UserFactory()
    for application in apps:
        make.MembershipFactory(user=user, agency=application.agency)
    _, applications, lines = memberships_and_applications(user)
    expected = released_lines(applications)
    assert sorted(lines) == sorted(expected) == sorted(a.pk for a in apps[:2])
    for pk, line in lines.items():
        assert line.plan_id == second.pk
        assert loaded(line) == loaded(expected[pk])
        assert loaded(line.plan) == loaded(expected[pk].plan)
