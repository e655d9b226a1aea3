"""CHP rules the application used to get wrong: funded years, the small-agency ceiling, a sworn
force of zero, retention months, the all-SRO setting, waivers and the local-match assurances."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from applications import checks
from applications.models import Application, Solicitation
from applications.presentation import section_answers
from applications.sections import SECTIONS_BY_SLUG
from tests.factories import ApplicationFactory, SolicitationFactory

pytestmark = pytest.mark.django_db


def problems(application, slug):
    return [p.message for p in checks.CHECKS[slug].problems(application)]


def fields_of(problems_list):
    return {p.field for p in problems_list}


# Funded years ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("months", "years"), [(12, 1), (24, 2), (36, 3), (48, 4), (60, 5)])
def test_one_year_of_salary_and_fringe_is_asked_per_12_funded_months(months, years):
    application = ApplicationFactory(solicitation__funded_months=months)
    asked = checks.salary_fields(application)
    assert asked == [
        f"{kind}_year_{y}" for y in range(1, years + 1) for kind in ("salary", "fringe")
    ]
    form = SECTIONS_BY_SLUG["officers"].form(application)
    assert [n for n in form.fields if n.startswith(("salary_", "fringe_"))] == asked


def test_48_funded_months_cost_four_years():
    application = ApplicationFactory(
        complete=True,
        solicitation__funded_months=48,
        salary_year_4=D("56822.00"),
        fringe_year_4=D("19887.63"),
    )
    budget = application.budget
    assert [y.year for y in budget.years] == [1, 2, 3, 4]
    assert budget.cost_per_position == D("216981.18") + D("76709.63")


def test_a_missing_fourth_year_is_missing_when_48_months_are_funded():
    application = ApplicationFactory(complete=True, solicitation__funded_months=48)
    missing = {p.field for p in checks.CHECKS["officers"].problems(application) if p.missing}
    assert missing == {"salary_year_4", "fringe_year_4"}


def test_24_funded_months_no_longer_demand_year_3():
    application = ApplicationFactory(
        complete=True, solicitation__funded_months=24, salary_year_3=None, fringe_year_3=None
    )
    assert checks.CHECKS["officers"].problems(application) == []


@pytest.mark.parametrize("months", [6, 18, 30, 37, 72])
def test_funded_months_must_be_whole_years_up_to_60(months):
    solicitation = SolicitationFactory.build(funded_months=months)
    with pytest.raises(ValidationError) as excinfo:
        solicitation.full_clean()
    assert "funded_months" in excinfo.value.message_dict


def test_the_database_refuses_funded_months_that_are_not_whole_years():
    solicitation = SolicitationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Solicitation.objects.filter(pk=solicitation.pk).update(funded_months=30)


def test_saving_the_officer_section_never_stores_unfunded_years(signed_in, applicant, agency):
    application = ApplicationFactory(agency=agency, solicitation__funded_months=24)
    response = signed_in(applicant).post(
        reverse("applications:application_section", args=[application.pk, "officers"]),
        {
            "version": "0",
            "positions_new_hire": "1",
            "salary_year_1": "52,000",
            "fringe_year_1": "18200",
            "salary_year_2": "$53,560.00",
            "fringe_year_2": "18746",
            "salary_year_3": "99999",  # not asked: ignored
            "return": "1",
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.salary_year_1 == D("52000.00")
    assert application.salary_year_2 == D("53560.00")
    assert application.salary_year_3 is None


# Retention --------------------------------------------------------------------------------------


def test_retention_months_have_a_minimum_of_12():
    solicitation = SolicitationFactory.build(retention_months=6)
    with pytest.raises(ValidationError) as excinfo:
        solicitation.full_clean()
    assert "retention_months" in excinfo.value.message_dict
    saved = SolicitationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Solicitation.objects.filter(pk=saved.pk).update(retention_months=11)


# Small agencies and sworn force -----------------------------------------------------------------


def test_a_small_agency_may_request_at_most_one_position():
    application = ApplicationFactory(
        complete=True,
        agency__sworn_force_actual=12,
        agency__sworn_force_budgeted=14,
        solicitation__small_force_threshold=20,
    )
    assert application.total_positions == 3
    messages = problems(application, "officers")
    assert any("at most 1 position;" in m for m in messages), messages


def test_a_small_agency_asking_for_one_position_is_fine():
    application = ApplicationFactory(
        complete=True,
        agency__sworn_force_actual=12,
        agency__sworn_force_budgeted=14,
        positions_new_hire=1,
        positions_rehire_laid_off=0,
        sro_positions=1,
    )
    assert problems(application, "officers") == []


def test_an_agency_above_the_small_force_threshold_is_not_limited_to_one():
    application = ApplicationFactory(
        complete=True, agency__sworn_force_actual=21, solicitation__officer_cap_percent=None
    )
    assert application.solicitation.small_force_threshold == 20
    assert problems(application, "officers") == []


def test_an_agency_with_no_sworn_officers_cannot_apply():
    application = ApplicationFactory(complete=True, agency__sworn_force_actual=0)
    found = checks.CHECKS["agency"].problems(application)
    assert fields_of(found) == {"sworn_force_actual"}
    assert "no sworn officers cannot apply" in found[0].message
    assert checks.outstanding(application)


# Every position an SRO --------------------------------------------------------------------------


def test_a_solicitation_can_require_every_position_to_be_an_sro():
    application = ApplicationFactory(complete=True, solicitation__all_positions_sro=True)
    assert application.sro_positions == 2 and application.total_positions == 3
    assert any("every requested position" in m for m in problems(application, "sro"))
    application.sro_positions = 3
    assert problems(application, "sro") == []


def test_by_default_some_positions_may_be_sros():
    application = ApplicationFactory(complete=True)
    assert application.solicitation.all_positions_sro is False
    assert problems(application, "sro") == []


# Waivers and the local match --------------------------------------------------------------------


def test_a_requested_waiver_reads_as_requested_not_yet_approved():
    application = ApplicationFactory(
        complete=True, match_waiver="partial", waiver_justification="Two years of layoffs."
    )
    answers = dict(section_answers(SECTIONS_BY_SLUG["match"], application))
    waiver = answers["Are you requesting a waiver of the local match?"]
    assert "requested, not yet approved" in waiver


def test_without_a_waiver_the_match_source_and_both_assurances_are_required():
    application = ApplicationFactory(
        complete=True, match_waiver="none", match_not_budgeted=False, match_not_federal=False
    )
    missing = {p.field for p in checks.CHECKS["match"].problems(application)}
    assert missing == {"match_not_budgeted", "match_not_federal"}


def test_with_a_waiver_the_match_assurances_are_not_asked():
    application = ApplicationFactory(
        complete=True,
        match_waiver="full",
        waiver_justification="Severe distress.",
        match_not_budgeted=False,
        match_not_federal=False,
    )
    assert checks.CHECKS["match"].problems(application) == []


def test_the_sro_assurance_names_youth_activities_in_addition_to_existing_school_time():
    label = str(Application._meta.get_field("sro_time_assurance").verbose_name)
    assert "75% of their time on youth-related activities" in label
    assert "K-12 schools" in label
    assert "in addition to the time our agency already gives to schools" in label


def test_the_budget_says_a_requested_waiver_is_not_yet_approved(signed_in, applicant, agency):
    application = ApplicationFactory(
        agency=agency, complete=True, match_waiver="full", waiver_justification="Layoffs."
    )
    for name in ("application_overview", "application_review"):
        html = signed_in(applicant).get(reverse(f"applications:{name}", args=[application.pk])).text
        assert 'data-testid="waiver-note"' in html, name
        assert "requested, not yet approved" in html, name
    application.match_waiver = "none"
    application.save()
    html = (
        signed_in(applicant)
        .get(reverse("applications:application_overview", args=[application.pk]))
        .text
    )
    assert 'data-testid="waiver-note"' not in html


def test_the_admin_budget_reads_without_a_cap_when_a_waiver_lifts_it(admin_client):
    application = ApplicationFactory(
        complete=True, submitted=True, match_waiver="full", waiver_justification="Layoffs."
    )
    response = admin_client.get(
        reverse("admin:applications_application_change", args=[application.pk])
    )
    assert response.status_code == 200
    assert "no per-officer cap: lifted by the requested waiver" in response.text
    assert "match waiver requested, not yet approved" in response.text


def test_staff_set_the_new_solicitation_rules_in_the_admin(admin_client):
    solicitation = SolicitationFactory(is_published=False)
    html = admin_client.get(
        reverse("admin:applications_solicitation_change", args=[solicitation.pk])
    ).text
    assert 'name="all_positions_sro"' in html
    assert 'name="waiver_lifts_officer_cap"' in html
    assert "60 months (5 years)" in html


@pytest.mark.parametrize(("lifts", "cap"), [(True, ""), (False, "125000.00")])
def test_the_live_preview_uses_the_cap_that_applies(signed_in, applicant, agency, lifts, cap):
    application = ApplicationFactory(
        agency=agency,
        complete=True,
        match_waiver="full",
        waiver_justification="Layoffs.",
        solicitation__waiver_lifts_officer_cap=lifts,
    )
    html = (
        signed_in(applicant)
        .get(reverse("applications:application_section", args=[application.pk, "officers"]))
        .text
    )
    assert f'data-per-officer-cap="{cap}"' in html
    assert 'data-federal-percent="100' in html
