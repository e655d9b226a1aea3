"""Filing a CHP application through real Chromium: start, nine sections, review, certify, submit."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from applications.demo import COMPLETE_ANSWERS
from applications.models import Application
from copsgrants.audit import AuditEvent
from tests.factories import (
    PASSWORD,
    AgencyFactory,
    ApplicationFactory,
    MembershipFactory,
    SolicitationFactory,
    UserFactory,
)

from .conftest import PageProblems, artifact_path
from .test_onboarding import sign_in

pytestmark = pytest.mark.browser

SECTION_TITLES = {
    "eligibility": "Eligibility",
    "agency": "Agency and executives",
    "officers": "Officer request",
    "sro": "School Resource Officers",
    "commitments": "Other commitments",
    "community-policing": "Community policing strategy",
    "fiscal-need": "Fiscal need and crime data",
    "retention": "Retention plan",
    "match": "Local match",
}

OFFICERS = {
    "positions_new_hire": "2",
    "positions_rehire_laid_off": "1",
    "salary_year_1": "52000",
    "fringe_year_1": "18200",
    "salary_year_2": "53560",
    "fringe_year_2": "18746",
    "salary_year_3": "55166.80",
    "fringe_year_3": "19308.38",
}

PARTNER = {
    "district_name": "Centerville Community Unit School District 4",
    "schools": "Washington Middle School\nLincoln Middle School",
    "contact_name": "Jordan Ellis",
    "contact_title": "Director of School Safety",
    "contact_email": "safety@cusd4.example",
    "contact_phone": "217-555-0199",
}

COMMUNITY_POLICING = {
    "cp_problem": "Vandalism and fights around the two middle schools after dismissal; calls "
    "for service near both campuses rose 38% in two years.",
    "cp_partners": "Centerville CUSD 4 (shared incident data, a safety committee) and the Boys & "
    "Girls Club (after-school programming).",
    "cp_problem_solving": "SARA: scan incident data, analyze hot spots and times, respond with "
    "SRO patrols and mentoring, assess quarterly against the baseline.",
    "cp_organizational_changes": "A school safety unit reporting to the patrol captain, with "
    "crime analysis support and SRO training for every officer assigned.",
}

FISCAL = {
    "budget_change_percent": "-3.5",
    "unemployment_rate": "5.2",
    "poverty_rate": "14.8",
    "violent_crimes": "640",
    "property_crimes": "3120",
}


def answer(page: Page, field: str, *, yes: bool) -> None:
    """Pick Yes or No the way a person does: by clicking the USWDS radio's visible label."""
    page.locator(f"label[for='id_{field}_{0 if yes else 1}']").click()
    expect(page.locator(f"#id_{field}_{0 if yes else 1}")).to_be_checked()


def tick(page: Page, field: str) -> None:
    """USWDS hides the real checkbox and draws one on its label."""
    page.locator(f"label[for='id_{field}']").click()
    expect(page.locator(f"#id_{field}")).to_be_checked()


def expect_section(page: Page, slug: str) -> None:
    expect(page).to_have_url(re.compile(rf"/applications/\d+/{slug}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(SECTION_TITLES[slug])


def save_section(page: Page, button: str = "Save and continue") -> None:
    save = page.get_by_role("button", name=button)
    # A button outside its <form> submits nothing: the click would be silently lost.
    assert save.evaluate("button => button.form !== null"), f"{button!r} is outside the form"
    save.click()


def save_and_continue(page: Page) -> None:
    save_section(page, "Save and continue")


def fill_partner(page: Page, index: int = 0) -> None:
    for name, value in PARTNER.items():
        page.locator(f"#id_partners-{index}-{name}").fill(value)


def state_tag(page: Page, slug: str):
    return page.get_by_test_id("task-list").locator(f"[data-section='{slug}']")


def test_an_authorized_representative_files_a_complete_sro_application_from_start_to_receipt(
    page: Page, page_problems: PageProblems
):
    agency = AgencyFactory(legal_name="Centerville Police Department")
    user = UserFactory(first_name="Alex", last_name="Rivera", email="alex.rivera@centerville.test")
    MembershipFactory(user=user, agency=agency, administrator=True, authorized_representative=True)
    solicitation = SolicitationFactory()

    sign_in(page, user.email, PASSWORD)
    page.goto(f"/solicitations/{solicitation.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(solicitation.title)
    page.get_by_role("button", name="Start application").click()

    application = Application.objects.get(agency=agency, solicitation=solicitation)
    expect(page).to_have_url(re.compile(rf"/applications/{application.pk}/$"))
    for slug in SECTION_TITLES:
        # The agency section starts prefilled from the agency's profile.
        expect(state_tag(page, slug)).to_have_text(
            "Complete" if slug == "agency" else "Not started"
        )
    page.get_by_test_id("task-list").get_by_role("link", name="Eligibility").click()

    # 1. Eligibility
    expect_section(page, "eligibility")
    answer(page, "has_law_enforcement_authority", yes=True)
    answer(page, "is_startup_or_consortium", yes=False)
    answer(page, "has_active_sam_registration", yes=True)
    save_and_continue(page)

    # 2. Agency and executives: prefilled from the agency's profile.
    expect_section(page, "agency")
    expect(page.get_by_text("Eligibility is saved.")).to_be_visible()
    expect(page.locator("#id_legal_name")).to_have_value("Centerville Police Department")
    expect(page.locator("#id_le_executive_name")).to_have_value("Jamie Chief")
    save_and_continue(page)

    # 3. Officer request, with the live budget.
    expect_section(page, "officers")
    budget = page.locator("[data-budget-output]")
    expect(budget.locator("[data-budget=total_federal]")).to_have_text("$0.00")
    for name, value in OFFICERS.items():
        page.locator(f"#id_{name}").fill(value)
    # Nothing is saved yet: these figures come from static/js/budget.js running under the CSP.
    expect(budget.locator("[data-budget=positions]")).to_have_text("3")
    expect(budget.locator("[data-budget=year-3]")).to_have_text("$74,475.18")
    expect(budget.locator("[data-budget=cost_per_position]")).to_have_text("$216,981.18")
    expect(budget.locator("[data-budget=federal_per_position]")).to_have_text("$125,000.00")
    expect(budget.locator("[data-budget=total_cost]")).to_have_text("$650,943.54")
    expect(budget.locator("[data-budget=total_federal]")).to_have_text("$375,000.00")
    expect(budget.locator("[data-budget=total_local]")).to_have_text("$275,943.54")
    application.refresh_from_db()
    assert application.section_version("officers") == 0
    save_and_continue(page)

    # 4. School Resource Officers
    expect_section(page, "sro")
    answer(page, "sro_commitment", yes=True)
    page.locator("#id_sro_positions").fill("2")
    tick(page, "sro_time_assurance")
    fill_partner(page)
    save_and_continue(page)

    # 5. Other commitments
    expect_section(page, "commitments")
    answer(page, "veteran_commitment", yes=True)
    save_and_continue(page)

    # 6. Community policing strategy
    expect_section(page, "community-policing")
    for name, value in COMMUNITY_POLICING.items():
        page.locator(f"#id_{name}").fill(value)
    save_and_continue(page)

    # 7. Fiscal need and crime data
    expect_section(page, "fiscal-need")
    for name, value in FISCAL.items():
        page.locator(f"#id_{name}").fill(value)
    save_and_continue(page)

    # 8. Retention plan
    expect_section(page, "retention")
    page.locator("#id_retention_plan").fill(
        "The city's general fund absorbs each position in the police budget for the 12 months "
        "after federal funding ends; the council adopted this in Resolution 2026-14."
    )
    tick(page, "retention_assurance")
    save_and_continue(page)

    # 9. Local match
    expect_section(page, "match")
    page.locator("label.usa-radio__label", has_text="No: we will provide the local match").click()
    expect(page.locator("input[name='match_waiver'][value='none']")).to_be_checked()
    page.locator("#id_match_source").fill(
        "General fund appropriation approved by the city council (FY2026 budget, line 2110)."
    )
    tick(page, "match_not_budgeted")
    tick(page, "match_not_federal")
    save_and_continue(page)

    # 10. Review and certify
    expect(page).to_have_url(re.compile(rf"/applications/{application.pk}/review/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Review and certify")
    expect(page.get_by_text("Local match is saved.")).to_be_visible()
    expect(page.get_by_test_id("outstanding")).to_have_count(0)
    expect(page.locator("section h2 .section-state--complete")).to_have_count(9)
    expect(page.get_by_test_id("budget").locator("[data-budget=total_federal]")).to_have_text(
        "$375,000.00"
    )
    expect(
        page.get_by_text("School partner: Centerville Community Unit School District 4")
    ).to_be_visible()
    page.screenshot(path=artifact_path("application-review"), full_page=True)

    page.locator("#id_certified_name").fill("Alex Rivera")
    tick(page, "assurances")
    page.get_by_role("button", name="Certify and submit application").click()

    expect(page).to_have_url(re.compile(rf"/applications/{application.pk}/$"))
    tracking = page.get_by_test_id("tracking-number")
    expect(tracking).to_have_text(re.compile(r"^CHP26-\d{6}$"))
    tracking_number = tracking.inner_text()
    expect(
        page.get_by_text(f"Your application is submitted. Tracking number: {tracking_number}.")
    ).to_be_visible()
    expect(page.locator("dd .status-tag")).to_have_text("Submitted")
    for slug in SECTION_TITLES:
        expect(state_tag(page, slug)).to_have_text("Complete")
    page.screenshot(path=artifact_path("application-submitted"), full_page=True)

    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.tracking_number == tracking_number
    assert application.certified_name == "Alex Rivera"
    assert application.submitted_by == user
    assert application.total_positions == 3
    assert application.sro_positions == 2
    assert application.school_partners.get().district_name == PARTNER["district_name"]
    assert application.budget.total_federal == 375_000
    assert AuditEvent.objects.filter(verb="application.submitted").count() == 1
    receipts = [m for m in mail.outbox if tracking_number in m.subject]
    assert len(receipts) == 1, [m.subject for m in mail.outbox]
    assert receipts[0].to == [user.email]
    assert "Certified by: Alex Rivera" in receipts[0].body
    assert "Federal share requested: $375,000.00" in receipts[0].body

    page_problems.assert_none()


def test_a_plain_member_sees_why_they_cannot_submit(page: Page, page_problems: PageProblems):
    agency = AgencyFactory()
    solicitation = SolicitationFactory()
    application = ApplicationFactory(complete=True, agency=agency, solicitation=solicitation)
    member = MembershipFactory(agency=agency).user

    sign_in(page, member.email, PASSWORD)
    page.goto(f"/applications/{application.pk}/review/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Review and certify")
    expect(page.get_by_test_id("outstanding")).to_have_count(0)
    expect(page.get_by_test_id("submit-reason")).to_contain_text(
        "Only an Authorized Representative of the agency can certify and submit."
    )
    expect(page.get_by_role("button", name="Certify and submit application")).to_be_disabled()
    expect(page.locator("#id_certified_name")).to_have_count(0)

    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    page_problems.assert_none()


def test_leaving_a_required_rule_broken_shows_it_on_the_task_list(
    page: Page, page_problems: PageProblems
):
    agency = AgencyFactory()
    user = MembershipFactory(agency=agency, authorized_representative=True).user
    application = ApplicationFactory(
        agency=agency,
        solicitation=SolicitationFactory(),
        created_by=user,
        section_versions={"eligibility": 1, "officers": 1},
        has_law_enforcement_authority=True,
        is_startup_or_consortium=False,
        has_active_sam_registration=True,
        **{name: COMPLETE_ANSWERS[name] for name in OFFICERS},
    )
    sign_in(page, user.email, PASSWORD)

    # More SROs than the 3 requested officers: refused, with the error by the field and on top.
    page.goto(f"/applications/{application.pk}/sro/")
    expect_section(page, "sro")
    answer(page, "sro_commitment", yes=True)
    page.locator("#id_sro_positions").fill("4")
    tick(page, "sro_time_assurance")
    fill_partner(page)
    save_and_continue(page)

    expect_section(page, "sro")
    message = "You can deploy at most the 3 positions you requested in the officer request as SROs."
    expect(page.locator("#div_id_sro_positions .usa-error-message")).to_have_text(message)
    expect(page.locator("#id_sro_positions")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_sro_positions")).to_have_value("4")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name=re.compile(re.escape(message)))).to_have_attribute(
        "href", "#id_sro_positions"
    )
    page.screenshot(path=artifact_path("application-sro-error"), full_page=True)
    application.refresh_from_db()
    assert application.section_version("sro") == 0
    assert application.sro_commitment is None
    assert application.sro_positions is None
    assert not application.school_partners.exists()

    page.goto(f"/applications/{application.pk}/")
    expect(state_tag(page, "sro")).to_have_text("Not started")

    # A valid answer saves; then cutting the officer request breaks the SRO rule from elsewhere.
    page.goto(f"/applications/{application.pk}/sro/")
    answer(page, "sro_commitment", yes=True)
    page.locator("#id_sro_positions").fill("3")
    tick(page, "sro_time_assurance")
    fill_partner(page)
    save_section(page, "Save and return to overview")
    expect(page).to_have_url(re.compile(rf"/applications/{application.pk}/$"))
    expect(state_tag(page, "sro")).to_have_text("Complete")

    page.goto(f"/applications/{application.pk}/officers/")
    page.locator("#id_positions_new_hire").fill("1")
    save_section(page, "Save and return to overview")
    expect(page).to_have_url(re.compile(rf"/applications/{application.pk}/$"))
    expect(state_tag(page, "officers")).to_have_text("Complete")
    expect(state_tag(page, "sro")).to_have_text("Has errors")

    page.get_by_test_id("task-list").get_by_role("link", name="School Resource Officers").click()
    attention = page.get_by_role("region", name="Problems to fix")
    expect(attention).to_contain_text(
        "You can deploy at most the 2 positions you requested in the officer request as SROs."
    )
    page.goto(f"/applications/{application.pk}/review/")
    expect(page.get_by_test_id("outstanding")).to_contain_text("at most the 2 positions")
    expect(page.get_by_role("button", name="Certify and submit application")).to_be_disabled()
    page_problems.assert_none()
