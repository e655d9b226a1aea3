"""Sign-in through an OpenID Connect provider (Login.gov), with mozilla-django-oidc.

Off unless OIDC_RP_CLIENT_ID is set (copsgrants/oidc_config.py): then the sign-in page offers
"Sign in with <OIDC_PROVIDER_NAME>", the authorization code flow runs with PKCE, state and nonce,
and `OIDCBackend` (listed after django-axes' backend) turns the provider's claims into our user:

- the provider must vouch for the address (`email_verified` true), else sign-in is refused:
  matching an account by an address nobody has proved would hand that account to anyone;
- an account with that address (in any case) is signed in, and its address counts as confirmed;
- with none, a confirmed account is created (no password: it can set one through a reset).

Staff accounts may sign in this way too; the rest of the sign-in rules (second factor) apply
after it as after a password. The views refuse every failure (a tampered or replayed state, a
provider that is down or answers nonsense) with a message on the sign-in page, never a 500.
"""

from __future__ import annotations

import logging
from functools import wraps

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .audit import record
from .models import User
from .verification import verify_email

logger = logging.getLogger(__name__)


def _refuse(request: HttpRequest, reason: str) -> None:
    # The backend has no way to return a reason; the callback view reads it from the request.
    request.oidc_refusal = reason


class OIDCBackend(OIDCAuthenticationBackend):
    def authenticate(self, request: HttpRequest | None, **kwargs) -> User | None:
        # Only our callback view asks (it always passes the nonce): a password sign-in posted to
        # a URL with ?code=...&state=... must not make us call the provider.
        if request is None or "nonce" not in kwargs or "password" in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def verify_claims(self, claims: dict) -> bool:
        name = settings.OIDC_PROVIDER_NAME
        if not claims.get("email"):
            _refuse(self.request, f"{name} did not share your email address with us.")
            return False
        if claims.get("email_verified") not in (True, "true"):
            _refuse(
                self.request,
                f"{name} has not confirmed your email address. Confirm it with {name}, "
                "or sign in with your password.",
            )
            return False
        return True

    def verify_token(self, token: str, **kwargs) -> dict:
        payload = super().verify_token(token, **kwargs)
        # mozilla-django-oidc does not check the audience: an ID token the provider issued to
        # another of its clients must not sign anyone in here.
        audience = payload.get("aud")
        if settings.OIDC_RP_CLIENT_ID not in (
            audience if isinstance(audience, list) else [audience]
        ):
            raise SuspiciousOperation("The ID token was issued to another client.")
        return payload

    def retrieve_matching_jwk(self, token: str) -> jwt.PyJWK:
        # OpenID Connect Core 10.1: an ID token may leave out "kid" when the provider publishes
        # one signing key; mozilla-django-oidc insists on it, so that case is handled here.
        if "kid" in jwt.get_unverified_header(token):
            return super().retrieve_matching_jwk(token)
        response = requests.get(
            self.OIDC_OP_JWKS_ENDPOINT,
            verify=self.get_settings("OIDC_VERIFY_SSL", True),
            timeout=settings.OIDC_TIMEOUT,
        )
        response.raise_for_status()
        keys = response.json().get("keys", [])
        if len(keys) != 1:
            raise SuspiciousOperation("The ID token names no key and the provider has several.")
        return jwt.PyJWK(keys[0])

    def create_user(self, claims: dict) -> User:
        with transaction.atomic():
            user = User.objects.create_user(
                email=claims["email"],
                password=None,  # unusable: this person signs in through the provider
                first_name=str(claims.get("given_name", ""))[:150],
                last_name=str(claims.get("family_name", ""))[:150],
            )
            record(
                verb="user.registered",
                target=user,
                actor=user,
                data={"via": "oidc", "provider": settings.OIDC_PROVIDER_NAME},
            )
        return user

    def update_user(self, user: User, claims: dict) -> User:
        if not user.email_verified:
            # The provider has proved the mailbox, as our own link would have.
            verify_email(user=user, via="oidc")
        return user


class AuthenticateView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider (with state, nonce and the PKCE challenge)."""


class CallbackView(OIDCAuthenticationCallbackView):
    """The provider sends the browser back here with a code, which the backend trades for the
    person's claims."""

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            return super().get(request)
        except SuspiciousOperation:
            # A state this browser never started (tampered, replayed, or from another browser).
            logger.warning("OpenID Connect callback refused: unknown state", exc_info=True)
            return self._failure("The sign-in link was not valid. Try again.")
        except (requests.RequestException, jwt.PyJWTError, ValueError, KeyError):
            logger.warning("OpenID Connect sign-in failed", exc_info=True)
            return self._failure(
                f"We could not complete sign-in with {settings.OIDC_PROVIDER_NAME}. Try again, "
                "or sign in with your password."
            )

    def login_failure(self) -> HttpResponse:
        reason = getattr(self.request, "oidc_refusal", None)
        if reason is None and self.request.GET.get("error"):
            reason = f"Sign-in with {settings.OIDC_PROVIDER_NAME} was cancelled."
        return self._failure(
            reason or f"Sign-in with {settings.OIDC_PROVIDER_NAME} did not succeed. Try again."
        )

    def _failure(self, message: str) -> HttpResponse:
        messages.error(self.request, message)
        return redirect("login")


def when_enabled(view):
    """Anyone may start or finish sign-in (it is how they sign in), but only when it is on:
    otherwise the URLs are a 404."""

    @login_not_required
    @never_cache
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404("Sign-in through an identity provider is not set up.")
        return view(request, *args, **kwargs)

    return wrapped


authenticate = when_enabled(AuthenticateView.as_view())
callback = when_enabled(CallbackView.as_view())
