"""Account pages: sign-up with email confirmation, sign-in, and the password reset's last step."""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .forms import RegistrationForm, ResendVerificationForm, SignInForm
from .models import User
from .verification import (
    LinkExpired,
    LinkInvalid,
    complete_password_reset,
    next_send_at,
    send_verification_email,
    user_for_token,
    verify_email,
)

# The account that this browser just created: its "Check your email" page may resend the link.
PENDING_SESSION_KEY = "verify_email_user"
PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _minutes_until(moment) -> int:
    return max(1, math.ceil((moment - timezone.now()).total_seconds() / 60))


@login_not_required
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()  # unconfirmed: the form saves the row, not create_user
            send_verification_email(user=user)
        request.session[PENDING_SESSION_KEY] = user.pk
        return redirect("verify_email_sent")
    return render(request, "registration/register.html", {"form": form})


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def verify_email_sent(request: HttpRequest) -> HttpResponse:
    """ "Check your email", with a button to send the link again (rate-limited)."""
    user = User.objects.filter(pk=request.session.get(PENDING_SESSION_KEY)).first()
    if user is None:
        # Not the browser that signed up: the page that asks for the address.
        return redirect("verify_email_resend")
    if user.email_verified:
        # Confirmed since (perhaps from the email, in another browser).
        del request.session[PENDING_SESSION_KEY]
        messages.info(request, "Your email address is confirmed. Sign in to continue.")
        return redirect("login")
    if request.method == "POST":
        if send_verification_email(user=user):
            messages.success(request, f"We sent a new link to {user.email}.")
        else:
            minutes = _minutes_until(next_send_at(user))
            messages.error(
                request,
                f"We sent a link a moment ago. You can ask for another in {minutes} "
                f"minute{'s' if minutes != 1 else ''}.",
            )
        return redirect("verify_email_sent")
    wait = next_send_at(user)
    context = {
        "email": user.email,
        "days": settings.EMAIL_VERIFICATION_MAX_AGE.days,
        "wait_minutes": _minutes_until(wait) if wait else 0,
    }
    return render(request, "registration/verify_email_sent.html", context)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def verify_email_link(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link. Opening it shows a button: mail scanners that fetch every link must not
    spend it (or sign anyone in); the POST confirms the address and signs the person in."""
    try:
        user = user_for_token(token)
    except (LinkExpired, LinkInvalid) as exc:
        context = {"expired": isinstance(exc, LinkExpired), "form": ResendVerificationForm()}
        return render(request, "registration/verify_email_invalid.html", context)
    if user.email_verified or not user.is_active:
        return render(request, "registration/verify_email_invalid.html", {"used": True})
    if request.method == "POST":
        verify_email(user=user)
        login(request, user, backend=PASSWORD_BACKEND)
        messages.success(request, "Your email address is confirmed.")
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "registration/verify_email_confirm.html", {"email": user.email})


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def verify_email_resend(request: HttpRequest) -> HttpResponse:
    """Asks for the address and always answers the same way, so it tells no one which addresses
    have accounts (or which are confirmed, or when a link was last sent)."""
    form = ResendVerificationForm(
        request.POST if request.method == "POST" else None,
        initial={"email": request.GET.get("email", "")[:254]},
    )
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(
            email__iexact=form.cleaned_data["email"], email_verified_at__isnull=True, is_active=True
        ).first()
        if user is not None:
            send_verification_email(user=user)
        return redirect("verify_email_resend_done")
    return render(request, "registration/verify_email_resend.html", {"form": form})


@login_not_required
@require_http_methods(["GET"])
def verify_email_resend_done(request: HttpRequest) -> HttpResponse:
    context = {"days": settings.EMAIL_VERIFICATION_MAX_AGE.days}
    return render(request, "registration/verify_email_resend_done.html", context)


class SignInView(auth_views.LoginView):
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            oidc_enabled=settings.OIDC_ENABLED, oidc_provider=settings.OIDC_PROVIDER_NAME, **kwargs
        )


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        complete_password_reset(user=form.user)
        return response
