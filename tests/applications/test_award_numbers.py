"""Award numbers stay unique and gap-free when grants managers make awards at the same moment
(PostgreSQL row locks on the fiscal year's sequence; SQLite has one writer, so the race is
PostgreSQL's)."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from applications import services
from applications.models import Award
from copsgrants.celery import app as celery_app
from tests.concurrency import at_once
from tests.conftest import require

from .award_helpers import released_plan

pytestmark = pytest.mark.django_db(transaction=True)

NUMBER = re.compile(r"^15JCOPS-26-GG-(\d{5})-UHPX$")


@pytest.fixture
def postgresql_and_a_broker_of_its_own(redis_server, publish_to):
    """The letters these awards queue go to a throwaway Redis that no worker reads: this test is
    about numbers, not rendering."""
    require(connection.vendor == "postgresql", "PostgreSQL")
    publish_to(redis_server.url)
    celery_app.conf.task_always_eager = False


def test_four_plans_awarded_at_the_same_moment_share_one_gap_free_sequence(
    postgresql_and_a_broker_of_its_own,
):
    plans = [
        released_plan([("IL", 1), ("WA", 2), ("VA", 1), ("TX", 3), ("OH", 1)])[:2] for _ in range(4)
    ]

    results = at_once(
        [lambda plan=plan, by=by: services.make_awards(plan=plan, by=by) for plan, by in plans]
    )

    for result in results:
        assert isinstance(result, list) and len(result) == 5, result
    awards = Award.objects.order_by("sequence")
    assert [award.sequence for award in awards] == list(range(1, 21))
    for award in awards:
        match = NUMBER.match(award.number)
        assert match, award.number
        assert int(match.group(1)) == award.sequence
    assert len({award.number for award in awards}) == 20


def test_one_plan_awarded_twice_at_the_same_moment_makes_its_awards_once(
    postgresql_and_a_broker_of_its_own,
):
    plan, manager, applications = released_plan([("IL", 1), ("WA", 2), ("VA", 1)])

    results = at_once([lambda: services.make_awards(plan=plan, by=manager)] * 2)

    made = [result for result in results if isinstance(result, list) and result]
    assert len(made) == 1, results
    assert Award.objects.count() == 3
    assert sorted(Award.objects.values_list("sequence", flat=True)) == [1, 2, 3]
    assert {award.application_id for award in Award.objects.all()} == {
        application.pk for application in applications
    }
    # Every award has exactly its first letter, queued once.
    for award in Award.objects.all():
        assert list(award.letters.values_list("version", flat=True)) == [1]
