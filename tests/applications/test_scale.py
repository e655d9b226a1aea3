"""Scale: the staff pages cost a fixed number of queries however many applications there are, and
`seed_synthetic` fills a solicitation for benchmarks."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.management.commands.seed_synthetic import STATES
from applications.models import Application, Membership, Review, SchoolPartner, Solicitation
from applications.templatetags.workqueue import build_work_queue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CODE = "O-COPS-SYN-CHP"


def synthesize(count: int, *extra: str) -> str:
    out = io.StringIO()
    call_command(
        "seed_synthetic", "--applications", str(count), "--solicitation", CODE, *extra, stdout=out
    )
    return out.getvalue()


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_seed_synthetic_creates_submitted_applications_across_the_50_states_and_dc():
    output = synthesize(102)

    solicitation = Solicitation.objects.get(code=CODE)
    applications = Application.objects.filter(solicitation=solicitation)
    assert applications.count() == 102
    assert set(applications.values_list("status", flat=True)) == {"submitted"}
    assert set(applications.values_list("agency__state", flat=True)) == set(STATES)
    assert len(STATES) == 51 and "DC" in STATES and "PR" not in STATES
    assert applications.filter(tracking_number__isnull=True).count() == 0
    assert applications.filter(submitted_at__isnull=True).count() == 0
    # Each agency has an Authorized Representative who can sign in to the public site.
    assert Membership.objects.active().filter(
        agency__applications__in=applications, is_authorized_representative=True
    ).count() == 102  # fmt: skip
    # SRO commitments come with their school partner; the figures vary.
    sro = applications.filter(sro_commitment=True)
    assert 0 < sro.count() < 102
    assert SchoolPartner.objects.filter(application__in=sro).count() == sro.count()
    assert applications.values("poverty_rate").distinct().count() > 20
    assert "102 submitted applications" in output


def test_seed_synthetic_can_run_again_into_the_same_solicitation():
    synthesize(10)
    synthesize(10)
    assert Application.objects.filter(solicitation__code=CODE).count() == 20
    assert Application.objects.values("agency").distinct().count() == 20


def test_seed_synthetic_reviewed_applications_are_ready_to_score():
    synthesize(6, "--reviewed")
    manager = UserFactory(is_staff=True, is_superuser=True)

    applications = Application.objects.filter(solicitation__code=CODE)
    assert set(applications.values_list("status", flat=True)) == {"under_review"}
    assert Review.objects.filter(status="submitted").count() == 12
    sections = {s.title: s for s in build_work_queue(manager).sections}
    assert sections["Ready to score"].items[0].count == 6


def test_seed_synthetic_refuses_zero_applications():
    with pytest.raises(CommandError):
        synthesize(0)


def test_the_application_list_costs_the_same_queries_for_10_or_60_rows(signed_in):
    client = signed_in(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:applications_application_changelist")
    synthesize(10)
    few = queries(client, url)
    synthesize(50)
    assert queries(client, url) == few


def test_the_filtered_application_list_for_a_specialist_costs_the_same_for_10_or_60_rows(
    signed_in, program_specialist
):
    client = signed_in(program_specialist)
    synthesize(10)
    solicitation = Solicitation.objects.get(code=CODE)
    url = (
        reverse("admin:applications_application_changelist")
        + f"?status__exact=submitted&solicitation__id__exact={solicitation.pk}"
    )
    few = queries(client, url)
    synthesize(50)
    assert queries(client, url) == few


@pytest.mark.parametrize("role", ["program_specialist", "grants_manager", "reviewer"])
def test_the_work_queue_costs_the_same_queries_for_10_or_60_applications(signed_in, request, role):
    user = request.getfixturevalue(role)
    client = signed_in(user)
    url = reverse("admin:index")
    synthesize(10, "--reviewed")
    few = queries(client, url)
    synthesize(50, "--reviewed")
    assert queries(client, url) == few
    assert "Work queue" in client.get(url).content.decode()


def test_the_ranking_page_costs_the_same_queries_for_10_or_60_applications(
    signed_in, grants_manager
):
    from applications import services

    client = signed_in(grants_manager)
    synthesize(10, "--reviewed")
    solicitation = Solicitation.objects.get(code=CODE)
    run = services.compute_scores(solicitation=solicitation, by=grants_manager)
    few = queries(client, reverse("admin:applications_scoringrun_ranking", args=[run.pk]))
    synthesize(50, "--reviewed")
    run = services.compute_scores(solicitation=solicitation, by=grants_manager)
    assert run.breakdowns.count() == 60
    assert queries(client, reverse("admin:applications_scoringrun_ranking", args=[run.pk])) == few
