"""The ranking table's rows are drawn in Python (applications/admin/ranking_table.py): each must
be byte for byte what the template's loop drew, for every kind of row."""

import dataclasses
from decimal import Decimal as D
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.urls import reverse

from applications import services
from applications.admin import charts
from applications.admin.ranking_table import table_row
from applications.models import Agency
from applications.ranking import (
    CARRIED,
    DRAWN_KEPT,
    PUSHED,
    forget_summaries,
    ranking,
    with_applications,
)

from .scoring_helpers import eligible_application, solicitation_with_rules

pytestmark = pytest.mark.django_db

# The loop body as the template had it before the rows moved to Python.
TEMPLATE = Template("""{% for row in page %}
      <tr class="{% if row.funded %}funded{% else %}not-funded{% endif %}{% if funding_line and row.breakdown.rank == funding_line.breakdown.rank %} funding-line-row{% endif %}">
        <td>{{ row.breakdown.rank }}</td>
        <td><a href="{% url 'admin:applications_application_change' row.breakdown.application_id %}">{{ row.application.agency.legal_name }}</a></td>
        <td>{{ row.state }}</td>
        <td class="num">{{ row.positions_requested }}</td>
        <td class="num">${{ row.federal_requested|floatformat:"0g" }}</td>
        <td class="num">{{ row.breakdown.fiscal_need }}</td>
        <td class="num">{{ row.breakdown.crime }}</td>
        <td class="num">{{ row.breakdown.community_policing }}</td>
        <td class="num">{% if row.breakdown.sro_bonus %}SRO +{{ row.breakdown.sro_bonus|floatformat:"-2" }}{% endif %}{% if row.breakdown.veteran_bonus %} veteran +{{ row.breakdown.veteran_bonus|floatformat:"-2" }}{% endif %}</td>
        <td class="num">{{ row.breakdown.score }}</td>
        <td class="num">{{ row.breakdown.rank_without_bonus }}</td>
        <td>{% if row.funded %}{{ row.positions_funded }} position{{ row.positions_funded|pluralize }}, ${{ row.federal_funded|floatformat:"0g" }}{% if row.basis == "state_minimum" %} (state minimum){% endif %}{% else %}Not funded{% endif %}{% if row.moved == "carried" %} <strong class="moved">carried by the SRO bonus</strong>{% elif row.moved == "pushed" %} <strong class="moved">pushed below by the bonuses</strong>{% endif %}{% if row.adjusted %} <em>adjusted</em>{% endif %}</td>
      </tr>
    {% endfor %}""")  # noqa: E501


@pytest.mark.parametrize("summary", [False, True])
def test_each_kind_of_row_is_drawn_as_the_template_drew_it(grants_manager, summary):
    solicitation = solicitation_with_rules()
    solicitation.total_funds = D("1000000.00")
    solicitation.save(update_fields=["total_funds"])
    eligible_application(solicitation, totals=(14, 14), state="OH",
                         name="Smith & O'Neil <County> \"PD\"")  # fmt: skip
    eligible_application(solicitation, totals=(12, 12), sro=True, veteran=True, minutes=1,
                         state="OH", name="Bonus Police Department")  # fmt: skip
    eligible_application(solicitation, totals=(11, 10), veteran=True, minutes=2, state="WA")
    eligible_application(solicitation, cut="0", totals=(8, 9), minutes=3, state="WA")
    run = services.compute_scores(solicitation=solicitation, by=grants_manager)
    data = ranking(run, summary=summary)
    # Copies: a summary's rows are shared with later requests.
    rows = [dataclasses.replace(row) for row in data.rows]
    applications = with_applications(rows)
    # Every branch of the funded cell, whatever the plan gave these four.
    first, second, third, fourth = rows
    first.moved, first.adjusted, first.basis = CARRIED, True, "state_minimum"
    second.moved, second.positions_funded, second.federal_funded = PUSHED, 1, D("125000.50")
    third.positions_funded, third.federal_funded, third.basis = 0, D("0.00"), "not_funded"
    fourth.positions_funded, fourth.federal_funded = 12, D("1234567.00")
    line = first
    # What the template read: the row, and its application (loaded with the page's rows).
    page = [
        SimpleNamespace(**vars(row), funded=row.funded,
                        application=applications[row.breakdown.application_id])
        for row in rows
    ]  # fmt: skip

    expected = TEMPLATE.render(Context({"page": page, "funding_line": line}))
    drawn = "".join(
        table_row(row, line.breakdown.rank, applications[row.breakdown.application_id])
        for row in rows
    )

    assert drawn == expected
    assert "Smith &amp; O&#x27;Neil &lt;County&gt; &quot;PD&quot;" in drawn
    assert "SRO +5 veteran +2" in drawn and "funding-line-row" in drawn


def test_the_ranking_page_shows_a_plan_adjustment_made_after_it_was_read(signed_in, grants_manager):
    # The page keeps what it computed for a run; an adjustment changes the plan's lines, and
    # the page must show the new plan, not the kept one.
    solicitation = solicitation_with_rules()
    solicitation.total_funds = D("1000000.00")
    solicitation.save(update_fields=["total_funds"])
    top = eligible_application(solicitation, totals=(20, 20), state="OH", name="Top PD")
    eligible_application(solicitation, totals=(10, 10), minutes=1, state="OH")
    run = services.compute_scores(solicitation=solicitation, by=grants_manager)
    plan = services.draft_funding_plan(solicitation=solicitation, by=grants_manager)
    client = signed_in(grants_manager)
    url = reverse("admin:applications_scoringrun_ranking", args=[run.pk])
    before = client.get(url).text
    assert "<em>adjusted</em>" not in before

    services.adjust_plan(plan=plan, application=top, by=grants_manager, kind="exclude",
                         memo="Declined the award in writing.")  # fmt: skip
    after = client.get(url).text
    row = after[after.index(">Top PD</a>") :]
    row = row[: row.index("</tr>")]
    assert "Not funded" in row and "<em>adjusted</em>" in row


CHARTS_BEFORE = Template((Path(__file__).parent / "ranking_charts_before.html").read_text())


def test_the_page_draws_its_kept_rows_and_charts_as_the_templates_drew_them(
    signed_in, grants_manager
):
    # The page keeps each row's figures and two of the charts drawn for as long as it keeps
    # the run's summary: the first request (drawing them) and the next (reading them) must
    # both be what the templates drew from the whole ranking.
    solicitation = solicitation_with_rules()
    solicitation.total_funds = D("1000000.00")
    solicitation.save(update_fields=["total_funds"])
    eligible_application(solicitation, totals=(14, 14), state="OH",
                         name="Smith & O'Neil <County> \"PD\"")  # fmt: skip
    eligible_application(solicitation, totals=(12, 12), sro=True, veteran=True, minutes=1,
                         state="OH", name="Bonus Police Department")  # fmt: skip
    eligible_application(solicitation, totals=(11, 10), veteran=True, minutes=2, state="WA")
    eligible_application(solicitation, cut="0", totals=(8, 9), minutes=3, state="WA")
    run = services.compute_scores(solicitation=solicitation, by=grants_manager)
    client = signed_in(grants_manager)
    url = reverse("admin:applications_scoringrun_ranking", args=[run.pk])

    first, second = client.get(url), client.get(url)

    data = ranking(run)  # whole rows, nothing kept
    applications = with_applications(data.rows)
    line = data.funding_line
    page = [
        SimpleNamespace(**vars(row), funded=row.funded,
                        application=applications[row.breakdown.application_id])
        for row in data.rows
    ]  # fmt: skip
    table = TEMPLATE.render(Context({"page": page, "funding_line": line}))
    drawn_charts = CHARTS_BEFORE.render(
        Context({
            "histogram": charts.score_histogram(
                [(r.breakdown.score, r.funded) for r in data.rows],
                line.breakdown.score if line else None,
            ),
            "slope": charts.slope_chart([
                {"rank": r.breakdown.rank, "rank_without_bonus": r.breakdown.rank_without_bonus,
                 "agency": applications[r.breakdown.application_id].agency.legal_name}
                for r in data.rows
            ]),
            "states": charts.state_funds(data.shares),
            "ranking": data,
        })
    )  # fmt: skip
    for response in (first, second):
        html = response.text
        assert table in html
        assert drawn_charts.strip() in html
    assert "Smith &amp; O&#x27;Neil &lt;County&gt; &quot;PD&quot;" in first.text


def test_a_filter_that_matches_nothing_says_so_in_the_table_as_the_loop_did(
    signed_in, grants_manager
):
    solicitation = solicitation_with_rules()
    eligible_application(solicitation, totals=(14, 14), state="OH")
    eligible_application(solicitation, totals=(12, 12), minutes=1, state="OH")
    run = services.compute_scores(solicitation=solicitation, by=grants_manager)
    url = reverse("admin:applications_scoringrun_ranking", args=[run.pk])

    html = signed_in(grants_manager).get(url + "?moved=carried").text

    # What `{% for %}...{% empty %}` drew between the body's tags.
    assert (
        '<tbody>\n    \n      <tr><td colspan="12">No application matches this filter.</td></tr>'
        "\n    \n    </tbody>"
    ) in html


def _content(html: str) -> str:
    """The page's own part (the chrome around it carries a fresh CSRF token per request)."""
    return html[html.index('<div id="content-main">') : html.index("</table>")]


def test_a_renamed_agency_shows_at_once_in_the_kept_table_and_slope_chart(
    signed_in, grants_manager
):
    # The table's rows and the charts are kept drawn with the agency names they print: a
    # rename (even one that sends no signal) must show on the next request, as a process that
    # kept nothing draws it.
    solicitation = solicitation_with_rules()
    top = eligible_application(solicitation, totals=(14, 14), state="OH", name="Old Name PD")
    eligible_application(solicitation, totals=(12, 12), sro=True, minutes=1, state="WA")
    run = services.compute_scores(solicitation=solicitation, by=grants_manager)
    client = signed_in(grants_manager)
    url = reverse("admin:applications_scoringrun_ranking", args=[run.pk])
    assert client.get(url).text.count("Old Name PD") == 2  # its row, its slope line
    client.get(url)  # read from what was kept

    Agency.objects.filter(pk=top.agency_id).update(legal_name="New <Name> PD")
    renamed = client.get(url).text

    assert "Old Name PD" not in renamed
    assert ">New &lt;Name&gt; PD</a></td>" in renamed
    assert "<title>New &lt;Name&gt; PD: rank 1 without bonuses" in renamed
    forget_summaries()  # what a fresh process draws
    assert _content(client.get(url).text) == _content(renamed)


def test_each_page_and_filter_is_kept_drawn_apart(signed_in, grants_manager, monkeypatch):
    monkeypatch.setattr("applications.admin.ranking.ROWS_PER_PAGE", 1)
    solicitation = solicitation_with_rules()
    eligible_application(solicitation, totals=(14, 14), state="OH", name="First PD")
    eligible_application(solicitation, totals=(12, 12), minutes=1, state="WA", name="Second PD")
    run = services.compute_scores(solicitation=solicitation, by=grants_manager)
    client = signed_in(grants_manager)
    url = reverse("admin:applications_scoringrun_ranking", args=[run.pk])

    for _ in range(2):  # drawn, then kept
        first, second = client.get(url).text, client.get(url + "?page=2").text
        nothing = client.get(url + "?moved=carried").text
        table = first[first.index("<tbody>") :]
        assert ">First PD</a>" in table and ">Second PD</a>" not in table
        table = second[second.index("<tbody>") :]
        assert ">Second PD</a>" in table and ">First PD</a>" not in table
        assert "No application matches this filter." in nothing


def test_a_kept_summary_keeps_only_its_last_drawn_fragments(grants_manager):
    solicitation = solicitation_with_rules()
    eligible_application(solicitation, totals=(14, 14), state="OH")
    run = services.compute_scores(solicitation=solicitation, by=grants_manager)
    data = ranking(run, summary=True)
    drawn = []
    for n in range(DRAWN_KEPT + 3):
        assert (
            data.drawn(("page", n), ("name",), lambda n=n: drawn.append(n) or f"<{n}>") == f"<{n}>"
        )
    assert data.drawn(("page", 0), ("name",), lambda: "again") == "again"  # dropped: drawn anew
    last = DRAWN_KEPT + 2
    assert data.drawn(("page", last), ("name",), lambda: "again") == f"<{last}>"  # kept
    assert data.drawn(("page", last), ("renamed",), lambda: "again") == "again"
    assert len(data.memo["drawn"]) == DRAWN_KEPT
