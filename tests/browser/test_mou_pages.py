"""The MOU page in Chromium: from the award page's MOU panel to an upload refused with a message
next to the file field, a valid upload, and the reviewer's per-element findings; at desktop and
phone widths."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from copsgrants import roles
from mou import services
from mou.models import Element, MouVersion
from tests.applications.acceptance_helpers import private_letters  # noqa: F401 (fixture)
from tests.award_states import accepted_award
from tests.factories import PASSWORD, AgencyFactory, MembershipFactory, UserFactory
from tests.mou.pdfs import html_renamed_pdf, valid_pdf
from tests.mou.review_helpers import all_present, private_mou  # noqa: F401 (fixture)

from .conftest import PageProblems, artifact_path
from .test_onboarding import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("private_letters", "private_mou")]


def fill_signatories(page: Page) -> None:
    page.get_by_label("Agency executive who signed").fill("Chief Dana Whitfield")
    page.get_by_label("Date the agency signed").fill("2026-11-02")
    page.get_by_label("School official who signed").fill("Superintendent Ray Ortiz")
    page.get_by_label("Date the school official signed").fill("2026-11-03")


def both_widths(page: Page, name: str) -> None:
    page.screenshot(path=artifact_path(f"{name}-1280"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=artifact_path(f"{name}-390"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_agency_member_uploads_the_mou_and_sees_the_review(
    page: Page, page_problems: PageProblems
):
    agency = AgencyFactory(legal_name="Springfield Police Department")
    user = UserFactory(first_name="Alex", last_name="Rivera")
    MembershipFactory(user=user, agency=agency)
    award = accepted_award(agency)

    sign_in(page, user.email, PASSWORD)
    page.goto(f"/awards/{award.pk}/")
    expect(page.get_by_test_id("mou-panel")).to_contain_text("Not yet uploaded")
    page.get_by_test_id("mou-panel").screenshot(path=artifact_path("mou-award-panel"))
    page.get_by_test_id("mou-page-link").click()
    expect(page.get_by_role("heading", name="Memorandum of understanding")).to_be_visible()
    expect(page.get_by_test_id("required-elements").locator("li")).to_have_count(5)
    both_widths(page, "mou-page-empty")

    # A web page renamed .pdf: refused, the message next to the file field, the fields kept.
    fill_signatories(page)
    page.locator("#id_file").set_input_files(
        files=[{"name": "mou.pdf", "mimeType": "application/pdf", "buffer": html_renamed_pdf()}]
    )
    page.get_by_test_id("upload").click()
    expect(page.locator(".usa-form-group--error")).to_contain_text("This file is not a PDF")
    expect(page.get_by_label("Agency executive who signed")).to_have_value("Chief Dana Whitfield")
    both_widths(page, "mou-page-refused")

    page.locator("#id_file").set_input_files(
        files=[
            {"name": "Springfield MOU.pdf", "mimeType": "application/pdf", "buffer": valid_pdf()}
        ]
    )
    page.get_by_test_id("upload").click()
    expect(page.get_by_text("Version 1 of the MOU is uploaded")).to_be_visible()
    expect(page.get_by_test_id("mou-status-1")).to_have_text("Awaiting review")

    # COPS asks for changes: the findings show per element.
    from tests.factories import UserFactory as Users

    reviewer = Users(roles=[roles.PROGRAM_SPECIALIST])
    checks = all_present()
    checks[Element.SUPERVISION] = (False, "Name who supervises the SROs day to day.")
    services.request_mou_changes(
        mou=MouVersion.objects.get(award=award), by=reviewer, checks=checks, note="See item 4."
    )
    page.reload()
    expect(page.get_by_test_id("mou-status-1")).to_have_text("Changes requested")
    expect(page.get_by_test_id("checks-1")).to_contain_text("Name who supervises the SROs")
    both_widths(page, "mou-page-changes")
    # The refused upload is a 400 on purpose; nothing else may go wrong (CSP, scripts).
    unexpected = [e for e in page_problems.console_errors if "status of 400" not in e]
    assert not unexpected and not page_problems.page_errors
