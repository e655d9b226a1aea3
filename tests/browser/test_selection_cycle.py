"""The whole selection cycle in Chromium, as its people do it: a program specialist screens two
applications, a grants manager assigns two reviewers, each certifies no conflict and submits the
rubric, the manager computes scores and drafts the funding plan, a second manager approves it and
releases the decisions, and the agency then sees its decision. No console error on any page (a
CSP violation is one)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from applications.models import Application, ReviewAssignment, ScoringRules
from copsgrants import roles
from tests.factories import (
    PASSWORD,
    AgencyFactory,
    ApplicationFactory,
    MembershipFactory,
    SolicitationFactory,
    UserFactory,
)

from .conftest import PageProblems
from .test_onboarding import sign_in

pytestmark = pytest.mark.browser


def act_as(page: Page, user) -> None:
    page.context.clear_cookies()
    sign_in(page, user.email, PASSWORD)


def submit(page: Page, label: str) -> None:
    page.locator(f"input[type=submit][value='{label}'], button:text-is('{label}')").first.click()


def test_from_screening_to_released_decisions(page: Page, page_problems: PageProblems):
    specialist = UserFactory(roles=[roles.PROGRAM_SPECIALIST])
    drafter = UserFactory(roles=[roles.GRANTS_MANAGER], first_name="Dana", last_name="Drafter")
    approver = UserFactory(roles=[roles.GRANTS_MANAGER], first_name="Alex", last_name="Approver")
    reviewers = [UserFactory(roles=[roles.REVIEWER]) for _ in range(2)]
    solicitation = SolicitationFactory(total_funds="5000000.00")
    ScoringRules.objects.create(solicitation=solicitation, version=1, in_force=True)
    agencies = [
        AgencyFactory(legal_name="Gotham Police Department", state="NJ", ori="NJ00001"),
        AgencyFactory(legal_name="Metropolis Police Department", state="NY", ori="NY00001"),
    ]
    applications = [
        ApplicationFactory(submitted=True, agency=agency, solicitation=solicitation)
        for agency in agencies
    ]
    member = MembershipFactory(agency=agencies[0]).user

    # 1. The program specialist screens both applications eligible, resolving any data flag.
    act_as(page, specialist)
    for application in applications:
        page.goto(f"/admin/applications/application/{application.pk}/screen/")
        flags = page.locator("[data-testid^='flag-']")
        for index in range(flags.count()):
            flag = page.locator("[data-testid^='flag-']").nth(index)
            if flag.get_by_role("button", name="Resolve this flag").count():
                flag.get_by_label("Verified with documentation").check()
                flag.get_by_label("How").fill("Checked against the UCR tables.")
                flag.get_by_role("button", name="Resolve this flag").click()
        decision = page.get_by_test_id("decision")
        decision.get_by_label("Eligible: send it to review").check()
        decision.get_by_role("button", name="Record the decision").click()
        expect(page.get_by_text("Screened eligible: sent to review")).to_be_visible()

    # 2. A grants manager assigns both reviewers to both applications (the bulk action).
    act_as(page, drafter)
    page.goto(f"/admin/applications/application/?solicitation__id__exact={solicitation.pk}")
    for application in applications:
        page.locator(f"input.action-select[value='{application.pk}']").check()
    page.locator("select[name=action]").select_option("assign_reviewers")
    page.get_by_role("button", name="Go").click()
    for reviewer in reviewers:
        page.locator(f"input[name=reviewers][value='{reviewer.pk}']").check()
    page.locator("input[name=per_application]").fill("2")
    submit(page, "Assign reviewers")
    assert ReviewAssignment.objects.filter(application__in=applications).count() == 4

    # 3. Each reviewer certifies no conflict of interest, then scores and submits the rubric.
    for reviewer in reviewers:
        act_as(page, reviewer)
        for assignment in ReviewAssignment.objects.filter(reviewer=reviewer).order_by("pk"):
            page.goto(f"/admin/applications/reviewassignment/{assignment.pk}/review/")
            expect(page.get_by_text("Community policing rubric")).to_have_count(0)
            page.get_by_label(re.compile("I have no conflict of interest")).check()
            submit(page, "Certify and open the application")
            expect(page.get_by_role("heading", name="Community policing rubric")).to_be_visible()
            for select in page.locator("select").all():
                select.select_option("4" if assignment.application == applications[0] else "2")
            submit(page, "Submit the review")
            page.goto(f"/admin/applications/reviewassignment/{assignment.pk}/review/")
            expect(page.get_by_text("the review is locked")).to_be_visible()

    # 4. The manager computes scores and drafts the funding plan.
    act_as(page, drafter)
    page.goto(f"/admin/applications/solicitation/{solicitation.pk}/change/")
    page.get_by_role("link", name="Compute scores").click()
    submit(page, "Compute scores")
    expect(page.locator("svg").first).to_be_visible()
    expect(page.get_by_role("link", name="Gotham Police Department").first).to_be_visible()
    page.goto(f"/admin/applications/solicitation/{solicitation.pk}/change/")
    page.get_by_role("link", name="Draft funding plan").click()
    submit(page, "Draft funding plan")
    expect(page.get_by_role("link", name="Approve plan")).to_have_count(0)  # not the drafter

    # 5. A second grants manager approves the plan and releases the decisions.
    plan_url = page.url
    act_as(page, approver)
    page.goto(plan_url)
    page.get_by_role("link", name="Approve plan").click()
    submit(page, "Approve funding plan")
    page.goto(plan_url)
    page.get_by_role("link", name="Release decisions").click()
    mail.outbox.clear()
    submit(page, "Release decisions")
    for application in applications:
        application.refresh_from_db()
        assert application.status == Application.Status.RECOMMENDED
        assert application.decision_released_at is not None

    # 6. The agency sees its decision.
    act_as(page, member)
    page.goto(f"/applications/{applications[0].pk}/")
    expect(page.get_by_role("heading", name="Recommended for funding")).to_be_visible()
    page_problems.assert_none()
