"""django-otp-webauthn's JSON endpoints of the browser ceremonies, under accounts/webauthn/ in
the plugin's own namespace (its script and template tag reverse these names). Signing in with a
key is a second factor only (OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN is off), and every endpoint
needs a signed-in user, as every page does."""

from django.urls import path
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialRegistrationView,
)

from .views_keys import KeySignInView

app_name = "otp_webauthn"

urlpatterns = [
    path(
        "registration/begin/",
        BeginCredentialRegistrationView.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        CompleteCredentialRegistrationView.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        BeginCredentialAuthenticationView.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        KeySignInView.as_view(),
        name="credential-authentication-complete",
    ),
]
