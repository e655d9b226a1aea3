"""The ranking page's content is kept drawn with the run's summary, keyed by everything it
prints that the summary does not hold (applications/admin/ranking.py `_content_shown`): each
such value changed, even without a signal, must show on the next request, as a process that
kept nothing draws it."""

from decimal import Decimal as D

import pytest
from django.db.models import F
from django.urls import reverse

from applications import services
from applications.models import Agency, FundingPlan, ScoringRules, ScoringRun
from applications.ranking import forget_summaries
from copsgrants.models import User

from .scoring_helpers import eligible_application, solicitation_with_rules

pytestmark = pytest.mark.django_db


def content(html: str) -> str:
    """The page's own part (the chrome around it carries a fresh CSRF token per request)."""
    return html[html.index('<div id="content-main">') : html.index("</main>")]


@pytest.fixture
def page(signed_in, grants_manager):
    solicitation = solicitation_with_rules()
    solicitation.total_funds = D("1000000.00")
    solicitation.save(update_fields=["total_funds"])
    eligible_application(solicitation, totals=(14, 14), state="OH", name="Top PD")
    eligible_application(solicitation, totals=(12, 12), minutes=1, state="WA")
    eligible_application(solicitation, totals=(9,), minutes=2, name="Waiting PD")  # not ready
    run = services.compute_scores(solicitation=solicitation, by=grants_manager)
    plan = services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    client = signed_in(grants_manager)
    url = reverse("admin:applications_scoringrun_ranking", args=[run.pk])

    def get(query: str = "") -> str:
        return content(client.get(url + query).text)

    get(), get()  # drawn, then kept
    return run, plan, get


def changes(run, plan):
    return {
        "the plan's status": lambda: FundingPlan.objects.filter(pk=plan.pk).update(
            status=FundingPlan.Status.APPROVED
        ),
        "the plan's date": lambda: FundingPlan.objects.filter(pk=plan.pk).update(
            drafted_at=plan.drafted_at.replace(year=2031)
        ),
        "whether the run is current": lambda: ScoringRun.objects.filter(pk=run.pk).update(
            is_current=False
        ),
        "a bonus of the rules": lambda: ScoringRules.objects.filter(pk=run.rules_id).update(
            veteran_bonus_points=F("veteran_bonus_points") + 1
        ),
        "who computed it": lambda: User.objects.filter(pk=run.computed_by_id).update(
            first_name="Renamed", last_name="Manager"
        ),
        "a not-ready agency's name": lambda: Agency.objects.filter(legal_name="Waiting PD").update(
            legal_name="Still Waiting PD"
        ),
    }


@pytest.mark.parametrize("what", list(changes(None, None)))
def test_a_change_to_what_the_page_prints_shows_at_once(page, what):
    run, plan, get = page
    before = get()

    changes(run, plan)[what]()
    after = get()

    assert after != before
    forget_summaries()  # what a fresh process draws
    assert get() == after


def test_each_filter_and_page_is_kept_apart(page):
    _run, _plan, get = page
    every, moved = get(), get("?moved=any")
    assert get() == every and get("?moved=any") == moved
    assert "No application matches this filter." in moved
    assert "No application matches this filter." not in every
