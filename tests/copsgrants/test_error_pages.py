"""With DEBUG off, errors are USWDS pages that say what happened and lead somewhere useful."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.test import Client
from django.urls import include, path, reverse

from copsgrants.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@login_not_required
def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


@login_not_required
def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


@login_not_required
def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a malformed request")


# The real site, plus views that fail on purpose.
urlpatterns = [
    path("test-errors/crash/", crash),
    path("test-errors/forbidden/", forbidden),
    path("test-errors/suspicious/", suspicious),
    path("", include("copsgrants.urls")),
]


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


def links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def test_a_missing_page_is_a_uswds_page_that_leads_home(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.text
    assert "usa-banner" in response.text  # the site's own shell, not Django's bare page
    assert reverse("home") in links(response.text)
    assert "data-history-back" in response.text
    assert "/static/js/history-back" in response.text


def test_a_missing_page_leads_a_signed_in_user_to_the_dashboard(signed_in, applicant):
    response = signed_in(applicant).get("/no-such-page/")
    assert response.status_code == 404
    assert "Go to your dashboard" in response.text
    assert reverse("applications:dashboard") in links(response.text)
    assert f"Signed in as {applicant.email}" in response.text


def test_a_forbidden_page_is_a_uswds_page_that_explains_who_to_ask(client):
    response = client.get("/test-errors/forbidden/")
    assert response.status_code == 403
    assert "<h1>You can\N{RIGHT SINGLE QUOTATION MARK}t open this page</h1>" in response.text
    assert "ask your agency\N{RIGHT SINGLE QUOTATION MARK}s administrator" in response.text
    assert reverse("home") in links(response.text)


def test_a_bad_request_is_a_uswds_page(client):
    response = client.get("/test-errors/suspicious/")
    assert response.status_code == 400
    assert "<h1>Something went wrong with that request</h1>" in response.text
    assert "nothing was changed" in response.text
    assert "a malformed request" not in response.text  # no internals


def test_a_crash_is_a_styled_page_with_a_way_back(client):
    client.raise_request_exception = False
    response = client.get("/test-errors/crash/")
    assert response.status_code == 500
    assert "<h1>Sorry, something went wrong</h1>" in response.text
    assert "a bug" not in response.text
    assert "/static/uswds/css/uswds.min.css" in response.text
    assert "/static/css/app.css" in response.text
    assert {reverse("home"), reverse("applications:dashboard")} <= set(links(response.text))


def test_the_crash_page_renders_with_no_context_and_no_request():
    # As Django's server_error does: whatever broke may have been the request or its context.
    html = loader.get_template("500.html").render()
    assert "Sorry, something went wrong" in html
    assert "Signed in as" not in html


def test_the_crash_page_loads_its_styles_without_the_static_manifest(client):
    # A missing manifest entry is one way a page crashes; the crash page must not crash on it too.
    html = loader.get_template("500.html").render()
    for href in re.findall(r'href="(/static/[^"]+)"', html):
        assert not re.search(r"\.[0-9a-f]{12}\.", href), href
        assert client.get(href).status_code == 200, href


def test_a_form_sent_with_a_stale_token_explains_that_nothing_was_saved(applicant):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(applicant, backend="django.contrib.auth.backends.ModelBackend")
    form_page = "http://testserver" + reverse("applications:agency_create")
    csrf_client.get(form_page)  # sets the CSRF cookie
    response = csrf_client.post(
        reverse("applications:agency_create"),
        {"csrfmiddlewaretoken": "x" * 64, "legal_name": "Shelbyville Police"},
        headers={"referer": form_page},
    )
    assert response.status_code == 403
    assert "Your session changed since this page was opened, so nothing was saved" in response.text
    assert "Go back to the form" in response.text
    assert "usa-banner" in response.text
    assert 'data-testid="reopen-form"' in response.text
    assert form_page in links(response.text)


def test_a_stale_sign_up_form_creates_nothing(client):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.get(reverse("register"))
    response = csrf_client.post(
        reverse("register"),
        {
            "csrfmiddlewaretoken": "x" * 64,
            "first_name": "Alex",
            "last_name": "Rivera",
            "email": "alex@springfield.example",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )
    assert response.status_code == 403
    assert "nothing was saved" in response.text
    assert not User.objects.exists()


def test_the_stale_form_page_never_links_to_another_site(applicant):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(applicant, backend="django.contrib.auth.backends.ModelBackend")
    csrf_client.get(reverse("applications:dashboard"))
    response = csrf_client.post(
        reverse("applications:agency_create"),
        {"csrfmiddlewaretoken": "x" * 64},
        headers={"referer": "https://evil.example/applications/"},
    )
    assert response.status_code == 403
    assert "evil.example" not in response.text
    assert reverse("applications:dashboard") in links(response.text)


def test_a_form_sent_without_the_cookie_says_to_allow_cookies():
    response = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "a"})
    assert response.status_code == 403
    assert "If cookies are blocked for this site" in response.text
