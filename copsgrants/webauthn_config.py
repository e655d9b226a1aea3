"""The WebAuthn relying party (django-otp-webauthn), derived from SITE_URL by settings.py.

Security keys are bound to the site's host name (the RP ID) and accepted only from its origin.
Browsers refuse an IP address as RP ID, so `make run`'s default SITE_URL (http://127.0.0.1:8000)
becomes http://localhost:8000: open the site at localhost to add or use a key there (a browser
treats localhost as a secure context; every other host needs https).

This module reads no Django setting: settings.py imports it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def webauthn_settings(site_url: str) -> dict[str, Any]:
    parts = urlsplit(site_url)
    host = parts.hostname or "localhost"
    rp_id = "localhost" if host in LOOPBACK else host
    port = f":{parts.port}" if parts.port else ""
    return {
        "OTP_WEBAUTHN_RP_ID": rp_id,
        "OTP_WEBAUTHN_RP_NAME": "COPS Grants",
        "OTP_WEBAUTHN_ALLOWED_ORIGINS": [f"{parts.scheme}://{rp_id}{port}"],
        # A key is a second factor only: signing in always starts with the password.
        "OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN": False,
        # Registration records the audit event and the security email (copsgrants/keys.py).
        "OTP_WEBAUTHN_HELPER_CLASS": "copsgrants.keys.KeyHelper",
    }
