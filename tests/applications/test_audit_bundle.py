"""The audit bundle: one zip per solicitation with everything that decided who was funded, enough
to recompute the ranking outside the system (done here from the JSON alone, with a separate
implementation of the README's formula)."""

import csv
import io
import json
import zipfile
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import DataFlag, ScoreBreakdown
from copsgrants import roles
from tests.factories import UserFactory

from .scoring_helpers import solicitation_with_rules, worked_example

pytestmark = pytest.mark.django_db

FILES = {"README.txt", "bundle.json", "solicitation.csv", "scoring_rules.csv",
         "applications.csv", "reviews.csv", "assignments.csv", "flags.csv", "runs.csv",
         "breakdowns.csv", "plans.csv", "plan_lines.csv", "plan_adjustments.csv"}  # fmt: skip


def r4(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def percentiles(values: dict) -> dict:
    """Average ranks for ties, (r - 1) / (n - 1) x 100: README "Scoring"."""
    n = len(values)
    ordered = sorted(values.values())
    result = {}
    for key, value in values.items():
        positions = [i + 1 for i, v in enumerate(ordered) if v == value]
        rank = Decimal(sum(positions)) / len(positions)
        result[key] = r4(100) if n == 1 else r4((rank - 1) / (n - 1) * 100)
    return result


def recompute_ranking(bundle: dict) -> dict[int, int]:
    """Ranks from the bundle's JSON: reported figures, submitted review totals, rules version."""
    run = next(r for r in bundle["runs"] if r["is_current"])
    rules = next(r for r in bundle["scoring_rules"] if r["version"] == run["rules_version"])
    maximum = sum(Decimal(str(c["max"])) for c in rules["rubric"])
    scored = {b["application"] for b in bundle["breakdowns"] if b["run"] == run["id"]}
    apps = {a["id"]: a for a in bundle["applications"] if a["id"] in scored}
    measures = {
        "cut": {k: -Decimal(a["budget_change_percent"]) for k, a in apps.items()},
        "unemployment": {k: Decimal(a["unemployment_rate"]) for k, a in apps.items()},
        "poverty": {k: Decimal(a["poverty_rate"]) for k, a in apps.items()},
        "violent": {k: r4(Decimal(a["violent_crimes"]) * 1000 / a["jurisdiction_population"])
                    for k, a in apps.items()},
        "property": {k: r4(Decimal(a["property_crimes"]) * 1000 / a["jurisdiction_population"])
                     for k, a in apps.items()},
    }  # fmt: skip
    pct = {name: percentiles(values) for name, values in measures.items()}
    standings = []
    for key, app in apps.items():
        totals = [Decimal(str(r["total"])) for r in bundle["reviews"]
                  if r["application"] == key and r["status"] == "submitted"]  # fmt: skip
        fiscal = r4((pct["cut"][key] + pct["unemployment"][key] + pct["poverty"][key]) / 3)
        crime = r4((pct["violent"][key] + pct["property"][key]) / 2)
        cp = r4(sum(totals) / len(totals) / maximum * 100)
        without = r4((fiscal * rules["fiscal_need_weight"] + crime * rules["crime_weight"]
                      + cp * rules["community_policing_weight"]) / 100)  # fmt: skip
        bonus = (Decimal(rules["sro_bonus_points"]) if app["sro_commitment"] else 0) + (
            Decimal(rules["veteran_bonus_points"]) if app["veteran_commitment"] else 0
        )
        submitted = datetime.fromisoformat(app["submitted_at"]).timestamp()
        standings.append((-r4(without + bonus), -fiscal, -crime, submitted, key))
    return {s[-1]: position for position, s in enumerate(sorted(standings), start=1)}


@pytest.fixture
def released(grants_manager, program_specialist):
    solicitation = solicitation_with_rules()
    apps = worked_example(solicitation)
    flag = DataFlag.objects.create(
        application=apps["A"], kind=DataFlag.Kind.POVERTY, value=Decimal("10"),
        message="Poverty above the solicitation's median.", resolution="verified",
        resolution_note="Census ACS table attached.", resolved_at=timezone.now(),
        resolved_by=program_specialist,
    )  # fmt: skip
    run = services.compute_scores(solicitation=solicitation, by=grants_manager)
    plan = services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    services.adjust_plan(plan=plan, application=apps["D"], by=grants_manager, kind="exclude",
                         memo="Duplicate of a funded FY25 award.")  # fmt: skip
    approver = UserFactory(roles=[roles.GRANTS_MANAGER])
    services.approve_plan(plan=plan, by=approver)
    services.release_decisions(plan=plan, by=approver)
    return solicitation, run, apps, flag, approver


def download(client, solicitation) -> zipfile.ZipFile:
    response = client.get(
        reverse("admin:applications_fundingplan_audit_bundle", args=[solicitation.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f"{solicitation.code}-audit-bundle.zip" in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_the_bundle_recomputes_the_same_ranking_from_its_json_alone(
    signed_in, grants_manager, released
):
    solicitation, run, _, _, _ = released
    bundle = json.loads(download(signed_in(grants_manager), solicitation).read("bundle.json"))
    stored = dict(ScoreBreakdown.objects.filter(run=run).values_list("application_id", "rank"))
    assert len(stored) == 4
    assert recompute_ranking(bundle) == stored
    assert {b["application"]: b["rank"] for b in bundle["breakdowns"]} == stored


def test_the_bundle_holds_rules_reviews_flags_plan_adjustments_and_approvals_as_csv_and_json(
    signed_in, grants_manager, released
):
    solicitation, _, apps, flag, approver = released
    archive = download(signed_in(grants_manager), solicitation)
    assert set(archive.namelist()) == FILES

    def table(name):
        return list(csv.DictReader(io.StringIO(archive.read(f"{name}.csv").decode())))

    rules = table("scoring_rules")[0]
    assert (rules["version"], rules["fiscal_need_weight"], rules["sro_bonus_points"]) == (
        "1",
        "50",
        "5.00",
    )
    assert "problem_identification" in json.loads(rules["rubric"])[0]["key"]
    reviews = table("reviews")
    assert len(reviews) == 8 and all(r["reviewer"].isdigit() for r in reviews)
    assert "@" not in archive.read("reviews.csv").decode()  # reviewers by id only
    assert {r["total"] for r in reviews if r["application"] == str(apps["A"].pk)} == {"15", "17"}
    flags = table("flags")
    assert (flags[0]["kind"], flags[0]["resolution"]) == ("poverty", "verified")
    assert flags[0]["resolution_note"] == "Census ACS table attached."
    breakdowns = table("breakdowns")
    assert len(breakdowns) == 4 and json.loads(breakdowns[0]["percentiles"])
    (plan,) = table("plans")
    assert plan["status"] == "released" and json.loads(plan["approved_by"])["id"] == approver.pk
    (adjustment,) = table("plan_adjustments")
    assert adjustment["memo"] == "Duplicate of a funded FY25 award."
    assert adjustment["application_id"] == str(apps["D"].pk)
    lines = {line["application_id"]: line for line in table("plan_lines")}
    assert lines[str(apps["D"].pk)]["positions_funded"] == "0"
    assert "Audit bundle of " + solicitation.code in archive.read("README.txt").decode()
    bundle = json.loads(archive.read("bundle.json"))
    assert bundle["plans"][0]["adjustments"][0]["memo"] == adjustment["memo"]
    assert bundle["flags"][0]["resolved_by"]["email"] == flag.resolved_by.email
