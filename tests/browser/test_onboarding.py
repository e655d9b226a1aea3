"""A new user's first visit, driven through real Chromium: account, sign-in, agency registration."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect
from post_office.models import Email

from applications.models import Agency, Membership
from copsgrants.models import User
from tests.factories import PASSWORD, UserFactory
from tests.mfa_helpers import confirmed_app_device, current_code

from .conftest import PageProblems, artifact_path

pytestmark = pytest.mark.browser

EMAIL = "pat.officer@springfield-il.test"
NEW_PASSWORD = "blue-lantern-orchard-42"

AGENCY = {
    "legal_name": "City of Springfield Police Department",
    "ori": "IL08401",
    "uei": "SPRNGFLDPD26",
    "jurisdiction_population": "114394",
    "sworn_force_actual": "212",
    "sworn_force_budgeted": "230",
    "address_line1": "800 E Monroe St",
    "city": "Springfield",
    "zip_code": "62701",
    "le_executive_name": "Kenneth Winslow",
    "le_executive_title": "Chief of Police",
    "le_executive_email": "chief@springfield-il.test",
    "le_executive_phone": "217-555-0142",
    "gov_executive_name": "Misty Buscher",
    "gov_executive_title": "Mayor",
    "gov_executive_email": "mayor@springfield-il.test",
    "gov_executive_phone": "217-555-0100",
}


def confirmation_link(email: str) -> str:
    """The path of the confirmation link in the last message to `email` in the outbox."""
    message = Email.objects.filter(to=email).latest("created").message
    return urlsplit(re.search(r"https?://\S+/accounts/confirm/\S+/", message).group(0)).path


def sign_in(page: Page, email: str, password: str) -> None:
    """Sign in through the form, and give the authenticator app's code when the account asks for
    one (staff always: a staff user without an app gets one first)."""
    device = second_factor_for(email)
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if device is not None:
        enter_code(page, device)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def sign_in_to_admin(page: Page, email: str, password: str) -> None:
    """The admin's own sign-in page, then the code step, back to the admin."""
    device = second_factor_for(email)
    page.goto("/admin/login/?next=/admin/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Log in").click()
    if device is not None:
        enter_code(page, device)
    expect(page).to_have_url(re.compile(r"/admin/$"))


def second_factor_for(email: str) -> TOTPDevice | None:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return None
    if user.is_staff or user.is_superuser:
        return confirmed_app_device(user)
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def enter_code(page: Page, device: TOTPDevice) -> None:
    expect(page).to_have_url(re.compile(r"/accounts/two-step/verify/"))
    page.locator("#id_code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()


def fill_agency_form(page: Page, **overrides: str) -> None:
    for name, value in (AGENCY | overrides).items():
        page.locator(f"#id_{name}").fill(value)
    page.locator("#id_state").select_option("IL")
    page.locator("#id_agency_type").select_option("municipal")


def test_a_new_user_registers_signs_in_and_registers_their_agency(
    page: Page, page_problems: PageProblems
):
    page.goto("/")
    expect(page.get_by_text("An official website of the United States government")).to_be_visible()
    create_account = page.get_by_role("main").get_by_role("link", name="Create an account")
    expect(create_account).to_be_visible()

    create_account.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
    page.get_by_label("First name").fill("Pat")
    page.get_by_label("Last name").fill("Officer")
    page.get_by_label("Email address").fill(EMAIL)
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create account").click()

    # Not signed in yet: the address is confirmed first, through the link in the email.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.get_by_text(EMAIL)).to_be_visible()
    page.goto(confirmation_link(EMAIL))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    page.get_by_role("button", name="Confirm and sign in").click()

    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_text("Your email address is confirmed.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Pat")
    expect(page.get_by_text(f"Signed in as {EMAIL}")).to_be_visible()

    page.get_by_test_id("sign-out").click()
    expect(page.get_by_test_id("sign-out")).to_have_count(0)
    expect(page.get_by_role("navigation").get_by_role("link", name="Sign in")).to_be_visible()

    sign_in(page, EMAIL, NEW_PASSWORD)

    page.get_by_role("link", name="Register an agency").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register an agency")
    fill_agency_form(page)
    # USWDS hides the real checkbox and draws one on its label; click what a person would click.
    page.locator("label[for='id_is_authorized_representative']").click()
    expect(page.locator("#id_is_authorized_representative")).to_be_checked()
    page.get_by_role("button", name="Register agency").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(AGENCY["legal_name"])
    expect(page.get_by_text(f"{AGENCY['legal_name']} is registered.")).to_be_visible()
    expect(page.locator("dt:text-is('ORI') + dd")).to_have_text("IL08401")
    member_row = page.get_by_role("row").filter(has_text=EMAIL)
    expect(member_row.locator("td[data-label='Role']")).to_have_text(
        "Agency administrator, Authorized Representative"
    )
    page.screenshot(path=artifact_path("agency-page"), full_page=True)

    agency = Agency.objects.get(ori="IL08401")
    assert agency.legal_name == AGENCY["legal_name"]
    assert agency.uei == "SPRNGFLDPD26"
    assert agency.state == "IL"
    assert agency.agency_type == "municipal"
    assert agency.created_by.email == EMAIL
    membership = Membership.objects.get(agency=agency)
    assert membership.user.email == EMAIL
    assert membership.status == Membership.Status.ACTIVE
    assert membership.is_administrator
    assert membership.is_authorized_representative
    assert page.url.endswith(f"/agencies/{agency.pk}/")

    page_problems.assert_none()


def test_bad_agency_input_shows_an_error_summary_that_links_to_the_field(
    page: Page, page_problems: PageProblems
):
    user = UserFactory(password=PASSWORD)
    sign_in(page, user.email, PASSWORD)

    page.goto("/agencies/new/")
    fill_agency_form(page, ori="12345")
    page.get_by_role("button", name="Register agency").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary).to_be_focused()

    ori_error = page.locator("#div_id_ori .usa-error-message").filter(
        has_text="Enter the ORI as 2 state letters and 5 digits"
    )
    expect(ori_error).to_be_visible()
    expect(page.locator("#id_ori")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_ori")).to_have_attribute(
        "aria-describedby", re.compile(r"\bid_ori_error\b")
    )

    page.screenshot(path=artifact_path("agency-form-errors"), full_page=True)

    # Scroll away so following the link has to bring the field back into view.
    page.mouse.wheel(0, 5000)
    expect(page.locator("#id_ori")).not_to_be_in_viewport()
    summary.get_by_role("link", name=re.compile(r"^ORI: Enter the ORI")).click()
    expect(page).to_have_url(re.compile(r"#id_ori$"))
    expect(page.locator("#id_ori")).to_be_in_viewport()
    expect(page.locator("#id_ori")).to_be_focused()

    assert not Agency.objects.exists()
    page_problems.assert_none()


def test_the_government_banner_expands_with_uswds_javascript(
    page: Page, page_problems: PageProblems
):
    page.goto("/")
    content = page.locator("#gov-banner-default")
    button = page.get_by_role("button", name="Here\u2019s how you know")
    expect(content).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")

    button.click()

    expect(button).to_have_attribute("aria-expanded", "true")
    expect(content).to_be_visible()
    expect(content).to_contain_text("Official websites use .gov")
    page_problems.assert_none()
