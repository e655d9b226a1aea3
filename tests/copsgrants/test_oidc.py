"""Sign-in through OpenID Connect, against a real provider: oidc-provider-mock runs an OpenID
provider (authlib under Flask) on 127.0.0.1 in a thread. The test client follows the whole dance:
our /oidc/authenticate/ -> the provider's authorize form (submitted with a subject) -> our
callback, where the backend trades the code for tokens and claims over HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import environ
import jwt
import oidc_provider_mock
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.urls import reverse
from werkzeug.serving import make_server

from copsgrants.models import AuditEvent, User
from copsgrants.oidc import OIDCBackend
from copsgrants.oidc_config import oidc_settings
from tests.copsgrants.test_settings import run as run_settings
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]


@dataclass
class Provider:
    url: str

    def set_user(self, sub: str, **claims) -> None:
        response = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=5)
        response.raise_for_status()

    def environment(self) -> dict[str, str]:
        return {
            "OIDC_RP_CLIENT_ID": "copsgrants-test",
            "OIDC_RP_CLIENT_SECRET": "not-a-real-secret",
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.url}/oauth2/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.url}/oauth2/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.url}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.url}/jwks",
            "OIDC_PROVIDER_NAME": "Login.gov",
        }


@pytest.fixture
def provider() -> Iterator[Provider]:
    # Only 127.0.0.1: the provider's own run_server_in_thread listens on "localhost".
    server = make_server("127.0.0.1", 0, oidc_provider_mock.app(require_nonce=True), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield Provider(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


def configure(settings, monkeypatch, environment: dict[str, str]) -> None:
    """Apply the OIDC_* settings as settings.py would read them from this environment."""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    for name, value in oidc_settings(environ.Env(), backends=list(BACKENDS)).items():
        setattr(settings, name, value)


@pytest.fixture
def oidc_on(settings, monkeypatch, provider) -> Provider:
    configure(settings, monkeypatch, provider.environment())
    return provider


def sign_in_at_provider(client, provider: Provider, sub: str, *, next_url: str = "") -> object:
    """Start at our sign-in button's URL, submit the provider's form, and return our callback's
    response."""
    start = reverse("oidc_authentication_init") + (f"?next={next_url}" if next_url else "")
    response = client.get(start)
    assert response.status_code == 302
    authorize = response.url
    assert authorize.startswith(f"{provider.url}/oauth2/authorize?")
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["nonce"] and query["state"]
    assert "Authorize" in requests.get(authorize, timeout=5).text  # the provider's form
    answer = requests.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert back.path == reverse("oidc_authentication_callback")
    return client.get(f"{back.path}?{back.query}")


def signed_in_as(client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def test_the_sign_in_page_offers_the_provider_only_when_it_is_configured(client, settings):
    assert settings.OIDC_ENABLED is False
    assert "Sign in with" not in client.get(reverse("login")).text
    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "Login.gov"
    html = client.get(reverse("login")).text
    assert "Sign in with Login.gov" in html
    assert f'href="{reverse("oidc_authentication_init")}"' in html


def test_while_it_is_off_the_oidc_urls_are_not_found(client):
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    callback = reverse("oidc_authentication_callback") + "?code=x&state=y"
    assert client.get(callback).status_code == 404


def test_login_gov_s_required_parameters_go_with_the_request(
    client, settings, monkeypatch, provider
):
    acr = "urn:acr.login.gov:auth-only"
    environment = provider.environment() | {"OIDC_ACR_VALUES": acr, "OIDC_PROMPT": "select_account"}
    configure(settings, monkeypatch, environment)
    query = parse_qs(urlsplit(client.get(reverse("oidc_authentication_init")).url).query)
    assert query["acr_values"] == [acr]
    assert query["prompt"] == ["select_account"]
    assert len(query["state"][0]) >= 22 and len(query["nonce"][0]) >= 22


def test_a_new_person_signs_in_through_the_provider_and_gets_a_confirmed_account(client, oidc_on):
    oidc_on.set_user("sub-1", email="New.Person@Town.example", email_verified=True)
    response = sign_in_at_provider(client, oidc_on, "sub-1")
    assert response.status_code == 302
    assert response.url == reverse("applications:dashboard")
    user = signed_in_as(client)
    assert user.email == "new.person@town.example"
    assert user.email_verified
    assert not user.has_usable_password()
    assert AuditEvent.objects.for_object(user).filter(verb="user.registered").exists()
    assert client.get(reverse("applications:dashboard")).status_code == 200


def test_an_existing_account_is_matched_by_email_whatever_its_case(client, oidc_on):
    chief = UserFactory(email="chief@town.example")
    oidc_on.set_user("sub-2", email="CHIEF@Town.Example", email_verified=True)
    response = sign_in_at_provider(client, oidc_on, "sub-2", next_url="/training/")
    assert response.status_code == 302
    assert response.url == "/training/"
    assert signed_in_as(client) == chief
    assert User.objects.count() == 1


def test_signing_in_through_the_provider_confirms_an_unconfirmed_address(client, oidc_on):
    waiting = UserFactory(email="waiting@town.example", unverified=True)
    oidc_on.set_user("sub-3", email="waiting@town.example", email_verified=True)
    sign_in_at_provider(client, oidc_on, "sub-3")
    waiting.refresh_from_db()
    assert signed_in_as(client) == waiting
    assert waiting.email_verified


def test_staff_may_sign_in_through_the_provider(client, oidc_on):
    specialist = UserFactory(email="specialist@cops.example", roles=["program_specialist"])
    oidc_on.set_user("sub-4", email="specialist@cops.example", email_verified=True)
    sign_in_at_provider(client, oidc_on, "sub-4")
    assert signed_in_as(client) == specialist


@pytest.mark.parametrize("claims", [{"email_verified": False}, {}])
def test_an_address_the_provider_has_not_verified_is_refused_with_a_message(
    client, oidc_on, claims
):
    chief = UserFactory(email="chief@town.example")
    oidc_on.set_user("sub-5", email="chief@town.example", **claims)
    response = sign_in_at_provider(client, oidc_on, "sub-5")
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert signed_in_as(client) is None
    page = client.get(response.url)
    assert "Login.gov has not confirmed your email address" in page.text
    assert User.objects.get() == chief


def test_a_tampered_state_is_refused_without_an_error(client, oidc_on):
    oidc_on.set_user("sub-6", email="chief@town.example", email_verified=True)
    response = client.get(reverse("oidc_authentication_init"))
    state = parse_qs(urlsplit(response.url).query)["state"][0]
    answer = requests.post(response.url, data={"sub": "sub-6"}, allow_redirects=False, timeout=5)
    back = urlsplit(answer.headers["Location"])
    tampered = back.query.replace(f"state={state}", "state=forged")
    response = client.get(f"{back.path}?{tampered}")
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert signed_in_as(client) is None
    assert "The sign-in link was not valid" in client.get(response.url).text
    # A callback with no sign-in started in this browser is refused the same way.
    fresh = client.__class__()
    response = fresh.get(f"{back.path}?{back.query}")
    assert response.status_code == 302 and response.url == reverse("login")
    assert "_auth_user_id" not in fresh.session


@pytest.mark.parametrize(
    ("audience", "accepted"), [("copsgrants-test", True), ("another-app", False)]
)
def test_an_id_token_issued_to_another_client_is_refused(settings, oidc_on, audience, accepted):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings.OIDC_RP_IDP_SIGN_KEY = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = jwt.encode({"sub": "s", "aud": audience, "nonce": "n"}, key, algorithm="RS256")
    backend = OIDCBackend()
    if accepted:
        assert backend.verify_token(token, nonce="n")["sub"] == "s"
    else:
        with pytest.raises(SuspiciousOperation, match="another client"):
            backend.verify_token(token, nonce="n")


def test_a_person_who_denies_consent_at_the_provider_is_told_so(client, oidc_on):
    response = client.get(reverse("oidc_authentication_init"))
    answer = requests.post(response.url, data={"action": "deny"}, allow_redirects=False, timeout=5)
    back = urlsplit(answer.headers["Location"])
    response = client.get(f"{back.path}?{back.query}")
    assert response.url == reverse("login")
    assert "Sign-in with Login.gov was cancelled" in client.get(response.url).text


def test_a_provider_that_is_down_at_the_callback_is_reported_not_a_500(
    client, settings, monkeypatch, provider
):
    environment = provider.environment() | {
        "OIDC_OP_TOKEN_ENDPOINT": "http://127.0.0.1:9/oauth2/token"  # nothing listens there
    }
    configure(settings, monkeypatch, environment)
    provider.set_user("sub-7", email="chief@town.example", email_verified=True)
    response = sign_in_at_provider(client, provider, "sub-7")
    assert response.status_code == 302 and response.url == reverse("login")
    assert "We could not complete sign-in with Login.gov" in client.get(response.url).text


def test_a_password_sign_in_still_works_with_the_provider_configured(client, oidc_on):
    UserFactory(email="chief@town.example")
    response = client.post(
        reverse("login") + "?code=abc&state=def",
        {"username": "chief@town.example", "password": "correct-horse-battery-staple"},
    )
    assert response.status_code == 302
    assert signed_in_as(client) is not None


def test_wrong_passwords_still_pause_sign_in_with_the_provider_configured(
    client, oidc_on, settings
):
    UserFactory(email="chief@town.example")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "chief@town.example", "password": "wrong"})
    response = client.post(
        reverse("login"),
        {"username": "chief@town.example", "password": "correct-horse-battery-staple"},
    )
    assert response.status_code == 429
    assert signed_in_as(client) is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"OIDC_OP_TOKEN_ENDPOINT": ""}, "OIDC_OP_TOKEN_ENDPOINT must be set"),
        ({"OIDC_OP_JWKS_ENDPOINT": "ftp://idp.example/jwks"}, "OIDC_OP_JWKS_ENDPOINT must be"),
        ({"OIDC_OP_USER_ENDPOINT": "http://idp.example/u"}, "OIDC_OP_USER_ENDPOINT must be"),
        ({"OIDC_RP_SIGN_ALGO": "none"}, "OIDC_RP_SIGN_ALGO must be one of"),
        (
            {"OIDC_RP_SIGN_ALGO": "HS256", "OIDC_RP_CLIENT_SECRET": ""},
            "OIDC_RP_CLIENT_SECRET must be set",
        ),
    ],
)
def test_a_malformed_provider_setting_stops_start_up_with_its_name(monkeypatch, change, message):
    environment = Provider("https://idp.example").environment() | change
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        oidc_settings(environ.Env(), backends=list(BACKENDS))


def test_settings_read_the_provider_from_the_environment_and_refuse_a_missing_endpoint():
    """In a fresh process, as at start-up: settings.py wires oidc_config in."""
    code = "from django.conf import settings as s; print(s.OIDC_ENABLED, s.AUTHENTICATION_BACKENDS)"
    environment = Provider("https://idp.example").environment()
    done = run_settings("-c", code, DJANGO_DEBUG="1", **environment)
    assert done.returncode == 0, done.stderr
    assert "True" in done.stdout and "copsgrants.oidc.OIDCBackend" in done.stdout
    del environment["OIDC_OP_JWKS_ENDPOINT"]
    done = run_settings("-c", code, DJANGO_DEBUG="1", **environment)
    assert done.returncode != 0
    assert "OIDC_OP_JWKS_ENDPOINT must be set" in done.stderr


def test_with_no_client_id_nothing_else_is_checked_and_axes_stays_first(monkeypatch):
    monkeypatch.setenv("OIDC_OP_TOKEN_ENDPOINT", "not a url")
    monkeypatch.delenv("OIDC_RP_CLIENT_ID", raising=False)
    values = oidc_settings(environ.Env(), backends=list(BACKENDS))
    assert values["OIDC_ENABLED"] is False and "AUTHENTICATION_BACKENDS" not in values
    monkeypatch.setenv("OIDC_RP_CLIENT_ID", "x")
    for name, value in Provider("https://idp.example").environment().items():
        monkeypatch.setenv(name, value)
    backends = oidc_settings(environ.Env(), backends=list(BACKENDS))["AUTHENTICATION_BACKENDS"]
    assert backends[0] == "axes.backends.AxesStandaloneBackend"
    assert backends[-1] == "copsgrants.oidc.OIDCBackend"
