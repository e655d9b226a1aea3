from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views, views_accounts
from .forms import PasswordResetForm, StaffSignInForm

admin.site.site_header = "COPS Grants administration"
admin.site.site_title = "COPS Grants"
admin.site.index_title = "COPS Hiring Program"
admin.site.login_form = StaffSignInForm

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/register/", views_accounts.register, name="register"),
    path("accounts/login/", views_accounts.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views_accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # Multi-factor authentication (django-otp): copsgrants/urls_mfa.py.
    path("accounts/", include("copsgrants.urls_mfa")),
    # Security keys: django-otp-webauthn's JSON endpoints (copsgrants/urls_keys.py).
    path("accounts/webauthn/", include("copsgrants.urls_keys")),
    path("", include("copsgrants.urls_accounts")),
    path("", include("applications.urls")),
    path("", include("mou.urls")),
    path("training/", include("training.urls_certificates")),
    path("training/", include("training.urls")),
    path("admin/", admin.site.urls),
]
