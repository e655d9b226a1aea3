"""Account URLs beyond Django's own: email confirmation and OpenID Connect sign-in."""

from django.urls import path

from . import oidc, views_accounts

urlpatterns = [
    path("accounts/confirm/sent/", views_accounts.verify_email_sent, name="verify_email_sent"),
    path("accounts/confirm/new/", views_accounts.verify_email_resend, name="verify_email_resend"),
    path(
        "accounts/confirm/new/sent/",
        views_accounts.verify_email_resend_done,
        name="verify_email_resend_done",
    ),
    path("accounts/confirm/<str:token>/", views_accounts.verify_email_link, name="verify_email"),
    # mozilla-django-oidc's views under its own URL names (its settings refer to them), wrapped:
    # anyone may use them (LoginRequiredMiddleware), and they are a 404 while OIDC is off.
    path("oidc/authenticate/", oidc.authenticate, name="oidc_authentication_init"),
    path("oidc/callback/", oidc.callback, name="oidc_authentication_callback"),
]
