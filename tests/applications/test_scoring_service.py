"""compute_scores: who is ready, what a run stores, reproducibility, the refusal after release."""

from decimal import Decimal as D

import pytest
from django.utils import timezone

from applications import services
from applications.models import (
    Application,
    DataFlag,
    FundingPlan,
    ScoreBreakdown,
    ScoringRules,
    ScoringRun,
)
from copsgrants.models import AuditEvent

from .scoring_helpers import (
    eligible_application,
    solicitation_with_rules,
    worked_example,
)

pytestmark = pytest.mark.django_db


def numbers(run: ScoringRun) -> list[tuple]:
    return [
        (b.application_id, b.inputs, b.percentiles, b.criteria, b.fiscal_need, b.crime,
         b.community_policing, b.sro_bonus, b.veteran_bonus, b.score_without_bonus, b.score,
         b.rank, b.rank_without_bonus)
        for b in run.breakdowns.order_by("rank")
    ]  # fmt: skip


def test_the_worked_example_is_stored_with_every_input_percentile_and_review(grants_manager):
    solicitation = solicitation_with_rules()
    apps = worked_example(solicitation)
    run = services.compute_scores(solicitation=solicitation, by=grants_manager)

    by_app = {b.application_id: b for b in run.breakdowns.all()}
    a, c = by_app[apps["A"].pk], by_app[apps["C"].pk]
    assert (a.fiscal_need, a.crime, a.community_policing) == (
        D("44.4444"), D("66.6667"), D("80.0000"))  # fmt: skip
    assert (a.score_without_bonus, a.score, a.rank, a.rank_without_bonus) == (
        D("58.8889"), D("58.8889"), 3, 2)  # fmt: skip
    assert (c.sro_bonus, c.veteran_bonus, c.score, c.rank, c.rank_without_bonus) == (
        D("5.0000"), D("2.0000"), D("59.9167"), 2, 3)  # fmt: skip
    assert [b.application_id for b in run.breakdowns.order_by("rank")] == [
        apps[k].pk for k in "DCAB"
    ]
    assert a.inputs["budget_change_percent"] == "-10.00"
    assert a.inputs["jurisdiction_population"] == "10000"
    assert a.inputs["violent_per_1000"] == "10.0000"
    assert a.inputs["budget_cut"] == "10.00"
    assert a.percentiles["unemployment_rate"] == "0.0000"
    assert a.criteria["rubric_maximum"] == "20"
    assert sorted(r["total"] for r in a.criteria["reviews"]) == ["15", "17"]
    assert all(len(r["scores"]) == 4 and r["reviewer"] for r in a.criteria["reviews"])
    assert run.rules.version == 1 and run.computed_by == grants_manager and run.is_current


def test_computing_again_with_the_same_inputs_and_version_gives_identical_numbers(
    grants_manager,
):
    solicitation = solicitation_with_rules()
    worked_example(solicitation)
    first = services.compute_scores(solicitation=solicitation, by=grants_manager)
    second = services.compute_scores(solicitation=solicitation, by=grants_manager)
    assert numbers(first) == numbers(second)
    first.refresh_from_db()
    assert not first.is_current and second.is_current
    assert ScoringRun.objects.filter(solicitation=solicitation).count() == 2


def test_ready_applications_become_scored_with_one_audit_event_and_history(grants_manager):
    solicitation = solicitation_with_rules()
    apps = worked_example(solicitation)
    services.compute_scores(solicitation=solicitation, by=grants_manager)
    for application in apps.values():
        application.refresh_from_db()
        assert application.status == Application.Status.SCORED
        assert application.history.first().status == Application.Status.SCORED
    events = AuditEvent.objects.filter(verb="scores.computed")
    assert events.count() == 1
    assert events.get().data | {"run": 0} == {
        "run": 0, "rules_version": 1, "scored": 4, "newly_scored": 4, "not_ready": 0}  # fmt: skip


def test_applications_without_enough_reviews_or_with_open_flags_are_listed_as_not_ready(
    grants_manager,
):
    solicitation = solicitation_with_rules(reviews_required=2)
    ready = eligible_application(solicitation)
    one_review = eligible_application(solicitation, totals=(12,))
    flagged = eligible_application(solicitation)
    DataFlag.objects.create(application=flagged, kind=DataFlag.Kind.POVERTY, value=D("80"),
                            message="Poverty far above its peers.")  # fmt: skip
    DataFlag.objects.create(application=ready, kind=DataFlag.Kind.CRIME_RATE, value=D("1"),
                            message="Low.", resolution=DataFlag.Resolution.VERIFIED)  # fmt: skip
    run = services.compute_scores(solicitation=solicitation, by=grants_manager)

    assert list(run.breakdowns.values_list("application_id", flat=True)) == [ready.pk]
    assert run.not_ready == [
        {"application": one_review.pk, "reason": "1 of 2 required reviews submitted"},
        {"application": flagged.pk, "reason": "1 data flag not resolved"},
    ]
    one_review.refresh_from_db()
    assert one_review.status == Application.Status.UNDER_REVIEW


def test_a_scored_application_that_is_no_longer_ready_goes_back_under_review(grants_manager):
    solicitation = solicitation_with_rules()
    application = eligible_application(solicitation)
    services.compute_scores(solicitation=solicitation, by=grants_manager)
    DataFlag.objects.create(application=application, kind=DataFlag.Kind.POVERTY, value=D("80"),
                            message="Poverty far above its peers.")  # fmt: skip
    run = services.compute_scores(solicitation=solicitation, by=grants_manager)
    application.refresh_from_db()
    assert application.status == Application.Status.UNDER_REVIEW
    assert not run.breakdowns.exists()


def test_only_eligible_applications_are_scored(grants_manager):
    solicitation = solicitation_with_rules()
    eligible = eligible_application(solicitation)
    submitted = eligible_application(solicitation)
    submitted.status = Application.Status.SUBMITTED
    submitted.save(update_fields=["status"])
    run = services.compute_scores(solicitation=solicitation, by=grants_manager)
    assert list(run.breakdowns.values_list("application_id", flat=True)) == [eligible.pk]
    assert run.not_ready == []


def test_scores_use_the_rules_in_force(grants_manager):
    solicitation = solicitation_with_rules()
    eligible_application(solicitation, sro=True)
    v2 = services.add_scoring_rules(
        rules=ScoringRules(solicitation=solicitation, sro_bonus_points=D("10")),
        by=grants_manager,
    )
    services.put_scoring_rules_in_force(rules=v2, by=grants_manager)
    run = services.compute_scores(solicitation=solicitation, by=grants_manager)
    assert run.rules == v2
    assert run.breakdowns.get().sro_bonus == D("10.0000")


def test_there_must_be_rules_in_force(grants_manager):
    solicitation = solicitation_with_rules()
    ScoringRules.objects.filter(solicitation=solicitation).update(in_force=False)
    with pytest.raises(services.ScoringError, match="no scoring rules in force"):
        services.compute_scores(solicitation=solicitation, by=grants_manager)


def release(run: ScoringRun, by) -> FundingPlan:
    return FundingPlan.objects.create(
        solicitation=run.solicitation, run=run, appropriation=D("1000000"),
        status=FundingPlan.Status.RELEASED, released_at=timezone.now(), released_by=by,
    )  # fmt: skip


def test_computing_is_refused_once_decisions_are_released(grants_manager):
    solicitation = solicitation_with_rules()
    eligible_application(solicitation)
    run = services.compute_scores(solicitation=solicitation, by=grants_manager)
    release(run, grants_manager)
    with pytest.raises(services.ScoringError, match="were released from scoring rules v1"):
        services.compute_scores(solicitation=solicitation, by=grants_manager)
    assert ScoringRun.objects.filter(solicitation=solicitation).count() == 1


def test_a_newer_rules_version_in_force_allows_computing_after_release_and_is_recorded(
    grants_manager,
):
    solicitation = solicitation_with_rules()
    application = eligible_application(solicitation)
    run = services.compute_scores(solicitation=solicitation, by=grants_manager)
    plan = release(run, grants_manager)
    application.status = Application.Status.RECOMMENDED
    application.save(update_fields=["status"])
    v2 = services.add_scoring_rules(rules=ScoringRules(solicitation=solicitation),
                                    by=grants_manager)  # fmt: skip
    services.put_scoring_rules_in_force(rules=v2, by=grants_manager)

    again = services.compute_scores(solicitation=solicitation, by=grants_manager)
    assert again.rules == v2
    # The decided application is ranked again but keeps its decision.
    assert again.breakdowns.get().application == application
    application.refresh_from_db()
    assert application.status == Application.Status.RECOMMENDED
    event = AuditEvent.objects.filter(verb="scores.computed").latest("pk")
    assert event.data["after_release"] == {"released_plan": plan.pk, "released_rules_version": 1}


def test_breakdowns_are_one_per_application_and_rank(grants_manager):
    solicitation = solicitation_with_rules()
    for minutes in range(5):
        eligible_application(solicitation, minutes=minutes)
    run = services.compute_scores(solicitation=solicitation, by=grants_manager)
    # Identical figures: the earlier submission ranks first.
    ranked = list(run.breakdowns.order_by("rank").select_related("application"))
    assert [b.rank for b in ranked] == [1, 2, 3, 4, 5]
    submitted = [b.application.submitted_at for b in ranked]
    assert submitted == sorted(submitted)
    assert ScoreBreakdown.objects.filter(run=run).count() == 5
