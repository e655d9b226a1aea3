"""WCAG 2.1 A/AA checks with axe-core (from the npm registry) on the pages people use most."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from applications.sections import SECTIONS
from tests.factories import (
    PASSWORD,
    AgencyFactory,
    ApplicationFactory,
    MembershipFactory,
    SolicitationFactory,
    UserFactory,
)

from ..conftest import require
from .test_onboarding import sign_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations(page: Page) -> list[str]:
    # Evaluated through the DevTools protocol, so the page's CSP (scripts from 'self' only) is
    # neither weakened for the test nor in the way.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    found = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))",
        WCAG_AA,
    )
    return [f"{v['impact']}: {v['id']} ({v['help']}) at {v['nodes']}" for v in found]


@pytest.fixture
def axe_available():
    require(AXE.exists(), "axe-core (npm ci installs it)")


def check(page: Page, path: str) -> list[str]:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    return [f"{path}: {problem}" for problem in violations(page)]


def test_public_pages_meet_wcag_aa(page: Page, axe_available, live_server):
    problems = []
    for path in ("/", "/accounts/login/", "/accounts/register/", "/accounts/password-reset/"):
        problems += check(page, path)
    page.goto("/accounts/register/")
    page.get_by_role("button", name="Create account").click()  # every field in error
    problems += [f"register with errors: {p}" for p in violations(page)]
    assert problems == []


def test_agency_and_application_pages_meet_wcag_aa(page: Page, axe_available, live_server):
    agency = AgencyFactory()
    user = UserFactory(first_name="Alex", last_name="Rivera")
    MembershipFactory(user=user, agency=agency, administrator=True, authorized_representative=True)
    application = ApplicationFactory(
        agency=agency, solicitation=SolicitationFactory(), complete=True
    )
    sign_in(page, user.email, PASSWORD)
    problems = []
    for path in (
        "/dashboard/",
        f"/agencies/{agency.pk}/",
        "/agencies/new/",
        f"/solicitations/{application.solicitation.pk}/",
        f"/applications/{application.pk}/",
        f"/applications/{application.pk}/review/",
        *(f"/applications/{application.pk}/{section.slug}/" for section in SECTIONS),
    ):
        problems += check(page, path)
    page.goto("/agencies/new/")
    page.get_by_role("button", name="Register agency").click()
    problems += [f"agency form with errors: {p}" for p in violations(page)]
    assert problems == []


def test_pages_added_for_trust_and_errors_meet_wcag_aa(page: Page, axe_available, live_server):
    pending = AgencyFactory(pending=True)
    user = UserFactory(first_name="Jo", last_name="Park")
    MembershipFactory(user=user, agency=pending, administrator=True, authorized_representative=True)
    colleague = MembershipFactory(agency=pending)
    application = ApplicationFactory(agency=pending, solicitation=SolicitationFactory())
    sign_in(page, user.email, PASSWORD)
    problems = []
    for path in (
        f"/agencies/{pending.pk}/",  # the verification notice
        f"/applications/{application.pk}/",
        f"/agencies/{pending.pk}/members/{colleague.pk}/remove/",  # the confirmation
        "/agencies/find/?identifier=" + pending.ori,
        "/no-such-page/",  # the 404 page
    ):
        problems += check(page, path)
    assert problems == []
