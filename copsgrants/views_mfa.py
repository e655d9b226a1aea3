"""Pages of two-step verification: the sign-in step, setting up an authenticator app, recovery
codes, turning it off, and the account security page that leads to them."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from . import mfa
from .forms_mfa import ConfirmAppForm, PasswordAgainForm, VerifyCodeForm

NEW_CODES_SESSION_KEY = "mfa_new_recovery_codes"


def next_url(request: HttpRequest, default: str = settings.LOGIN_REDIRECT_URL) -> str:
    """Where to go afterwards: `next` when it is on this site, else `default`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(default)


def _verified(request: HttpRequest, device) -> None:
    # A new session key for the stronger session, as Django does at sign-in.
    request.session.cycle_key()
    otp_login(request, device)


@never_cache
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    destination = next_url(request)
    if user.is_verified():
        return redirect(destination)
    if not mfa.is_on(user):
        if mfa.must_verify(user):
            return redirect_to_login(destination, reverse("mfa_setup"))
        # Two-step verification is off: nothing to ask (the page says so and leads on).
        return render(request, "registration/mfa_verify.html", {"off": True, "next": destination})
    form = VerifyCodeForm(request.POST if request.method == "POST" else None, user=user)
    has_app, has_key = mfa.app_devices(user).exists(), mfa.security_keys(user).exists()
    if not has_app:
        form.fields["code"].help_text = "One of your recovery codes: each works once."
    if request.method == "POST" and form.is_valid():
        _verified(request, form.device)
        if isinstance(form.device, StaticDevice):
            left = mfa.recovery_codes_left(user)
            messages.warning(
                request,
                f"You used a recovery code; it will not work again. {left} left: make a new set "
                "on your account security page if you are running low.",
            )
        return redirect(destination)
    context = {"form": form, "next": destination, "has_app": has_app, "has_key": has_key}
    return render(request, "registration/mfa_verify.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    destination = next_url(request, default="account_security")
    if mfa.is_on(user) and not user.is_verified():
        # Adding a device needs the second factor already held: a password alone is not enough.
        return redirect_to_login(destination, reverse("mfa_verify"))
    device = mfa.pending_app_device(user=user)
    form = ConfirmAppForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.confirm_app_device(device=device, token=form.cleaned_data["code"], by=user)
        except mfa.MFAError as error:
            form.add_error("code", str(error))
        else:
            _verified(request, device)
            messages.success(request, "Two-step verification is on for your account.")
            if codes:
                return show_codes_once(request, codes, next_url=destination, first_set=True)
            return redirect(destination)
    context = {
        "form": form,
        "next": destination,
        "qr_code": mfa.qr_code_data_uri(device),
        "key": mfa.manual_key(device),
        "staff": mfa.required(user),
        "adding": mfa.is_on(user),
    }
    return render(request, "registration/mfa_setup.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def mfa_recovery_codes(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not mfa.is_on(user):
        # Recovery codes back up an authenticator app: the page leads to setting one up.
        return render(request, "registration/mfa_recovery_codes.html", {"off": True})
    if request.method == "POST":
        codes = mfa.replace_recovery_codes(user=user, by=user)
        return show_codes_once(request, codes, next_url=reverse("account_security"))
    new_codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    if new_codes:
        return render(request, "registration/mfa_recovery_codes.html", new_codes)
    return render(
        request, "registration/mfa_recovery_codes.html", {"left": mfa.recovery_codes_left(user)}
    )


def show_codes_once(
    request: HttpRequest, codes: list[str], *, next_url: str, first_set: bool = False
) -> HttpResponse:
    """Post/redirect/get: the next GET of the recovery codes page shows the new codes, once (a
    reload does not make another set)."""
    request.session[NEW_CODES_SESSION_KEY] = {
        "codes": codes,
        "next": next_url,
        "first_set": first_set,
    }
    return redirect("mfa_recovery_codes")


@never_cache
@require_http_methods(["GET", "POST"])
def mfa_disable(request: HttpRequest) -> HttpResponse:
    user = request.user
    allowed, reason = mfa.may_turn_off(user)
    form = PasswordAgainForm(request.POST if request.method == "POST" else None, user=user)
    if allowed and request.method == "POST" and form.is_valid():
        try:
            mfa.turn_off(user=user, by=user)
        except mfa.MFAError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Two-step verification is off for your account.")
            return redirect("account_security")
    status = 403 if not allowed and request.method == "POST" else 200
    context = {"form": form, "allowed": allowed, "reason": reason, "staff": mfa.required(user)}
    return render(request, "registration/mfa_disable.html", context, status=status)


@never_cache
@require_http_methods(["GET"])
def account_security(request: HttpRequest) -> HttpResponse:
    user = request.user
    allowed, reason = mfa.may_turn_off(user)
    context = {
        "is_on": mfa.is_on(user),
        "devices": mfa.app_devices(user),
        "keys": mfa.security_keys(user),
        "codes_left": mfa.recovery_codes_left(user),
        "may_turn_off": allowed,
        "turn_off_reason": reason if mfa.required(user) else "",
        "required": mfa.required(user),
    }
    return render(request, "registration/mfa_account_security.html", context)
