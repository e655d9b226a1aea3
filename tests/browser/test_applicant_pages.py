"""The applicant pages in Chromium with their JavaScript: questions that appear with the answers
they depend on, adding school partners in place, the overview's next step, being told at once
that the agency cannot apply, and confirming a member's removal."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from applications.models import Application, Membership
from tests.factories import (
    PASSWORD,
    AgencyFactory,
    ApplicationFactory,
    MembershipFactory,
    SolicitationFactory,
    UserFactory,
)

from .conftest import PageProblems
from .test_application import PARTNER, answer, fill_partner, save_section, tick
from .test_onboarding import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def applicant_and_draft():
    agency = AgencyFactory()
    user = UserFactory(first_name="Alex", last_name="Rivera")
    MembershipFactory(user=user, agency=agency, administrator=True, authorized_representative=True)
    application = ApplicationFactory(
        agency=agency,
        solicitation=SolicitationFactory(),
        positions_new_hire=3,
        salary_year_1=52000,
        fringe_year_1=18200,
    )
    return user, application


def test_sro_details_appear_with_a_yes_and_keep_what_was_typed(
    page: Page, page_problems: PageProblems, applicant_and_draft
):
    user, application = applicant_and_draft
    sign_in(page, user.email, PASSWORD)
    page.goto(f"/applications/{application.pk}/sro/")
    positions = page.locator("#id_sro_positions")
    partners = page.get_by_role("heading", name="School partners")
    expect(positions).to_be_hidden()
    expect(partners).to_be_hidden()

    answer(page, "sro_commitment", yes=True)
    expect(positions).to_be_visible()
    expect(partners).to_be_visible()
    positions.fill("2")
    answer(page, "sro_commitment", yes=False)
    expect(positions).to_be_hidden()
    expect(partners).to_be_hidden()
    answer(page, "sro_commitment", yes=True)
    expect(positions).to_have_value("2")
    page_problems.assert_none()


def test_layoff_questions_appear_for_positions_scheduled_for_layoff(
    page: Page, page_problems: PageProblems, applicant_and_draft
):
    user, application = applicant_and_draft
    sign_in(page, user.email, PASSWORD)
    page.goto(f"/applications/{application.pk}/officers/")
    expect(page.locator("#id_layoff_date")).to_be_hidden()
    page.locator("#id_positions_rehire_scheduled").fill("1")
    expect(page.locator("#id_layoff_date")).to_be_visible()
    expect(page.locator("#id_layoff_explanation")).to_be_visible()
    page.locator("#id_positions_rehire_scheduled").fill("0")
    expect(page.locator("#id_layoff_date")).to_be_hidden()
    page_problems.assert_none()


def test_the_match_page_asks_for_the_source_or_the_justification_as_chosen(
    page: Page, page_problems: PageProblems, applicant_and_draft
):
    user, application = applicant_and_draft
    sign_in(page, user.email, PASSWORD)
    page.goto(f"/applications/{application.pk}/match/")
    source, justification = (
        page.locator("#id_match_source"),
        page.locator("#id_waiver_justification"),
    )
    expect(source).to_be_hidden()
    expect(justification).to_be_hidden()
    page.locator("label.usa-radio__label", has_text="No: we will provide the local match").click()
    expect(source).to_be_visible()
    expect(page.locator("label[for='id_match_not_budgeted']")).to_be_visible()
    expect(justification).to_be_hidden()
    page.locator("label.usa-radio__label", has_text="Yes: a full waiver").click()
    expect(source).to_be_hidden()
    expect(justification).to_be_visible()
    page_problems.assert_none()


def test_add_another_partner_adds_a_blank_partner_in_place_and_both_are_saved(
    page: Page, page_problems: PageProblems, applicant_and_draft
):
    user, application = applicant_and_draft
    sign_in(page, user.email, PASSWORD)
    page.goto(f"/applications/{application.pk}/sro/")
    answer(page, "sro_commitment", yes=True)
    page.locator("#id_sro_positions").fill("2")
    tick(page, "sro_time_assurance")
    expect(page.get_by_test_id("partner-form")).to_have_count(1)
    fill_partner(page, 0)

    page.get_by_role("button", name="Add another partner").click()
    expect(page.get_by_test_id("partner-form")).to_have_count(2)
    expect(page.locator("#id_partners-1-district_name")).to_be_focused()
    expect(page.get_by_text("School partner 2", exact=True)).to_be_visible()
    expect(page.locator("input[name='partners-TOTAL_FORMS']")).to_have_value("2")
    expect(page).to_have_url(re.compile(rf"/applications/{application.pk}/sro/$"))
    for name, value in PARTNER.items():
        value = "Second District" if name == "district_name" else value
        page.locator(f"#id_partners-1-{name}").fill(value)
    save_section(page, "Save and return to overview")

    expect(page).to_have_url(re.compile(rf"/applications/{application.pk}/$"))
    names = set(application.school_partners.values_list("district_name", flat=True))
    assert names == {PARTNER["district_name"], "Second District"}

    # Back on the page: the two saved partners, no blank third, each with its Remove box.
    page.goto(f"/applications/{application.pk}/sro/")
    expect(page.get_by_test_id("partner-form")).to_have_count(2)
    expect(page.get_by_text("Remove this school partner")).to_have_count(2)
    page.locator("label[for='id_partners-1-DELETE']").click()
    save_section(page, "Save and return to overview")
    expect(page).to_have_url(re.compile(rf"/applications/{application.pk}/$"))
    assert list(application.school_partners.values_list("district_name", flat=True)) == [
        PARTNER["district_name"]
    ]
    page_problems.assert_none()


def test_a_new_draft_starts_and_an_ineligible_answer_is_flagged_at_once(
    page: Page, page_problems: PageProblems, applicant_and_draft
):
    user, application = applicant_and_draft
    sign_in(page, user.email, PASSWORD)
    page.goto(f"/applications/{application.pk}/")
    expect(page.get_by_role("link", name="Withdraw this application")).to_be_visible()
    page.get_by_test_id("main-action").click()

    expect(page).to_have_url(re.compile(rf"/applications/{application.pk}/eligibility/$"))
    answer(page, "has_law_enforcement_authority", yes=False)
    answer(page, "is_startup_or_consortium", yes=False)
    answer(page, "has_active_sam_registration", yes=True)
    save_section(page, "Save and continue")

    expect(page).to_have_url(re.compile(rf"/applications/{application.pk}/eligibility/$"))
    alert = page.get_by_test_id("ineligible")
    expect(alert).to_be_visible()
    expect(alert).to_be_focused()
    expect(alert.get_by_role("heading")).to_have_text("Your agency cannot apply for CHP")
    expect(alert).to_contain_text("Only agencies with primary law enforcement authority")
    expect(page.get_by_text("Eligibility is saved.")).to_have_count(0)
    application.refresh_from_db()
    assert application.section_version("eligibility") == 1
    page_problems.assert_none()


def remove_link(page: Page, email: str):
    return page.get_by_role("link", name=re.compile(rf"^Remove from agency\W+{re.escape(email)}$"))


def test_removing_a_member_goes_through_a_confirmation_page(
    page: Page, page_problems: PageProblems
):
    agency = AgencyFactory(legal_name="Centerville Police Department")
    admin = MembershipFactory(agency=agency, administrator=True).user
    member = UserFactory(first_name="Casey", last_name="Nguyen")
    membership = MembershipFactory(user=member, agency=agency)
    sign_in(page, admin.email, PASSWORD)
    page.goto(f"/agencies/{agency.pk}/")
    remove_link(page, member.email).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Remove Casey Nguyen from Centerville Police Department?"
    )
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(re.compile(rf"/agencies/{agency.pk}/$"))
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE

    remove_link(page, member.email).click()
    page.get_by_role("button", name="Remove").click()
    expect(page).to_have_url(re.compile(rf"/agencies/{agency.pk}/$"))
    expect(page.get_by_text("is no longer a member of the agency")).to_be_visible()
    membership.refresh_from_db()
    assert membership.status == Membership.Status.REMOVED
    assert Application.objects.count() == 0
    page_problems.assert_none()
