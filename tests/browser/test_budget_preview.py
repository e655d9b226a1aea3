"""The live budget preview (static/js/budget.js) in real Chromium: money typed as people type it,
amounts it cannot read flagged, the cap labelled while typing, and every figure on a phone screen.

A small page built here holds the preview with MoneyField inputs, so the preview is tested on its
own; the officer request section uses the same template, script and data attributes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path
from playwright.sync_api import Locator, Page, expect

from applications.budget import compute_budget
from applications.fields import MoneyField
from tests.factories import PASSWORD, AgencyFactory, ApplicationFactory, MembershipFactory

from .conftest import PageProblems, artifact_path
from .test_onboarding import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.urls(__name__)]

PHONE = {"width": 390, "height": 844}
FIGURES = ["cost_per_position", "federal_per_position", "local_per_position",
           "total_cost", "total_federal", "total_local"]  # fmt: skip
PAGE = engines["django"].from_string(
    """{% extends "base.html" %}{% load static %}
{% block content %}
<h1>Budget preview</h1>
<form class="usa-form usa-form--large maxw-full" novalidate data-budget-form
  data-federal-percent="{{ percent }}" data-per-officer-cap="{{ cap }}" data-years="{{ years }}">
  {% for field in form %}{% include "uswds/field.html" with form_show_labels=True %}{% endfor %}
  <div data-budget-output aria-live="polite">{% include "applications/_budget.html" %}</div>
</form>
<script src="{% static 'js/budget.js' %}"></script>
{% endblock %}"""
)


class PreviewForm(forms.Form):
    positions_new_hire = forms.IntegerField(required=False, min_value=0)
    positions_rehire_laid_off = forms.IntegerField(required=False, min_value=0)
    positions_rehire_scheduled = forms.IntegerField(required=False, min_value=0)

    def __init__(self, *, years: int) -> None:
        super().__init__()
        for year in range(1, years + 1):
            self.fields[f"salary_year_{year}"] = MoneyField(
                required=False, label=f"Year {year} salary"
            )
            self.fields[f"fringe_year_{year}"] = MoneyField(
                required=False, label=f"Year {year} fringe benefits"
            )


@login_not_required
def preview(request: HttpRequest, years: int) -> HttpResponse:
    percent = request.GET.get("percent", "75")
    cap = request.GET.get("cap", "125000.00")
    budget = compute_budget(
        positions=0,
        salaries=[None] * years,
        fringes=[None] * years,
        federal_percent=Decimal(percent),
        per_officer_cap=Decimal(cap) if cap else None,
    )
    context = {
        "form": PreviewForm(years=years),
        "budget": budget,
        "years": years,
        "percent": percent,
        "cap": cap,
    }
    return HttpResponse(PAGE.render(context, request))


urlpatterns = [
    path("test-budget/<int:years>/", preview),
    path("", include("copsgrants.urls")),
]


def fill(page: Page, **answers: str) -> None:
    for name, value in answers.items():
        page.locator(f"#id_{name}").fill(value)


def figure(page: Page, key: str) -> Locator:
    return page.locator(f"[data-budget-output] [data-budget='{key}']")


def assert_on_screen(page: Page, locator: Locator, width: int) -> None:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not displayed"
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{locator} is cut off: {box}"


THREE_YEARS = {
    "positions_new_hire": "2",
    "positions_rehire_laid_off": "1",
    "salary_year_1": "$52,000",
    "fringe_year_1": "18,200",
    "salary_year_2": "53,560.00",
    "fringe_year_2": "$18,746",
    "salary_year_3": "55166.8",
    "fringe_year_3": "19,308.38",
}


def test_the_preview_reads_amounts_with_commas_and_flags_the_ones_it_cannot_read(
    page: Page, page_problems: PageProblems
):
    page.goto("/test-budget/3/")
    expect(page.locator("#id_salary_year_1")).to_have_attribute("inputmode", "decimal")
    fill(page, **THREE_YEARS)
    expect(figure(page, "salary-1")).to_have_text("$52,000.00")
    expect(figure(page, "year-3")).to_have_text("$74,475.18")
    expect(figure(page, "cost_per_position")).to_have_text("$216,981.18")
    expect(figure(page, "total_federal")).to_have_text("$375,000.00")
    expect(figure(page, "total_local")).to_have_text("$275,943.54")
    page.get_by_test_id("budget").screenshot(path=artifact_path("budget-preview-desktop"))

    # An exponent, a badly grouped comma, three decimals: not silently zero, but flagged.
    for bad in ("5e4", "5,5000", "53560.001"):
        fill(page, salary_year_2=bad)
        expect(figure(page, "salary-2")).to_have_text("Check this amount")
        expect(figure(page, "salary-2")).to_have_class("budget-invalid")
        expect(figure(page, "year-2")).to_have_text("\u2014")
        for key in FIGURES:
            expect(figure(page, key)).to_have_text("\u2014")
        expect(figure(page, "cap_note")).to_be_hidden()
        expect(figure(page, "salary-1")).to_have_text("$52,000.00")  # the others still show

    fill(page, salary_year_2="53,560")
    expect(figure(page, "salary-2")).to_have_text("$53,560.00")
    expect(figure(page, "salary-2")).not_to_have_class("budget-invalid")
    expect(figure(page, "total_federal")).to_have_text("$375,000.00")

    # Clearing an amount is not an error: a blank year counts as zero while typing.
    fill(page, salary_year_3="")
    expect(figure(page, "salary-3")).to_have_text("$0.00")
    expect(figure(page, "cost_per_position")).to_have_text("$161,814.38")
    page_problems.assert_none()


def test_the_preview_labels_the_federal_share_as_capped_as_soon_as_the_cap_limits_it(
    page: Page, page_problems: PageProblems
):
    page.goto("/test-budget/3/")
    note = figure(page, "cap_note")
    expect(note).to_be_hidden()
    fill(page, positions_new_hire="1", salary_year_1="40,000", salary_year_2="40,000")
    fill(page, salary_year_3="40,000", fringe_year_1="10000", fringe_year_2="10000")
    fill(page, fringe_year_3="10,000")
    expect(figure(page, "federal_per_position")).to_have_text("$112,500.00")
    expect(note).to_be_hidden()

    fill(page, salary_year_3="60,000")  # cost 170,000: 75% is 127,500, above the cap
    expect(figure(page, "federal_per_position")).to_have_text("$125,000.00")
    expect(note).to_be_visible()
    expect(note).to_have_text("Capped at $125,000")
    expect(page.locator("th:has([data-budget='cap_note'])")).to_contain_text(
        "Federal share per position (75%)"
    )

    fill(page, salary_year_3="40,000")
    expect(note).to_be_hidden()
    page_problems.assert_none()


def test_without_a_cap_the_preview_never_caps_and_a_full_waiver_pays_everything(
    page: Page, page_problems: PageProblems
):
    page.goto("/test-budget/3/?cap=&percent=100")
    fill(page, positions_new_hire="2", salary_year_1="70,000", salary_year_2="70,000")
    fill(page, salary_year_3="70,000")
    expect(figure(page, "federal_per_position")).to_have_text("$210,000.00")
    expect(figure(page, "local_per_position")).to_have_text("$0.00")
    expect(figure(page, "total_federal")).to_have_text("$420,000.00")
    expect(figure(page, "cap_note")).to_be_hidden()
    page_problems.assert_none()


@pytest.mark.parametrize("years", [1, 5])
def test_the_preview_has_one_row_per_funded_year(page: Page, page_problems: PageProblems, years):
    page.goto(f"/test-budget/{years}/")
    rows = page.locator(".budget-table--years tbody tr")
    expect(rows).to_have_count(years)
    fill(page, positions_new_hire="1")
    for year in range(1, years + 1):
        fill(page, **{f"salary_year_{year}": "50,000", f"fringe_year_{year}": "10,000"})
    expect(figure(page, f"year-{years}")).to_have_text("$60,000.00")
    expect(figure(page, "cost_per_position")).to_have_text(f"${60_000 * years:,}.00")
    page_problems.assert_none()


FIVE_YEARS_FIFTY_OFFICERS = {
    "positions_new_hire": "40",
    "positions_rehire_laid_off": "10",
    **{f"salary_year_{y}": s for y, s in
       enumerate(["52,000", "53,560", "55,166.80", "56,821.80", "58,526.45"], start=1)},
    **{f"fringe_year_{y}": f for y, f in
       enumerate(["18,200", "18,746", "19,308.38", "19,887.63", "20,484.26"], start=1)},
}  # fmt: skip


def test_on_a_390px_phone_every_budget_figure_is_on_screen(page: Page, page_problems: PageProblems):
    page.set_viewport_size(PHONE)
    page.goto("/test-budget/5/?cap=")
    fill(page, **FIVE_YEARS_FIFTY_OFFICERS)
    expect(figure(page, "total_cost")).to_have_text("$18,635,066.00")
    expect(figure(page, "total_federal")).to_have_text("$13,976,299.50")
    fill(page, salary_year_4="56.821,80")
    expect(figure(page, "salary-4")).to_have_text("Check this amount")

    budget = page.get_by_test_id("budget")
    budget.scroll_into_view_if_needed()
    for cell in page.locator("[data-budget-output] [data-budget]").all():
        if cell.is_visible():
            assert_on_screen(page, cell, PHONE["width"])
    for header in budget.locator("th").all():
        if header.is_visible():  # the column headings give way to per-cell labels
            assert_on_screen(page, header, PHONE["width"])
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    budget.screenshot(path=artifact_path("budget-preview-390px"))
    page.screenshot(path=artifact_path("budget-preview-390px-page"), full_page=True)
    page_problems.assert_none()


def test_on_a_390px_phone_the_officer_request_budget_is_on_screen_and_labelled_capped(
    page: Page, page_problems: PageProblems
):
    agency = AgencyFactory()
    user = MembershipFactory(agency=agency, administrator=True, authorized_representative=True).user
    application = ApplicationFactory(agency=agency, complete=True)
    sign_in(page, user.email, PASSWORD)
    page.set_viewport_size(PHONE)
    page.goto(f"/applications/{application.pk}/officers/")

    budget = page.get_by_test_id("budget")
    # Server-rendered, then recomputed by budget.js: both say the same.
    expect(figure(page, "total_federal")).to_have_text("$375,000.00")
    expect(figure(page, "cap_note")).to_have_text("Capped at $125,000")
    expect(figure(page, "cap_note")).to_be_visible()
    budget.scroll_into_view_if_needed()
    for key in [*FIGURES, "year-1", "year-3", "salary-3", "fringe-3"]:
        assert_on_screen(page, figure(page, key), PHONE["width"])
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    budget.screenshot(path=artifact_path("budget-officers-390px"))
    page.screenshot(path=artifact_path("budget-officers-390px-page"), full_page=True)

    page.goto(f"/applications/{application.pk}/")  # the overview: the saved budget, no script
    saved = page.get_by_test_id("budget")
    expect(saved.locator("[data-budget=cap_note]")).to_have_text("Capped at $125,000")
    expect(saved.locator("[data-budget=cap_note]")).to_be_visible()
    saved.scroll_into_view_if_needed()
    for key in FIGURES:
        assert_on_screen(page, saved.locator(f"[data-budget={key}]"), PHONE["width"])
    page_problems.assert_none()
