"""The OpenID Connect settings (README "Configuration"), read from the environment by settings.py.

Sign-in through a provider is off unless OIDC_RP_CLIENT_ID is set. Once it is set, the
provider's endpoints must all be given as https:// URLs (http:// only on this machine, for
a local test provider), and the signing algorithm must be one mozilla-django-oidc checks:
anything else stops start-up with the variable's name, as every malformed setting does.

This module reads no Django setting: settings.py imports it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

ENDPOINTS = (
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
)
# RS*/ES* ID tokens are checked against the provider's published keys (OIDC_OP_JWKS_ENDPOINT);
# HS* tokens are signed with the client secret, which then must be set.
SIGN_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "HS256", "HS384", "HS512")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def _check_endpoint(name: str, url: str) -> None:
    if not url:
        raise ImproperlyConfigured(f"{name} must be set when OIDC_RP_CLIENT_ID is set.")
    parts = urlsplit(url)
    local_http = parts.scheme == "http" and parts.hostname in LOCAL_HOSTS
    if not parts.hostname or (parts.scheme != "https" and not local_http):
        raise ImproperlyConfigured(
            f"{name} must be an https:// URL (http:// only for 127.0.0.1), not {url!r}"
        )


def oidc_settings(env: environ.Env, *, backends: list[str]) -> dict[str, Any]:
    """The OIDC_* settings, checked; with sign-in on, the authentication backends gain ours
    (after django-axes' AxesStandaloneBackend, which stays first)."""
    client_id = env.str("OIDC_RP_CLIENT_ID", default="").strip()
    values: dict[str, Any] = {
        "OIDC_ENABLED": bool(client_id),
        "OIDC_RP_CLIENT_ID": client_id,
        "OIDC_RP_CLIENT_SECRET": env.str("OIDC_RP_CLIENT_SECRET", default=""),
        **{name: env.str(name, default="").strip() for name in ENDPOINTS},
        "OIDC_RP_SIGN_ALGO": env.str("OIDC_RP_SIGN_ALGO", default="RS256").strip(),
        "OIDC_PROVIDER_NAME": env.str("OIDC_PROVIDER_NAME", default="Login.gov").strip(),
        "OIDC_AUTH_REQUEST_EXTRA_PARAMS": {},
        "OIDC_RP_SCOPES": "openid email",
        # PKCE: the code is useless to anyone who intercepts it without our verifier.
        "OIDC_USE_PKCE": True,
        "OIDC_TIMEOUT": 15,
        # The ID token's signing keys are checked on each sign-in; tokens are not kept.
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_STORE_ID_TOKEN": False,
    }
    # Login.gov requires both: acr_values (the assurance level asked for) and prompt=select_account.
    for param, name in (("acr_values", "OIDC_ACR_VALUES"), ("prompt", "OIDC_PROMPT")):
        value = env.str(name, default="").strip()
        if value:
            values["OIDC_AUTH_REQUEST_EXTRA_PARAMS"][param] = value
    if not client_id:
        return values
    for name in ENDPOINTS:
        _check_endpoint(name, values[name])
    algorithm = values["OIDC_RP_SIGN_ALGO"]
    if algorithm not in SIGN_ALGORITHMS:
        raise ImproperlyConfigured(
            f"OIDC_RP_SIGN_ALGO must be one of {', '.join(SIGN_ALGORITHMS)}, not {algorithm!r}"
        )
    if algorithm.startswith("HS") and not values["OIDC_RP_CLIENT_SECRET"]:
        raise ImproperlyConfigured(f"OIDC_RP_CLIENT_SECRET must be set for {algorithm}.")
    if not values["OIDC_PROVIDER_NAME"]:
        raise ImproperlyConfigured("OIDC_PROVIDER_NAME must not be empty.")
    values["AUTHENTICATION_BACKENDS"] = [*backends, "copsgrants.oidc.OIDCBackend"]
    return values
