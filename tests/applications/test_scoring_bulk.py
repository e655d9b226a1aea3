"""compute_scores reads only the columns scoring needs and writes in batches (bulk rows, status
changes with one history INSERT per batch): the breakdowns, statuses and field history must be
exactly what scoring each full application row gives."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications import scoring, services
from applications.checks import profile_value
from applications.models import Application, DataFlag, Review, ScoringRules, ScoringRun
from applications.models.solicitations import MatchWaiver
from applications.services.scoring import _inputs_record, _weights
from applications.services.scoring_store import insert_breakdowns

from .scoring_helpers import eligible_application, solicitation_with_rules

pytestmark = pytest.mark.django_db


def mixed_set(solicitation) -> dict[str, Application]:
    """SRO and veteran bonuses, two applications tied on every figure and submitted together,
    one short of reviews, one with an open data flag, one missing a figure, a population from
    the submitted profile snapshot and a decided match waiver."""
    apps = {
        "sro": eligible_application(solicitation, cut="8", totals=(16, 14), sro=True, state="OH"),
        "veteran": eligible_application(solicitation, cut="3", unemployment="9", veteran=True,
                                        totals=(12, 13), minutes=1, state="OH"),
        "tie_1": eligible_application(solicitation, cut="4", totals=(11, 11), minutes=2),
        "tie_2": eligible_application(solicitation, cut="4", totals=(11, 11), minutes=2),
        "both": eligible_application(solicitation, cut="0", poverty="22", violent=90, sro=True,
                                     veteran=True, totals=(20, 19), minutes=3, state="WA"),
        "one_review": eligible_application(solicitation, totals=(15,), minutes=4),
        "flagged": eligible_application(solicitation, totals=(9, 9), minutes=5),
        "no_figure": eligible_application(solicitation, totals=(10, 12), minutes=6),
        "snapshot": eligible_application(solicitation, cut="6", prop=500, totals=(13, 17),
                                         minutes=7, state="TX"),
        "waiver": eligible_application(solicitation, cut="2", totals=(18, 14), minutes=8,
                                       state="TX"),
    }  # fmt: skip
    DataFlag.objects.create(application=apps["flagged"], kind=DataFlag.Kind.POVERTY,
                            value=D("80"), message="Poverty far above its peers.")  # fmt: skip
    Application.objects.filter(pk=apps["no_figure"].pk).update(unemployment_rate=None)
    snapshot = apps["snapshot"]
    snapshot.agency_profile = {**snapshot.agency_profile, "jurisdiction_population": 25_000}
    snapshot.save(update_fields=["agency_profile"])
    Application.objects.filter(pk=apps["waiver"].pk).update(
        match_waiver=MatchWaiver.PARTIAL,
        waiver_decision=Application.WaiverDecision.APPROVED_PARTIAL,
    )
    # Already scored by an earlier run but now short of reviews: goes back to under review.
    back = eligible_application(solicitation, totals=(10,), minutes=9)
    Application.objects.filter(pk=back.pk).update(status=Application.Status.SCORED)
    apps["back"] = back
    return apps


def expected_breakdowns(solicitation) -> dict[int, dict]:
    """What a run stores, computed from full Application, Agency and Review rows through the
    models' own properties and the pure formula, application by application."""
    rules = ScoringRules.objects.get(solicitation=solicitation, in_force=True)
    applications = {
        a.pk: a
        for a in Application.objects.filter(solicitation=solicitation).select_related(
            "agency", "solicitation"
        )
    }
    reviews = {
        pk: list(
            Review.objects.filter(assignment__application_id=pk, status=Review.Status.SUBMITTED)
            .select_related("assignment", "rules")
            .order_by("assignment__reviewer_id", "pk")
        )
        for pk in applications
    }
    ready = {
        pk: a
        for pk, a in applications.items()
        if len(reviews[pk]) >= rules.reviews_required
        and not a.flags.filter(resolution="").exists()
        and a.unemployment_rate is not None
    }
    inputs = {
        pk: scoring.Inputs(
            key=pk,
            budget_change_percent=a.budget_change_percent,
            unemployment_rate=a.unemployment_rate,
            poverty_rate=a.poverty_rate,
            violent_crimes=a.violent_crimes,
            property_crimes=a.property_crimes,
            population=int(profile_value(a, "jurisdiction_population")),
            review_totals=tuple(review.total for review in reviews[pk]),
            sro_commitment=bool(a.sro_commitment),
            veteran_commitment=bool(a.veteran_commitment),
            submitted_at=a.submitted_at,
            pk=pk,
        )
        for pk, a in ready.items()
    }
    expected = {}
    for score in scoring.score_solicitation(inputs.values(), _weights(rules)):
        expected[score.key] = {
            "inputs": _inputs_record(ready[score.key], inputs[score.key])
            | {name: str(value) for name, value in score.measures.items()},
            "percentiles": {name: str(value) for name, value in score.percentiles.items()},
            "criteria": {
                "rules_version": rules.version,
                "rubric_maximum": str(scoring.rubric_maximum(rules.rubric)),
                "reviews": [
                    {
                        "review": r.pk,
                        "reviewer": r.assignment.reviewer_id,
                        "rules_version": r.rules.version,
                        "scores": {k: str(v.get("score")) for k, v in sorted(r.scores.items())},
                        "total": str(r.total),
                    }
                    for r in reviews[score.key]
                ],
            },
            **{
                name: getattr(score, name)
                for name in (
                    "fiscal_need",
                    "crime",
                    "community_policing",
                    "sro_bonus",
                    "veteran_bonus",
                    "score_without_bonus",
                    "score",
                    "rank",
                    "rank_without_bonus",
                )
            },
        }
    return expected


def stored(run) -> dict[int, dict]:
    fields = ["inputs", "percentiles", "criteria", "fiscal_need", "crime", "community_policing",
              "sro_bonus", "veteran_bonus", "score_without_bonus", "score", "rank",
              "rank_without_bonus"]  # fmt: skip
    return {
        row["application_id"]: {name: row[name] for name in fields}
        for row in run.breakdowns.values("application_id", *fields)
    }


def test_the_batched_run_stores_what_scoring_each_full_application_row_gives(grants_manager):
    solicitation = solicitation_with_rules()
    apps = mixed_set(solicitation)
    expected = expected_breakdowns(solicitation)

    run = services.compute_scores(solicitation=solicitation, by=grants_manager)

    assert stored(run) == expected
    ranked = [pk for pk, _ in sorted(expected.items(), key=lambda item: item[1]["rank"])]
    # The tie (same figures, reviews and submission time) is broken by the lower id.
    assert ranked.index(apps["tie_1"].pk) + 1 == ranked.index(apps["tie_2"].pk)
    assert expected[apps["both"].pk]["sro_bonus"] > 0 < expected[apps["both"].pk]["veteran_bonus"]
    assert expected[apps["snapshot"].pk]["inputs"]["jurisdiction_population"] == "25000"
    assert (
        expected[apps["waiver"].pk]["inputs"]["federal_percent"]
        != (expected[apps["sro"].pk]["inputs"]["federal_percent"])
    )
    not_ready = {item["application"] for item in run.not_ready}
    assert not_ready == {apps[k].pk for k in ("one_review", "flagged", "no_figure", "back")}


def test_every_status_change_gets_one_field_history_row_with_the_whole_record(grants_manager):
    solicitation = solicitation_with_rules()
    apps = mixed_set(solicitation)
    before = {a.pk: a.history.count() for a in apps.values()}

    run = services.compute_scores(solicitation=solicitation, by=grants_manager)

    scored = {b.application_id for b in run.breakdowns.all()}
    tracked = [f.attname for f in Application.history.model.tracked_fields]
    for application in Application.objects.filter(pk__in=[a.pk for a in apps.values()]):
        history = application.history.order_by("-history_id")
        changed = application.pk in scored or application.pk == apps["back"].pk
        assert history.count() == before[application.pk] + changed
        if not changed:
            assert application.status == Application.Status.UNDER_REVIEW
            continue
        latest = history.first()
        assert application.status == (
            Application.Status.SCORED if application.pk in scored
            else Application.Status.UNDER_REVIEW
        )  # fmt: skip
        assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
            "~", grants_manager, "scores computed")  # fmt: skip
        assert latest.history_date == application.updated_at
        assert {n: getattr(latest, n) for n in tracked} == {
            n: getattr(application, n) for n in tracked
        }


def count_queries(solicitation, by) -> int:
    with CaptureQueriesContext(connection) as queries:
        services.compute_scores(solicitation=solicitation, by=by)
    return len(queries)


def test_compute_scores_runs_the_same_queries_for_three_applications_as_for_twelve(
    grants_manager,
):
    small, large = solicitation_with_rules(), solicitation_with_rules()
    for minutes in range(3):
        eligible_application(small, minutes=minutes, cut=str(minutes), sro=minutes == 1)
    for minutes in range(12):
        eligible_application(large, minutes=minutes, cut=str(minutes), sro=minutes % 3 == 0)
    assert count_queries(small, grants_manager) == count_queries(large, grants_manager)


def test_breakdown_rows_are_stored_as_given_whatever_characters_their_json_holds(grants_manager):
    """On PostgreSQL the rows go in by COPY, whose text format gives tabs, newlines and
    backslashes a meaning of their own."""
    solicitation = solicitation_with_rules()
    first, second = (eligible_application(solicitation, minutes=n) for n in range(2))
    rules = ScoringRules.objects.get(solicitation=solicitation, in_force=True)
    run = ScoringRun.objects.create(
        solicitation=solicitation, rules=rules, computed_by=grants_manager
    )
    awkward = {
        "tab": "a\tb", "newline": "a\nb\r\n", "backslash": "C:\\new\\table", "quote": 'say "hi"',
        "null marker": "\\N", "accents": "Señora Ñuñez, café", "emoji": "🚓", "empty": "",
        "nested": [{"deep": "x\\\\y"}, 1, None, True],
    }  # fmt: skip
    rows = [
        {"run_id": run.pk, "application_id": application.pk, "inputs": awkward | {"n": str(n)},
         "percentiles": {}, "criteria": {"reviews": [awkward]}, "fiscal_need": D("12.3456"),
         "crime": D("0.0000"), "community_policing": D("100.0000"), "sro_bonus": D("0"),
         "veteran_bonus": D("5.0000"), "score_without_bonus": D("1.5"), "score": D("6.5000"),
         "rank": n, "rank_without_bonus": 3 - n}
        for n, application in enumerate((first, second), start=1)
    ]  # fmt: skip

    insert_breakdowns(iter(rows))

    stored_rows = list(run.breakdowns.order_by("pk").values(*rows[0]))
    assert stored_rows == rows
