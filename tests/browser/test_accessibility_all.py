"""axe-core (WCAG 2.1 A and AA) on every page of the site in Chromium, each signed in as the
person who uses it: the public pages, the agency's pages at desktop and phone widths (every
application section, the review page, the award offered and accepted with its MOU panel and
implementation section, the hire and drawdown forms, the MOU page, the training pages), a
sample of the admin, and every form once with its errors shown. No violation of any impact is
allowed (the issue asks for no serious or critical one; the rest are fixed too)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page

from applications.sections import SECTIONS
from copsgrants import roles
from copsgrants.verification import make_token
from mou.models import MouVersion
from tests.applications.acceptance_helpers import offered_award, private_letters
from tests.applications.implementation_helpers import opened
from tests.award_states import accepted_award
from tests.factories import (
    PASSWORD,
    AgencyFactory,
    ApplicationFactory,
    MembershipFactory,
    SolicitationFactory,
    UserFactory,
)
from tests.mfa_helpers import confirmed_app_device, current_code
from tests.mou.review_helpers import private_mou, submitted_mou
from tests.training.helpers import add_officers, enrollment, make_session
from training.models import Certificate, Enrollment

from ..conftest import require
from .conftest import artifact_path
from .test_accessibility import AXE, violations
from .test_onboarding import sign_in

pytestmark = pytest.mark.browser
__all__ = ["private_letters", "private_mou"]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(autouse=True)
def axe_available():
    require(AXE.exists(), "axe-core (npm ci installs it)")


def audit(page: Page, label: str) -> list[str]:
    return [f"{label}: {problem}" for problem in violations(page)]


def sweep(page: Page, paths: Iterable[str], *, phone: bool = False) -> list[str]:
    """Every path at 1280 px and, for the agency's pages, again at 390 px."""
    problems = []
    for path in paths:
        page.set_viewport_size(DESKTOP)
        page.goto(path)
        problems += audit(page, path)
        if phone:
            page.set_viewport_size(PHONE)
            problems += audit(page, f"{path} at 390 px")
    page.set_viewport_size(DESKTOP)
    return problems


def submit(page: Page, path: str, button: str, fields: dict[str, str], label: str) -> list[str]:
    """Open `path`, type `fields` (by id), press `button`; the page with its errors is audited."""
    page.goto(path)
    for name, value in fields.items():
        page.locator(f"#id_{name}").fill(value)
    page.get_by_role("button", name=button, exact=True).first.click()
    page.wait_for_selector("[data-error-summary], .usa-error-message, .errornote, .errorlist")
    return audit(page, f"{label} with errors")


def test_public_pages_meet_wcag_aa(page: Page, live_server):
    solicitation = SolicitationFactory()
    user = UserFactory()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    problems = sweep(
        page,
        (
            "/",
            "/solicitations/",
            f"/solicitations/{solicitation.pk}/",
            "/accounts/login/",
            "/accounts/register/",
            "/accounts/password-reset/",
            "/accounts/password-reset/sent/",
            f"/accounts/reset/{uid}/{token}/",  # redirects to the set-password form
            "/accounts/reset/MQ/not-a-token/",  # the expired-link page
            "/accounts/reset/done/",
            "/letters/verify/",
            "/letters/verify/?number=15JCOPS-26-GG-99999-UHPX&code=NOPE",
            "/training/certificates/verify/",
            "/training/certificates/verify/?code=TRN-2222-3333-4444",
            "/no-such-page/",
        ),
    )
    problems += submit(page, "/accounts/login/", "Sign in", {"username": "x@y.test"}, "sign in")
    problems += submit(page, "/accounts/register/", "Create account", {}, "register")
    problems += submit(
        page, "/accounts/password-reset/", "Email me a reset link", {"email": "x"}, "reset"
    )
    page.goto(f"/accounts/reset/{uid}/{token}/")
    page.locator("#id_new_password1").fill("short")
    page.locator("#id_new_password2").fill("other")
    page.get_by_role("button", name="Save new password").click()
    problems += audit(page, "set password with errors")
    # A form sent without its CSRF cookie: the 403 page.
    page.goto("/accounts/login/")
    page.context.clear_cookies()
    page.get_by_role("button", name="Sign in", exact=True).click()
    problems += audit(page, "403 (CSRF)")
    assert problems == [], "\n".join(problems)


def test_account_confirmation_and_provider_sign_in_pages_meet_wcag_aa(
    page: Page, live_server, settings
):
    """Sign-up's "Check your email", the confirmation link's pages (valid, expired or altered,
    used), the resend form, an unconfirmed sign-in and the sign-in page with "Sign in with
    Login.gov", at 1280 and 390 px (screenshots in var/test-artifacts/)."""
    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "Login.gov"
    waiting = UserFactory(email="waiting@town.test", unverified=True)
    used = UserFactory(email="confirmed@town.test")
    page.goto("/accounts/register/")
    for name, value in {"first_name": "Pat", "last_name": "Officer", "email": "pat@town.test",
                        "password1": PASSWORD, "password2": PASSWORD}.items():  # fmt: skip
        page.locator(f"#id_{name}").fill(value)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/accounts/confirm/sent/")
    pages = {
        "check-your-email": "/accounts/confirm/sent/",
        "confirm": f"/accounts/confirm/{make_token(waiting)}/",
        "link-expired": "/accounts/confirm/not-a-token/",
        "link-used": f"/accounts/confirm/{make_token(used)}/",
        "resend": "/accounts/confirm/new/",
        "resend-done": "/accounts/confirm/new/sent/",
        "sign-in-with-oidc": "/accounts/login/",
    }
    problems = []
    for name, path in pages.items():
        problems += sweep(page, [path], phone=True)
        for width, size in (("1280", DESKTOP), ("390", PHONE)):
            page.set_viewport_size(size)
            page.screenshot(path=artifact_path(f"accounts-{name}-{width}"), full_page=True)
    page.set_viewport_size(DESKTOP)
    problems += submit(
        page, "/accounts/confirm/new/", "Send me a new link", {"email": "x"}, "resend"
    )
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("waiting@town.test")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_selector("text=Confirm your email address first")
    problems += audit(page, "unconfirmed sign-in")
    page.screenshot(path=artifact_path("accounts-unconfirmed-sign-in-1280"), full_page=True)
    assert problems == [], "\n".join(problems)


def test_agency_pages_meet_wcag_aa_at_desktop_and_phone_widths(page: Page, live_server):
    agency = AgencyFactory(legal_name="Springfield Police Department")
    user = UserFactory(first_name="Alex", last_name="Rivera")
    MembershipFactory(user=user, agency=agency, administrator=True, authorized_representative=True)
    colleague = MembershipFactory(agency=agency)
    application = ApplicationFactory(
        agency=agency, solicitation=SolicitationFactory(), complete=True
    )
    offered = offered_award(agency)
    accepted = accepted_award(agency)
    submitted_mou(accepted, status=MouVersion.Status.CHANGES_REQUESTED, version=1)
    submitted_mou(accepted, version=2)

    sign_in(page, user.email, PASSWORD)
    problems = sweep(
        page,
        (
            "/dashboard/",
            f"/agencies/{agency.pk}/",
            f"/agencies/{agency.pk}/edit/",
            "/agencies/new/",
            "/agencies/find/?identifier=ZZ99999",
            f"/agencies/{agency.pk}/members/{colleague.pk}/remove/",
            f"/applications/{application.pk}/",
            *(f"/applications/{application.pk}/{section.slug}/" for section in SECTIONS),
            f"/applications/{application.pk}/review/",
            f"/applications/{application.pk}/withdraw/",
            f"/awards/{offered.pk}/",
            f"/awards/{offered.pk}/decline/",
            f"/awards/{accepted.pk}/",
            f"/awards/{accepted.pk}/hires/new/",
            f"/awards/{accepted.pk}/drawdowns/new/",
            f"/awards/{accepted.pk}/mou/",
            "/accounts/password/",
        ),
        phone=True,
    )
    assert problems == [], "\n".join(problems)

    # Every form once with its errors shown.
    app = f"/applications/{application.pk}"
    problems += submit(page, "/agencies/new/", "Register agency", {"ori": "12345"}, "new agency")
    problems += submit(
        page, f"/agencies/{agency.pk}/edit/", "Save changes", {"legal_name": ""}, "agency edit"
    )
    problems += submit(
        page, f"{app}/officers/", "Save and continue", {"positions_new_hire": "-1"}, "officers"
    )
    problems += submit(
        page, f"{app}/fiscal-need/", "Save and continue", {"poverty_rate": "250"}, "fiscal need"
    )
    problems += submit(
        page, f"{app}/review/", "Certify and submit application", {"certified_name": ""}, "review"
    )
    problems += submit(page, f"/awards/{accepted.pk}/mou/", "Upload the MOU", {}, "MOU upload")
    problems += submit(page, "/accounts/password/", "Change password", {}, "change password")
    opened(accepted)
    # The open implementation: the award page and its forms.
    problems += sweep(
        page,
        (
            f"/awards/{accepted.pk}/",
            f"/awards/{accepted.pk}/hires/new/",
            f"/awards/{accepted.pk}/drawdowns/new/",
        ),
        phone=True,
    )
    problems += submit(page, f"/awards/{accepted.pk}/hires/new/", "Report the hire", {}, "hire")
    problems += submit(
        page, f"/awards/{accepted.pk}/drawdowns/new/", "Request the drawdown", {}, "drawdown"
    )
    assert problems == [], "\n".join(problems)


def test_training_pages_meet_wcag_aa_at_desktop_and_phone_widths(page: Page, live_server):
    agency = AgencyFactory(legal_name="Springfield Police Department")
    user = MembershipFactory(agency=agency).user
    award = accepted_award(agency, letter=False)
    officer, other = add_officers(agency, 2, prefix="Casey")
    session = make_session("basic-sro", capacity=2)
    place = enrollment(session, officer, Enrollment.Status.ENROLLED)
    past = make_session("cpted", starts_on=timezone.localdate() - timedelta(days=60))
    done = enrollment(past, officer, Enrollment.Status.COMPLETED, completed_on=past.ends_on)
    Certificate.objects.create(
        enrollment=done, verification_code="T2-A11Y-0001", status="ready", sha256="0" * 64
    )
    sign_in(page, user.email, PASSWORD)
    problems = sweep(
        page,
        (
            "/training/",
            f"/training/sessions/{session.pk}/",
            "/training/officers/",
            f"/training/officers/{officer.pk}/",
            "/training/officers/new/",
            f"/training/officers/{other.pk}/edit/",
            f"/training/officers/{other.pk}/remove/",
            f"/training/enrollments/{place.pk}/cancel/",
            f"/awards/{award.pk}/mou/",  # no MOU uploaded yet
        ),
        phone=True,
    )
    problems += submit(
        page, f"/training/sessions/{session.pk}/", "Enroll the officers", {}, "enroll"
    )
    problems += submit(page, "/training/officers/new/", "Add to the roster", {}, "add officer")
    page.context.clear_cookies()
    problems += sweep(page, ["/training/certificates/verify/?code=T2-A11Y-0001"])
    assert problems == [], "\n".join(problems)


def test_admin_pages_meet_wcag_aa_for_each_staff_role(page: Page, live_server, private_mou):
    agency = AgencyFactory(legal_name="Gotham Police Department")
    application = ApplicationFactory(
        agency=agency, solicitation=SolicitationFactory(), submitted=True
    )
    award = accepted_award(agency, letter=False)
    mou = submitted_mou(award)
    session = make_session("basic-sro")
    for officer in add_officers(agency, 2):
        enrollment(session, officer, Enrollment.Status.ENROLLED)
    people = {
        roles.GRANTS_MANAGER: (
            "/admin/",
            "/admin/applications/application/",
            f"/admin/applications/application/{application.pk}/change/",
            "/admin/applications/award/",
            f"/admin/applications/award/{award.pk}/change/",
            f"/admin/applications/application/{application.pk}/screen/",  # not theirs: the 403
        ),
        roles.PROGRAM_SPECIALIST: (
            "/admin/mou/mouversion/",
            f"/admin/mou/mouversion/{mou.pk}/change/",
            f"/admin/applications/application/{application.pk}/screen/",
            f"/admin/mou/mouversion/{mou.pk}/review/",
        ),
        roles.TRAINING_COORDINATOR: (
            "/admin/training/coursesession/",
            f"/admin/training/coursesession/{session.pk}/change/",
            f"/admin/training/coursesession/{session.pk}/roster/",
        ),
    }
    problems = []
    for role, paths in people.items():
        page.context.clear_cookies()
        sign_in(page, UserFactory(roles=[role]).email, PASSWORD)
        problems += sweep(page, paths)
        page.screenshot(path=artifact_path(f"a11y-admin-{role}"), full_page=True)
        if role == roles.TRAINING_COORDINATOR:  # the labelled date-and-time widget
            page.goto(f"/admin/training/coursesession/{session.pk}/change/")
            page.screenshot(path=artifact_path("a11y-admin-session-change"), full_page=True)
        if role == roles.PROGRAM_SPECIALIST:
            page.get_by_role("button", name="Approve").click()  # no element checked yet
            page.wait_for_selector(".errornote")
            problems += audit(page, "MOU review with errors")
    assert problems == [], "\n".join(problems)


def test_the_check_itself_reports_a_serious_violation(page: Page, live_server):
    """The sweep above would pass vacuously if axe found nothing: an image without alt text and
    an unlabelled input are reported."""
    page.goto("/accounts/login/")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        ' \'<img src="/favicon.ico"><input type="text" id="nameless">\')'
    )
    found = "\n".join(violations(page))
    assert "critical: image-alt" in found
    assert "critical: label" in found


def test_two_step_verification_pages_meet_wcag_aa_at_desktop_and_phone_widths(
    page: Page, live_server
):
    user = UserFactory()
    sign_in(page, user.email, PASSWORD)
    problems = sweep(
        page,
        (
            "/accounts/security/",
            "/accounts/two-step/setup/",
            "/accounts/two-step/recovery-codes/",  # off: leads to setting up
            "/accounts/two-step/turn-off/",  # off: nothing to turn off
            "/accounts/two-step/verify/",  # off: no code to enter
        ),
        phone=True,
    )
    problems += submit(page, "/accounts/two-step/setup/", "Turn on two-step verification",
                       {"code": "12"}, "setup")  # fmt: skip
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page.locator("#id_code").fill(current_code(device))
    page.get_by_role("button", name="Turn on two-step verification").click()
    page.get_by_test_id("recovery-codes").wait_for()
    problems += audit(page, "first recovery codes")
    problems += sweep(
        page,
        ("/accounts/security/", "/accounts/two-step/recovery-codes/",
         "/accounts/two-step/turn-off/"),
        phone=True,
    )  # fmt: skip
    problems += submit(page, "/accounts/two-step/turn-off/", "Turn off two-step verification",
                       {"password": "wrong"}, "turn off")  # fmt: skip

    page.context.clear_cookies()
    staff = UserFactory(roles=[roles.REVIEWER])
    confirmed_app_device(staff)
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(staff.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/two-step/verify/**")
    problems += sweep(page, [page.url], phone=True)
    problems += submit(page, page.url, "Verify", {"code": "000000"}, "verify")
    page.wait_for_timeout(1500)  # the throttle's delay after one wrong code
    device = TOTPDevice.objects.get(user=staff)
    page.locator("#id_code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/dashboard/")
    problems += sweep(page, ["/accounts/two-step/turn-off/"])  # staff may not: the reason
    assert problems == [], "\n".join(problems)


def test_security_key_pages_meet_wcag_aa_at_desktop_and_phone_widths(page: Page, live_server):
    from tests.mfa_helpers import confirmed_security_key

    user = UserFactory()
    sign_in(page, user.email, PASSWORD)
    problems = sweep(page, ["/accounts/security/keys/add/", "/accounts/security/keys/remove/"],
                     phone=True)  # fmt: skip
    page.goto("/accounts/security/keys/add/")
    page.get_by_role("button", name="Add a security key").wait_for()  # the script's button
    problems += audit(page, "add a key, its button shown")
    page.context.clear_cookies()
    user = UserFactory()
    confirmed_security_key(user, name="Blue key")
    confirmed_app_device(user)
    sign_in(page, user.email, PASSWORD)  # with the app's code
    problems += sweep(page, ["/accounts/security/", "/accounts/security/keys/remove/"],
                      phone=True)  # fmt: skip
    problems += submit(page, "/accounts/security/keys/remove/", "Remove the key",
                       {"password": "wrong"}, "remove a key")  # fmt: skip

    page.context.clear_cookies()
    staff = UserFactory(roles=[roles.REVIEWER])
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(staff.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/two-step/setup/**")
    problems += sweep(page, [page.url, "/accounts/security/keys/add/?next=/admin/"], phone=True)
    confirmed_security_key(staff)
    page.goto("/accounts/two-step/verify/?next=/admin/")
    page.get_by_role("button", name="Use your security key").wait_for()
    problems += sweep(page, [page.url], phone=True)
    assert problems == [], "\n".join(problems)
