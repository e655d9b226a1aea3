"""The CHP money rules (DOMAIN.md "Money"): the budget arithmetic, the officer cap, and the same
rules enforced when an agency saves the officer request section."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from applications.budget import MONEY_FORMAT_MESSAGE, compute_budget, officer_cap, parse_money
from applications.fields import MoneyField, MoneyInput
from applications.models import Application
from tests.factories import ApplicationFactory, SolicitationFactory

D = Decimal
CAP = D("125000")
EASTERN = ZoneInfo("America/New_York")


def budget(*, salaries, fringes, percent="75", cap=CAP, positions=1):
    return compute_budget(
        positions=positions,
        salaries=[None if s is None else D(s) for s in salaries],
        fringes=[None if f is None else D(f) for f in fringes],
        federal_percent=D(percent),
        per_officer_cap=None if cap is None else D(cap),
    )


def assert_cents(value):
    assert isinstance(value, Decimal), f"{value!r} is not a Decimal"
    assert value.as_tuple().exponent == -2, f"{value!r} is not rounded to the cent"


# compute_budget ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("salaries", "fringes", "percent", "cost", "federal", "local", "cap_applies"),
    [
        pytest.param(
            ["70000", "70000", "70000"], ["0", "0", "0"], "75",
            "210000.00", "125000.00", "85000.00", True, id="75pct-above-cap-is-capped",
        ),
        pytest.param(
            ["52000", "53560", "55166.80"], ["18200", "18746", "19308.38"], "75",
            "216981.18", "125000.00", "91981.18", True, id="realistic-3-years-capped",
        ),
        pytest.param(
            ["40000", "40000", "40000"], ["10000", "10000", "10000"], "75",
            "150000.00", "112500.00", "37500.00", False, id="cheap-salaries-exactly-75pct",
        ),
        pytest.param(
            ["55555.56", "55555.56", "55555.56"], ["0", "0", "0"], "75",
            "166666.68", "125000.00", "41666.68", True, id="one-cent-over-the-cap",
        ),
        pytest.param(
            ["55555.55", "55555.55", "55555.56"], ["0", "0", "0"], "75",
            "166666.66", "125000.00", "41666.66", False, id="rounds-onto-the-cap-not-over",
        ),
        pytest.param(
            ["30000", "30000", "30000"], ["3333.33", "3333.33", "3333.34"], "90",
            "100000.00", "90000.00", "10000.00", False, id="partial-waiver-90pct-uncapped",
        ),
        pytest.param(
            ["40000", "40000", "40000"], ["10000", "10000", "10000"], "90",
            "150000.00", "125000.00", "25000.00", True, id="partial-waiver-still-capped",
        ),
        pytest.param(
            ["30000", "30000", "30000"], ["3333.33", "3333.33", "3333.34"], "100",
            "100000.00", "100000.00", "0.00", False, id="full-waiver-100pct-no-local-match",
        ),
        pytest.param(
            ["70000", "70000", "70000"], ["0", "0", "0"], "100",
            "210000.00", "125000.00", "85000.00", True, id="full-waiver-still-capped",
        ),
        pytest.param(
            # 75% of 100,000.06 is 75,000.045: half up gives .05 (banker's rounding gives .04).
            ["30000", "30000", "30000"], ["3333.35", "3333.35", "3333.36"], "75",
            "100000.06", "75000.05", "25000.01", False, id="half-cent-rounds-up-at-75pct",
        ),
        pytest.param(
            # 90% of 100,000.05 is 90,000.045.
            ["30000", "30000", "30000"], ["3333.35", "3333.35", "3333.35"], "90",
            "100000.05", "90000.05", "10000.00", False, id="half-cent-rounds-up-at-90pct",
        ),
        pytest.param(
            ["50000", None, None], ["10000", None, None], "75",
            "60000.00", "45000.00", "15000.00", False, id="blank-years-count-as-zero",
        ),
    ],
)  # fmt: skip
def test_the_federal_share_is_the_percent_of_cost_but_never_above_the_per_officer_cap(
    salaries, fringes, percent, cost, federal, local, cap_applies
):
    result = budget(salaries=salaries, fringes=fringes, percent=percent)
    assert result.cost_per_position == D(cost)
    assert result.federal_per_position == D(federal)
    assert result.local_per_position == D(local)
    assert result.cap_applies is cap_applies
    assert result.federal_per_position + result.local_per_position == result.cost_per_position


def test_the_cap_is_a_setting_of_the_solicitation_not_a_constant():
    result = budget(salaries=["70000"] * 3, fringes=["0"] * 3, cap="100000")
    assert (result.federal_per_position, result.cap_applies) == (D("100000.00"), True)
    assert result.per_officer_cap == D("100000.00")


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        pytest.param("50000.005", "50000.01", id="half-cent-up"),
        pytest.param("50000.004", "50000.00", id="below-half-down"),
        pytest.param("50000.015", "50000.02", id="half-cent-up-from-odd"),
        pytest.param("50000.025", "50000.03", id="half-cent-up-from-even"),
    ],
)
def test_each_years_amounts_are_rounded_to_the_cent_half_up(given, stored):
    result = budget(salaries=[given, "0", "0"], fringes=["0", "0", "0"])
    assert result.years[0].salary == D(stored)
    assert result.cost_per_position == D(stored)


@pytest.mark.parametrize(
    ("positions", "total_cost", "total_federal", "total_local"),
    [
        pytest.param(0, "0.00", "0.00", "0.00", id="zero-positions"),
        pytest.param(1, "210000.00", "125000.00", "85000.00", id="one-position"),
        pytest.param(3, "630000.00", "375000.00", "255000.00", id="three-positions"),
        pytest.param(50, "10500000.00", "6250000.00", "4250000.00", id="fifty-positions"),
    ],
)
def test_totals_multiply_the_per_position_figures_by_the_positions(
    positions, total_cost, total_federal, total_local
):
    result = budget(salaries=["70000"] * 3, fringes=["0"] * 3, positions=positions)
    assert result.positions == positions
    assert result.total_cost == D(total_cost)
    assert result.total_federal == D(total_federal)
    assert result.total_local == D(total_local)
    # Per position, the figures do not depend on how many positions are requested.
    assert result.federal_per_position == D("125000.00")


def test_totals_of_a_half_cent_per_position_budget_are_exact_multiples():
    result = budget(salaries=["30000"] * 3, fringes=["3333.35", "3333.35", "3333.36"], positions=3)
    assert result.total_federal == D("225000.15")  # 3 x 75,000.05, not 75% of 300,000.18
    assert result.total_local == D("75000.03")
    assert result.total_cost == D("300000.18")


@pytest.mark.parametrize(
    ("salaries", "fringes", "cap"),
    [
        pytest.param([70000, 70000, 70000], [0, 0, 0], 125000, id="integers"),
        pytest.param(["52000.1", "53560", "55166.8"], ["18200", "1.5", "0"], "125000", id="few-dp"),
        pytest.param(["30000"] * 3, ["3333.35", "3333.35", "3333.36"], "125000.00", id="half-cent"),
        pytest.param([None, None, None], [None, None, None], "125000", id="all-blank"),
    ],
)
def test_every_amount_is_a_decimal_rounded_to_the_cent(salaries, fringes, cap):
    result = compute_budget(
        positions=2,
        salaries=[None if s is None else D(s) for s in salaries],
        fringes=[None if f is None else D(f) for f in fringes],
        federal_percent=D("75"),
        per_officer_cap=D(cap),
    )
    for amount in (
        result.cost_per_position, result.federal_per_position, result.local_per_position,
        result.per_officer_cap, result.total_cost, result.total_federal, result.total_local,
        result.local_percent,
    ):  # fmt: skip
        assert_cents(amount)
    for year in result.years:
        assert_cents(year.salary)
        assert_cents(year.fringe)
        assert_cents(year.total)
    assert [y.year for y in result.years] == [1, 2, 3]


@pytest.mark.parametrize(
    ("salaries", "fringes", "local_percent"),
    [
        pytest.param(["40000"] * 3, ["10000"] * 3, "25.00", id="uncapped-25pct"),
        pytest.param(["70000"] * 3, ["0"] * 3, "40.48", id="capped-more-local"),
        pytest.param(["0"] * 3, ["0"] * 3, "0.00", id="no-cost"),
    ],
)
def test_the_local_percent_shows_what_the_cap_costs_the_agency(salaries, fringes, local_percent):
    assert budget(salaries=salaries, fringes=fringes).local_percent == D(local_percent)


def test_salaries_and_fringes_must_cover_the_same_years():
    with pytest.raises(ValueError):
        budget(salaries=["50000", "50000"], fringes=["1000"])


@pytest.mark.parametrize("years", [1, 2, 3, 4, 5])
def test_a_budget_has_one_salary_and_fringe_entry_per_funded_year(years):
    result = budget(salaries=["50000"] * years, fringes=["10000"] * years, cap=None)
    assert [y.year for y in result.years] == list(range(1, years + 1))
    assert result.cost_per_position == D("60000.00") * years
    assert result.federal_per_position == D("45000.00") * years


@pytest.mark.parametrize("years", [0, 6])
def test_a_budget_covers_one_to_five_funded_years(years):
    with pytest.raises(ValueError, match="1 to 5 funded years"):
        budget(salaries=["50000"] * years, fringes=["10000"] * years)


def test_five_years_of_salary_reach_the_cap_sooner():
    three = budget(salaries=["40000"] * 3, fringes=["10000"] * 3)
    five = budget(salaries=["40000"] * 5, fringes=["10000"] * 5)
    assert (three.federal_per_position, three.cap_applies) == (D("112500.00"), False)
    assert (five.federal_per_position, five.cap_applies) == (D("125000.00"), True)
    assert five.local_per_position == D("125000.00")


@pytest.mark.parametrize("percent", ["75", "90", "100"])
def test_without_a_per_officer_cap_the_federal_share_is_the_whole_percent(percent):
    result = budget(salaries=["70000"] * 3, fringes=["0"] * 3, percent=percent, cap=None)
    assert result.per_officer_cap is None
    assert result.federal_per_position == D("210000.00") * D(percent) / 100
    assert result.cap_applies is False
    assert result.cap_note == ""


@pytest.mark.parametrize(
    ("cap", "note"),
    [
        pytest.param("125000", "Capped at $125,000", id="whole-dollars"),
        pytest.param("99999.5", "Capped at $99,999.50", id="with-cents"),
        pytest.param("300000", "", id="cap-not-reached-no-label"),
        pytest.param(None, "", id="no-cap-no-label"),
    ],
)
def test_the_cap_label_names_the_cap_only_when_it_limits_the_federal_share(cap, note):
    assert budget(salaries=["70000"] * 3, fringes=["0"] * 3, cap=cap).cap_note == note


# Money answers ----------------------------------------------------------------------------------
# The full list of accepted and refused answers is in budget_vectors.json (test_budget_vectors.py).


def test_parse_money_reads_commas_and_refuses_exponents():
    assert parse_money(" $1,234,567.5 ") == D("1234567.50")
    for text in ("5e4", "5,5000", "-100", "100.001"):
        with pytest.raises(ValueError, match=r"like 55,000 or 55000\.00"):
            parse_money(text)


def test_a_money_field_is_a_text_box_with_a_decimal_keypad_so_commas_can_be_typed():
    class Form(forms.Form):
        salary = MoneyField(label="Salary")

    html = str(Form()["salary"])
    assert 'type="text"' in html
    assert 'inputmode="decimal"' in html
    assert 'type="number"' not in html
    assert "step=" not in html
    assert isinstance(Form().fields["salary"].widget, MoneyInput)


def test_a_money_field_cleans_a_typed_amount_to_a_decimal_of_cents():
    field = MoneyField()
    assert field.clean("$55,000") == D("55000.00")
    assert field.clean("55000.5") == D("55000.50")
    with pytest.raises(forms.ValidationError) as error:
        field.clean("5e4")
    assert error.value.messages == [MONEY_FORMAT_MESSAGE]
    assert MONEY_FORMAT_MESSAGE == "Enter an amount in dollars and cents, like 55,000 or 55000.00."


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_money_field_is_empty_not_invalid(blank):
    assert MoneyField(required=False).clean(blank) is None
    with pytest.raises(forms.ValidationError) as error:
        MoneyField().clean(blank)
    assert error.value.code == "required"


def test_a_money_field_still_limits_the_digits_its_column_holds():
    field = MoneyField(max_digits=10, decimal_places=2)
    assert field.clean("99,999,999.99") == D("99999999.99")
    with pytest.raises(forms.ValidationError) as error:
        field.clean("100,000,000")
    assert error.value.messages == ["Ensure that there are no more than 10 digits in total."]


def test_a_money_field_refuses_a_number_input_which_would_refuse_commas():
    with pytest.raises(ImproperlyConfigured):
        MoneyField(widget=forms.NumberInput)
    with pytest.raises(ImproperlyConfigured):
        MoneyField(widget=forms.NumberInput(attrs={"step": "0.01"}))


@pytest.mark.django_db
def test_a_model_form_can_use_money_field_for_a_salary_column():
    Form = forms.modelform_factory(
        Application, fields=["salary_year_1"], field_classes={"salary_year_1": MoneyField}
    )
    form = Form(data={"salary_year_1": "$52,000"}, instance=ApplicationFactory.build())
    assert form.is_valid(), form.errors
    assert form.cleaned_data["salary_year_1"] == D("52000.00")
    too_big = Form(data={"salary_year_1": "123,456,789"}, instance=ApplicationFactory.build())
    assert not too_big.is_valid()  # max_digits=10, decimal_places=2 come from the column


# officer_cap ------------------------------------------------------------------------------------

FY2014 = {
    "percent_of_force": D("5"),
    "max_officers": 15,
    "max_officers_large": 25,
    "large_population": 1_000_000,
    "small_force": 20,
}


@pytest.mark.parametrize(
    ("sworn_force", "population", "rules", "expected"),
    [
        pytest.param(212, 114_394, {}, 10, id="5pct-of-212-floors-to-10"),
        pytest.param(99, 52_000, {}, 4, id="5pct-of-99-floors-to-4-not-5"),
        pytest.param(80, 52_000, {}, 4, id="5pct-of-80-is-4"),
        pytest.param(1_000, 999_999, {}, 15, id="max-15-below-1-million"),
        pytest.param(1_000, 1_000_000, {}, 25, id="max-25-at-1-million"),
        pytest.param(10_000, 8_000_000, {}, 25, id="max-25-large-city"),
        pytest.param(300, 2_000_000, {}, 15, id="large-city-percent-still-binds"),
        pytest.param(19, 9_000, {}, 1, id="small-agency-may-ask-for-one"),
        pytest.param(5, 2_000, {}, 1, id="tiny-agency-may-ask-for-one"),
        pytest.param(20, 9_000, {"percent_of_force": D("2")}, 1, id="small-boundary-20-sworn"),
        # The percentage never leaves an agency without a position to ask for.
        pytest.param(21, 9_000, {"percent_of_force": D("2")}, 1, id="percent-never-below-one"),
        pytest.param(19, 9_000, {"small_force": None}, 1, id="no-small-agency-rule"),
        # The small-agency rule is a ceiling, not a floor.
        pytest.param(19, 9_000, {"percent_of_force": None}, 1, id="small-agency-ceiling"),
        pytest.param(20, 9_000, {"percent_of_force": D("50")}, 1, id="small-ceiling-beats-pct"),
        pytest.param(21, 9_000, {"percent_of_force": D("50")}, 10, id="21-sworn-is-not-small"),
        pytest.param(
            19, 9_000, {"percent_of_force": None, "max_officers": None}, 1,
            id="small-ceiling-alone",
        ),
        pytest.param(
            2_000, 50_000, {"percent_of_force": None, "max_officers": None}, None, id="no-cap"
        ),
        pytest.param(
            2_000, 50_000,
            {"percent_of_force": None, "max_officers": None, "max_officers_large": None,
             "large_population": None, "small_force": None},
            None, id="fy2020-no-cap-settings-at-all",
        ),
        pytest.param(2_000, 50_000, {"percent_of_force": None}, 15, id="only-max"),
        pytest.param(2_000, 50_000, {"max_officers": None}, 100, id="only-percent"),
        pytest.param(2_000, 2_000_000, {"max_officers_large": None}, 15, id="no-large-max"),
        pytest.param(None, 50_000, {}, 15, id="unknown-sworn-force-uses-max"),
        pytest.param(1_000, None, {}, 15, id="unknown-population-uses-small-max"),
        pytest.param(400, 50_000, {"max_officers": 30}, 20, id="min-of-percent-and-max"),
        pytest.param(400, 50_000, {"percent_of_force": D("2.5")}, 10, id="fractional-percent"),
    ],
)  # fmt: skip
def test_the_officer_cap(sworn_force, population, rules, expected):
    assert (
        officer_cap(sworn_force=sworn_force, population=population, **(FY2014 | rules)) == expected
    )


# Application.budget -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_complete_application_budgets_three_positions_at_the_capped_federal_share():
    application = ApplicationFactory(complete=True)
    result = application.budget
    assert result.positions == 3
    assert result.federal_percent == D("75")
    assert result.cost_per_position == D("216981.18")
    assert result.federal_per_position == D("125000.00")
    assert result.total_federal == D("375000.00")
    assert result.total_local == D("275943.54")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("waiver", "percent", "federal_per_position"),
    [
        pytest.param("none", "75", "162735.89", id="no-waiver-75pct"),
        pytest.param("partial", "85", "184434.00", id="partial-waiver-uses-solicitation-85pct"),
        pytest.param("full", "95", "206132.12", id="full-waiver-uses-solicitation-95pct"),
        pytest.param("", "75", "162735.89", id="unanswered-75pct"),
    ],
)
def test_a_match_waiver_changes_the_federal_percent_to_the_solicitations_setting(
    waiver, percent, federal_per_position
):
    application = ApplicationFactory(
        complete=True,
        match_waiver=waiver,
        waiver_justification="Budget cut 18% and 12 layoffs." if waiver else "",
        solicitation__per_officer_cap=D("1000000"),  # out of the way: only the percent counts
        solicitation__partial_waiver_federal_percent=D("85"),
        solicitation__full_waiver_federal_percent=D("95"),
    )
    result = application.budget
    assert application.federal_percent == D(percent)
    assert result.federal_percent == D(percent)
    assert result.federal_per_position == D(federal_per_position)  # 216,981.18 x percent
    assert result.total_federal == D(federal_per_position) * 3


@pytest.mark.django_db
def test_a_waiver_keeps_the_per_officer_cap_under_the_older_rule():
    application = ApplicationFactory(
        complete=True, match_waiver="full", solicitation__waiver_lifts_officer_cap=False
    )
    assert application.budget.federal_percent == D("100")
    assert application.budget.federal_per_position == D("125000.00")
    assert application.budget.cap_applies is True


@pytest.mark.django_db
def test_a_waiver_lifts_the_per_officer_cap_under_fy2022_guidance():
    application = ApplicationFactory(complete=True, match_waiver="full")
    assert application.solicitation.waiver_lifts_officer_cap is True
    assert application.budget.federal_per_position == application.budget.cost_per_position
    assert application.budget.federal_per_position > D("125000.00")
    assert application.budget.cap_applies is False


@pytest.mark.django_db
def test_without_a_waiver_the_cap_applies_whatever_the_setting():
    application = ApplicationFactory(complete=True, match_waiver="none")
    assert application.budget.federal_per_position == D("125000.00")


@pytest.mark.django_db
def test_only_the_funded_years_of_the_solicitation_are_costed():
    application = ApplicationFactory(complete=True, solicitation__funded_months=24)
    result = application.budget
    assert [y.year for y in result.years] == [1, 2]
    assert result.cost_per_position == D("142506.00")  # years 1 and 2 only


@pytest.mark.django_db
@pytest.mark.parametrize(
    "category", ["positions_new_hire", "positions_rehire_laid_off", "positions_rehire_scheduled"]
)
def test_each_hiring_category_counts_toward_the_budgeted_positions(category):
    counts = {
        "positions_new_hire": 0,
        "positions_rehire_laid_off": 0,
        "positions_rehire_scheduled": 0,
    }
    application = ApplicationFactory(complete=True, **(counts | {category: 2}))
    assert application.total_positions == 2
    assert application.budget.positions == 2
    assert application.budget.total_federal == D("250000.00")


@pytest.mark.django_db
def test_the_categories_add_up():
    application = ApplicationFactory(
        complete=True,
        positions_new_hire=2,
        positions_rehire_laid_off=3,
        positions_rehire_scheduled=4,
    )
    assert application.budget.positions == 9
    assert application.budget.total_federal == D("1125000.00")


# The money rules as section validation -----------------------------------------------------------

OFFICERS_VALID = {
    "positions_new_hire": "",
    "positions_rehire_laid_off": "",
    "positions_rehire_scheduled": "",
    "layoff_date": "",
    "layoff_explanation": "",
    "salary_year_1": "52000.00",
    "salary_year_2": "53560.00",
    "salary_year_3": "55166.80",
    "fringe_year_1": "18200.00",
    "fringe_year_2": "18746.00",
    "fringe_year_3": "19308.38",
    "return": "1",
}


def post_officers(client, application, **changes):
    url = reverse("applications:application_section", args=[application.pk, "officers"])
    data = OFFICERS_VALID | {"version": str(application.section_version("officers"))} | changes
    return client.post(url, data)


def assert_nothing_saved(application):
    stored = Application.objects.get(pk=application.pk)
    assert stored.section_version("officers") == 0
    assert stored.total_positions == 0
    assert stored.salary_year_1 is None
    assert stored.layoff_date is None


@pytest.fixture
def draft(agency):
    """A fresh draft of `agency` (80 sworn officers: the FY2014 5% rule allows 4 positions)."""
    return ApplicationFactory(agency=agency)


@pytest.mark.django_db
def test_a_request_above_the_officer_cap_is_refused_and_nothing_is_saved(
    signed_in, applicant, draft
):
    response = post_officers(
        signed_in(applicant), draft, positions_new_hire="3", positions_rehire_laid_off="2"
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["positions_new_hire"] == [
        "This solicitation allows your agency at most 4 positions; you requested 5."
    ]
    assert 'id="id_positions_new_hire_error"' in response.text
    assert_nothing_saved(draft)


@pytest.mark.django_db
def test_a_request_at_the_officer_cap_is_saved(signed_in, applicant, draft):
    response = post_officers(
        signed_in(applicant), draft, positions_new_hire="3", positions_rehire_laid_off="1"
    )
    assert response.status_code == 302
    stored = Application.objects.get(pk=draft.pk)
    assert stored.total_positions == 4
    assert stored.section_version("officers") == 1


@pytest.mark.django_db
def test_the_officer_cap_uses_the_sworn_force_given_in_this_applications_agency_section(
    signed_in, applicant, agency
):
    profile = {
        "legal_name": agency.legal_name,
        "jurisdiction_population": 52_000,
        "sworn_force_actual": 200,  # 5% = 10 positions, where the agency record gives 4
    }
    application = ApplicationFactory(agency=agency, agency_profile=profile)
    response = post_officers(signed_in(applicant), application, positions_new_hire="10")
    assert response.status_code == 302
    response = post_officers(
        signed_in(applicant),
        Application.objects.get(pk=application.pk),
        positions_new_hire="11",
    )
    assert response.context["form"].errors["positions_new_hire"] == [
        "This solicitation allows your agency at most 10 positions; you requested 11."
    ]
    assert Application.objects.get(pk=application.pk).positions_new_hire == 10


@pytest.fixture
def uncapped_draft(agency):
    """No officer cap (FY2020 on), only the award ceiling, set low: $500,000 = 4 x $125,000."""
    solicitation = SolicitationFactory(
        officer_cap_percent=None, officer_cap_max=None, award_ceiling=D("500000.00")
    )
    return ApplicationFactory(agency=agency, solicitation=solicitation)


@pytest.mark.django_db
def test_a_request_whose_federal_share_is_above_the_award_ceiling_is_refused(
    signed_in, applicant, uncapped_draft
):
    response = post_officers(signed_in(applicant), uncapped_draft, positions_new_hire="5")
    assert response.status_code == 200
    assert response.context["form"].errors["positions_new_hire"] == [
        "The federal share you request ($625,000.00) is above this solicitation's award "
        "ceiling of $500,000.00. Request fewer positions."
    ]
    assert_nothing_saved(uncapped_draft)


@pytest.mark.django_db
def test_a_request_exactly_at_the_award_ceiling_is_saved(signed_in, applicant, uncapped_draft):
    response = post_officers(signed_in(applicant), uncapped_draft, positions_new_hire="4")
    assert response.status_code == 302
    stored = Application.objects.get(pk=uncapped_draft.pk)
    assert stored.budget.total_federal == D("500000.00")


# 11:30 PM Eastern on May 1 is already May 2 in UTC: "today" is the Eastern date.
LATE_EVENING = datetime(2026, 5, 1, 23, 30, tzinfo=EASTERN)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("layoff_date", "saved"),
    [
        pytest.param("2026-04-30", False, id="yesterday"),
        pytest.param("2026-05-01", False, id="today"),
        pytest.param("2025-12-31", False, id="last-year"),
        pytest.param("2026-05-02", True, id="tomorrow-although-already-today-in-utc"),
        pytest.param("2027-06-30", True, id="next-year"),
    ],
)
def test_a_scheduled_layoff_must_be_in_the_future(signed_in, applicant, agency, layoff_date, saved):
    with time_machine.travel(LATE_EVENING, tick=False):
        application = ApplicationFactory(agency=agency)
        response = post_officers(
            signed_in(applicant),
            application,
            positions_rehire_scheduled="2",
            layoff_date=layoff_date,
            layoff_explanation="Budget ordinance 2026-14 eliminates two positions.",
        )
    if saved:
        assert response.status_code == 302
        stored = Application.objects.get(pk=application.pk)
        assert stored.layoff_date.isoformat() == layoff_date
        assert stored.positions_rehire_scheduled == 2
    else:
        assert response.status_code == 200
        assert response.context["form"].errors["layoff_date"] == [
            "A scheduled layoff must be in the future. Officers already laid off are "
            "'rehire (already laid off)' positions."
        ]
        assert_nothing_saved(application)


@pytest.mark.django_db
def test_scheduled_layoff_positions_need_a_date_and_an_explanation(signed_in, applicant, draft):
    response = post_officers(signed_in(applicant), draft, positions_rehire_scheduled="1")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["layoff_date"] == ["Enter the date the officers are scheduled to be laid off."]
    assert errors["layoff_explanation"] == ["Explain what schedules the layoffs."]
    assert_nothing_saved(draft)
