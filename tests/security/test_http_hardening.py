"""HTTP hardening across the whole URL map: CSRF on every POST, cookie flags with DEBUG off,
failed-login throttling, a password reset that does not tell whether an address exists, a
strict CSP on every HTML page for each persona, and `check --deploy` clean."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from copsgrants import roles
from tests.applications.acceptance_helpers import private_letters  # noqa: F401
from tests.award_states import accepted_award
from tests.copsgrants.test_security import ROUTES, concrete
from tests.copsgrants.test_settings import PRODUCTION, run
from tests.factories import UserFactory
from tests.mou.review_helpers import private_mou  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_letters", "private_mou")]

# Routes that are not views of ours to protect: none is exempt from CSRF today. A view added
# with @csrf_exempt must be listed here with the reason.
CSRF_EXEMPT: dict[str, str] = {}


@pytest.fixture
def award(agency):
    return accepted_award(agency)


def filled(route: str, award) -> str:
    """A concrete URL, with real primary keys where the route names an object we created."""
    ids = {
        "agencies/": award.application.agency_id,
        "applications/": award.application_id,
        "awards/": award.pk,
        "admin/applications/award/": award.pk,
        "admin/applications/agency/": award.application.agency_id,
        "admin/applications/application/": award.application_id,
    }
    pk = next((v for prefix, v in ids.items() if route.startswith(prefix)), 1)
    route = re.sub(r"^(agencies|applications|awards)/<int:pk>", rf"\1/{pk}", route)
    route = route.replace("<path:object_id>", str(pk))
    return concrete(route)


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.mark.parametrize("persona", ["visitor", "applicant", "superuser"])
def test_every_url_refuses_a_post_without_a_csrf_token(persona, award, applicant, superuser):
    client = Client(enforce_csrf_checks=True)
    if persona != "visitor":
        user = applicant if persona == "applicant" else superuser
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    answered = {}
    for name, route in ROUTES:
        if name in CSRF_EXEMPT:
            continue
        url = filled(route, award)
        answered[url] = client.post(url, {"anything": "1"}).status_code
    accepted = {url: status for url, status in answered.items() if status != 403}
    assert not accepted, f"POST without a CSRF token was not refused: {accepted}"
    assert len(answered) > 250


def test_the_same_post_with_its_token_gets_past_the_csrf_check(applicant, agency):
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("applications:agency_edit", args=[agency.pk])
    client.get(url)
    token = client.cookies["csrftoken"].value
    assert client.post(url, {"csrfmiddlewaretoken": token}).status_code != 403
    refused = client.post(url, {})
    assert refused.status_code == 403
    assert "<script>" not in refused.text


# Cookies with DEBUG off ----------------------------------------------------------------------


def production_cookie_settings() -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ('DEBUG', 'SESSION_COOKIE_SECURE', "
        "'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE', 'CSRF_COOKIE_SECURE', "
        "'CSRF_COOKIE_SAMESITE', 'CSRF_COOKIE_HTTPONLY')}))"
    )
    result = run("-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_with_debug_off_session_and_csrf_cookies_are_secure_httponly_and_samesite(client, settings):
    production = production_cookie_settings()
    assert production["DEBUG"] is False
    # Sign in under exactly the production values and read the Set-Cookie headers.
    for key, value in production.items():
        setattr(settings, key, value)
    user = UserFactory(email="chief@town.example", password="correct horse battery")
    client.get(reverse("login"))
    csrf = client.cookies["csrftoken"]
    response = client.post(
        reverse("login"),
        {"username": user.email, "password": "correct horse battery",
         "csrfmiddlewaretoken": csrf.value},
    )  # fmt: skip
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    csrf = response.cookies.get("csrftoken") or client.cookies["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"


# Failed-login throttling --------------------------------------------------------------------


def test_failed_sign_ins_are_paused_after_the_limit_even_with_the_right_password(client, settings):
    user = UserFactory(email="chief@town.example", password="correct horse battery")
    statuses = [
        client.post(reverse("login"), {"username": user.email, "password": "nope"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    # The form again with its error, until the limit-th failure pauses the account.
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    blocked = client.post(
        reverse("login"), {"username": user.email, "password": "correct horse battery"}
    )
    assert blocked.status_code == 429
    assert "paused" in blocked.text and "15 minutes" in blocked.text
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked (username + IP lockout).
    other = UserFactory(email="deputy@town.example", password="correct horse battery")
    fine = client.post(
        reverse("login"), {"username": other.email, "password": "correct horse battery"}
    )
    assert fine.status_code == 302


# Password reset -----------------------------------------------------------------------------


def normalised(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'nonce="[^"]+"', "", html)


def test_password_reset_answers_the_same_for_a_known_and_an_unknown_address(client):
    UserFactory(email="chief@town.example")
    known = client.post(reverse("password_reset"), {"email": "chief@town.example"}, follow=True)
    sent_for_known = len(mail.outbox)
    unknown = client.post(reverse("password_reset"), {"email": "nobody@town.example"}, follow=True)
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert normalised(known.text) == normalised(unknown.text)
    # The only difference is out of band: the real address gets an email, nobody else does.
    assert len(mail.outbox) == sent_for_known
    assert "nobody@town.example" not in [to for m in mail.outbox for to in m.to]


# CSP on every HTML page, for each persona ----------------------------------------------------

SCRIPT = re.compile(r"<script([^>]*)>(.*?)</script>", flags=re.S | re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", flags=re.I)


def html_pages(client, award):
    for name, route in ROUTES:
        if name in {"logout", "admin:logout"}:
            continue
        url = filled(route, award)
        response = client.get(url)
        if response.status_code == 302:
            continue
        if response.get("Content-Type", "").startswith("text/html"):
            yield url, response


@pytest.mark.parametrize(
    "persona", ["visitor", "applicant", roles.PROGRAM_SPECIALIST, roles.REVIEWER, "superuser"]
)
def test_every_html_page_has_a_strict_csp_and_no_inline_script(persona, award, applicant):
    client = Client()
    if persona == "applicant":
        client.force_login(applicant, backend="django.contrib.auth.backends.ModelBackend")
    elif persona == "superuser":
        user = UserFactory(is_staff=True, is_superuser=True)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    elif persona != "visitor":
        user = UserFactory(is_staff=True, roles=[persona])
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    checked = []
    for url, response in html_pages(client, award):
        assert response.status_code != 500, url
        csp = response.get("Content-Security-Policy", "")
        script_src = re.search(r"script-src ([^;]*)", csp)
        assert script_src, f"{url}: no script-src in {csp!r}"
        assert "'unsafe-inline'" not in script_src.group(1), url
        assert "'unsafe-eval'" not in script_src.group(1), url
        for attrs, body in SCRIPT.findall(response.text):
            if "application/json" in attrs:
                continue  # a data block (json_script), never executed
            assert "src=" in attrs and body.strip() == "", f"{url}: inline <script{attrs}>"
        assert not INLINE_HANDLER.search(response.text), f"{url}: inline event handler"
        checked.append(url)
    assert len(checked) >= (10 if persona == "visitor" else 40), checked


def test_manage_py_check_deploy_is_clean_with_production_settings():
    result = run("manage.py", "check", "--deploy", "--fail-level", "INFO", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)" in result.stdout


def test_the_user_model_is_the_one_the_login_throttle_keys_on():
    assert get_user_model().USERNAME_FIELD in {"email", "username"}
