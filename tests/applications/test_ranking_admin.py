"""The ranking page, its charts and exports, and "Compute scores" on a solicitation."""

import csv
import io
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse

from applications import services
from applications.models import Application, ScoringRun
from applications.ranking import ranking

from .scoring_helpers import eligible_application, solicitation_with_rules, worked_example

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(grants_manager):
    solicitation = solicitation_with_rules()
    apps = worked_example(solicitation)
    run = services.compute_scores(solicitation=solicitation, by=grants_manager)
    return run, apps


def csv_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_the_solicitation_page_offers_compute_scores_to_a_grants_manager(signed_in, grants_manager):
    solicitation = solicitation_with_rules()
    html = (
        signed_in(grants_manager)
        .get(reverse("admin:applications_solicitation_change", args=[solicitation.pk]))
        .text
    )
    url = reverse("admin:applications_solicitation_compute_scores", args=[solicitation.pk])
    assert f'href="{url}"' in html


def test_compute_scores_asks_for_confirmation_then_shows_the_ranking_with_the_not_ready(
    signed_in, grants_manager
):
    solicitation = solicitation_with_rules()
    worked_example(solicitation)
    waiting = eligible_application(solicitation, totals=(9,), name="Waiting Police Department")
    client = signed_in(grants_manager)
    url = reverse("admin:applications_solicitation_compute_scores", args=[solicitation.pk])
    page = client.get(url)
    assert "Score the 5 eligible applications" in page.text and "rules v1" in page.text
    assert not ScoringRun.objects.exists()

    response = client.post(url, follow=True)
    run = ScoringRun.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "admin:applications_scoringrun_ranking", args=[run.pk]
    )
    assert "Scored 4 applications; 1 not ready" in response.text
    assert "Waiting Police Department</a>: 1 of 2 required reviews submitted" in response.text
    waiting.refresh_from_db()
    assert waiting.status == Application.Status.UNDER_REVIEW


def test_a_refusal_is_shown_on_the_confirmation_page(signed_in, grants_manager):
    solicitation = solicitation_with_rules()
    solicitation.scoring_rules.update(in_force=False)
    url = reverse("admin:applications_solicitation_compute_scores", args=[solicitation.pk])
    response = signed_in(grants_manager).post(url)
    assert response.status_code == 200
    assert "has no scoring rules in force" in response.text
    assert not ScoringRun.objects.exists()


@pytest.mark.parametrize("persona", ["reviewer", "program_specialist"])
def test_reviewers_and_specialists_cannot_compute_scores_or_open_the_ranking(
    request, signed_in, persona, scored
):
    run, _ = scored
    client = signed_in(request.getfixturevalue(persona))
    url = reverse("admin:applications_solicitation_compute_scores", args=[run.solicitation.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert ScoringRun.objects.count() == 1
    for name in ("ranking", "ranking_csv", "breakdowns_csv"):
        response = client.get(reverse(f"admin:applications_scoringrun_{name}", args=[run.pk]))
        assert response.status_code == 403, name


def test_the_ranking_lists_every_column_in_rank_order_with_three_charts(
    signed_in, grants_manager, scored
):
    run, _ = scored
    response = signed_in(grants_manager).get(
        reverse("admin:applications_scoringrun_ranking", args=[run.pk])
    )
    html = response.text
    table = html[html.index('<table id="ranking"') :]
    order = [table.index(f"{name} Police Department") for name in
             ("Dallas", "Culpeper", "Alton", "Bellingham")]  # fmt: skip
    assert order == sorted(order)
    for heading in ("Rank", "Agency", "State", "Positions", "Federal request", "Fiscal need",
                    "Crime", "Community policing", "Bonuses", "Final score",
                    "Rank without bonuses", "Funded"):  # fmt: skip
        assert f">{heading}</th>" in table
    assert "59.9167" in table and "SRO +5 veteran +2" in table
    assert len(re.findall(r"<svg [^>]*class=\"chart\"", html)) == 3
    assert 'id="chart-distribution"' in html and 'id="chart-slope"' in html
    assert 'id="chart-states"' in html
    assert " style=" not in html
    assert "<script>" not in html
    assert "data:image" not in html


def test_without_a_plan_the_default_plan_funds_each_states_best_then_national_order(
    signed_in, grants_manager
):
    # $750,000; each application asks 3 positions at $125,000 (the cap). Four states: each
    # state's 0.5% minimum ($3,750) takes one position of its best application ($500,000),
    # then the remaining $250,000 funds the top-ranked application's other two positions.
    solicitation = solicitation_with_rules()
    solicitation.total_funds = D("750000.00")
    solicitation.save(update_fields=["total_funds"])
    apps = worked_example(solicitation)
    run = services.compute_scores(solicitation=solicitation, by=grants_manager)
    data = ranking(run)
    assert data.plan is None
    rows = {key: next(r for r in data.rows if r.application == apps[key]) for key in "ABCD"}
    assert rows["D"].federal_requested == D("375000.00")
    assert {key: row.positions_funded for key, row in rows.items()} == {
        "A": 1, "B": 1, "C": 1, "D": 3}  # fmt: skip
    assert rows["A"].basis == "state_minimum"
    assert sum(row.federal_funded for row in data.rows) == D("750000.00")
    assert data.funding_line == data.rows[-1]
    html = (
        signed_in(grants_manager)
        .get(reverse("admin:applications_scoringrun_ranking", args=[run.pk]))
        .text
    )
    assert "by the default plan (no plan drafted from this run yet)" in html
    assert "3 positions, $375,000" in html and "(state minimum)" in html


def test_the_moved_by_sro_bonus_filter_lists_carried_and_pushed(signed_in, grants_manager):
    # Two applications in one state; money for one. The SRO bonus puts the weaker one first.
    solicitation = solicitation_with_rules()
    solicitation.total_funds = D("375000.00")
    solicitation.save(update_fields=["total_funds"])
    strong = eligible_application(solicitation, totals=(14, 14), state="OH",
                                  name="Strong Police Department")  # fmt: skip
    bonus = eligible_application(solicitation, totals=(12, 12), sro=True, minutes=1,
                                 state="OH", name="Bonus Police Department")  # fmt: skip
    run = services.compute_scores(solicitation=solicitation, by=grants_manager)
    data = ranking(run)
    rows = {row.breakdown.application_id: row for row in data.rows}
    assert rows[bonus.pk].breakdown.rank == 1 and rows[bonus.pk].breakdown.rank_without_bonus == 2
    assert rows[bonus.pk].funded and not rows[strong.pk].funded
    assert (rows[bonus.pk].moved, rows[strong.pk].moved) == ("carried", "pushed")

    client = signed_in(grants_manager)
    url = reverse("admin:applications_scoringrun_ranking", args=[run.pk])
    carried = client.get(url, {"moved": "carried"}).text
    table = carried[carried.index('<table id="ranking"') :]
    assert "Bonus Police Department" in table and "Strong Police Department" not in table
    assert "carried by the SRO bonus" in table
    pushed = client.get(url, {"moved": "pushed"}).text
    table = pushed[pushed.index('<table id="ranking"') :]
    assert "Strong Police Department" in table and "Bonus Police Department" not in table
    either = client.get(url, {"moved": "any"}).text
    assert "carried 1 application above the line" in either


def test_the_ranking_csv_parses_with_one_row_per_application(signed_in, grants_manager, scored):
    run, _ = scored
    response = signed_in(grants_manager).get(
        reverse("admin:applications_scoringrun_ranking_csv", args=[run.pk])
    )
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    rows = csv_rows(response)
    assert [row["agency"] for row in rows] == [
        f"{name} Police Department" for name in ("Dallas", "Culpeper", "Alton", "Bellingham")
    ]
    culpeper = rows[1]
    assert (culpeper["rank"], culpeper["score"], culpeper["rank without bonuses"]) == (
        "2", "59.9167", "3")  # fmt: skip
    assert culpeper["SRO bonus"] == "5.0000" and culpeper["fiscal need"] == "33.3333"


def test_the_breakdowns_csv_holds_every_input_percentile_and_review_score(
    signed_in, grants_manager, scored
):
    run, apps = scored
    response = signed_in(grants_manager).get(
        reverse("admin:applications_scoringrun_breakdowns_csv", args=[run.pk])
    )
    rows = {int(row["application"]): row for row in csv_rows(response)}
    alton = rows[apps["A"].pk]
    assert alton["budget_change_percent"] == "-10.00"
    assert alton["violent_crimes"] == "100" and alton["jurisdiction_population"] == "10000"
    assert alton["percentile budget_cut"] == "100.0000"
    assert alton["percentile property_per_1000"] == "33.3333"
    assert alton["fiscal_need"] == "44.4444" and alton["score"] == "58.8889"
    assert alton["rubric maximum"] == "20" and alton["rules version"] == "1"
    assert sorted([alton["review 1 total"], alton["review 2 total"]]) == ["15", "17"]
    assert alton["review 1 problem_identification"] == "5"


def test_the_scoring_run_list_links_each_run_to_its_ranking(signed_in, grants_manager, scored):
    run, _ = scored
    html = signed_in(grants_manager).get(reverse("admin:applications_scoringrun_changelist")).text
    assert reverse("admin:applications_scoringrun_ranking", args=[run.pk]) in html
    page = signed_in(grants_manager).get(
        reverse("admin:applications_scoringrun_change", args=[run.pk])
    )
    assert page.status_code == 200


def test_the_ranking_page_uses_a_fixed_number_of_queries(
    signed_in, grants_manager, django_assert_max_num_queries
):
    solicitation = solicitation_with_rules()
    for minutes in range(12):
        eligible_application(solicitation, minutes=minutes, cut=str(minutes))
    run = services.compute_scores(solicitation=solicitation, by=grants_manager)
    services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    client = signed_in(grants_manager)
    url = reverse("admin:applications_scoringrun_ranking", args=[run.pk])
    client.get(url)
    # Session, user, its device, the run, the user's permissions (2), the plan, its lines and
    # adjustments (1), the shown agencies' names.
    with django_assert_max_num_queries(9):
        assert client.get(url).status_code == 200


def test_the_xlsx_export_holds_the_ranking_and_every_breakdown_as_text_and_numbers(
    signed_in, grants_manager, scored
):
    from openpyxl import load_workbook

    run, apps = scored
    apps["A"].agency.legal_name = '=HYPERLINK("http://evil.example","Alton")'
    apps["A"].agency.save()
    response = signed_in(grants_manager).get(
        reverse("admin:applications_scoringrun_ranking_xlsx", args=[run.pk])
    )
    assert response["Content-Disposition"].startswith('attachment; filename="')
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Ranking", "Breakdowns"]
    ranking_rows = list(book["Ranking"].values)
    header, rows = ranking_rows[0], ranking_rows[1:]
    assert header[:3] == ("rank", "tracking number", "agency")
    assert len(rows) == 4 == book["Breakdowns"].max_row - 1
    by_agency = {row[2]: row for row in rows}
    # A name that looks like a formula is stored as text, not run as a formula.
    assert '=HYPERLINK("http://evil.example","Alton")' in by_agency
    cell = next(c for c in book["Ranking"]["C"] if str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"


def test_a_reviewer_cannot_download_the_xlsx(signed_in, reviewer, scored):
    run, _ = scored
    response = signed_in(reviewer).get(
        reverse("admin:applications_scoringrun_ranking_xlsx", args=[run.pk])
    )
    assert response.status_code in (403, 404)


def test_the_csv_never_hands_a_spreadsheet_a_formula(signed_in, grants_manager, scored):
    run, apps = scored
    apps["A"].agency.legal_name = '=HYPERLINK("http://evil.example","Alton")'
    apps["A"].agency.save()
    response = signed_in(grants_manager).get(
        reverse("admin:applications_scoringrun_ranking_csv", args=[run.pk])
    )
    agencies = [row["agency"] for row in csv_rows(response)]
    assert '\'=HYPERLINK("http://evil.example","Alton")' in agencies
    breakdowns = signed_in(grants_manager).get(
        reverse("admin:applications_scoringrun_breakdowns_csv", args=[run.pk])
    )
    rows = {int(row["application"]): row for row in csv_rows(breakdowns)}
    assert rows[apps["A"].pk]["budget_change_percent"] == "-10.00"  # a number stays a number
