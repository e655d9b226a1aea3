"""Two-step verification pages, included under accounts/ (copsgrants/urls.py)."""

from django.urls import path

from . import views_keys, views_mfa

urlpatterns = [
    path("security/", views_mfa.account_security, name="account_security"),
    path("two-step/verify/", views_mfa.mfa_verify, name="mfa_verify"),
    path("two-step/setup/", views_mfa.mfa_setup, name="mfa_setup"),
    path("two-step/recovery-codes/", views_mfa.mfa_recovery_codes, name="mfa_recovery_codes"),
    path("two-step/turn-off/", views_mfa.mfa_disable, name="mfa_disable"),
    path("security/keys/add/", views_keys.mfa_key_add, name="mfa_key_add"),
    path("security/keys/remove/", views_keys.mfa_key_remove, name="mfa_key_remove"),
]
