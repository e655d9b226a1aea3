"""Pages of security keys (copsgrants/keys.py): adding and naming one, removing one; and the
plugin's sign-in ceremony, which here also gives the verified session a new key."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp_webauthn.views import CompleteCredentialAuthenticationView

from . import keys, mfa
from .forms_mfa import NameKeyForm, RemoveKeyForm
from .views_mfa import next_url, show_codes_once


@never_cache
@require_http_methods(["GET", "POST"])
def mfa_key_add(request: HttpRequest) -> HttpResponse:
    """The browser registers the key through the plugin's endpoints; this page's form then
    names it and leads on (to the new recovery codes when the key turned two-step on)."""
    user = request.user
    destination = next_url(request, default="account_security")
    if mfa.is_on(user) and not user.is_verified():
        # Adding a key needs the second factor already held: a password alone is not enough.
        return redirect_to_login(destination, reverse("mfa_verify"))
    form = NameKeyForm(request.POST if request.method == "POST" else None)
    key = None
    if request.method == "POST" and form.is_valid():
        key = mfa.security_keys(user).filter(pk=form.cleaned_data["credential"]).first()
        if key is None:
            form.add_error(None, "Add the key with the button below first.")
        else:
            keys.rename_key(key=key, name=form.cleaned_data["name"], by=user)
            messages.success(request, f"Your security key “{key.name}” is added.")
            codes = request.session.pop(keys.NEW_KEY_CODES_SESSION_KEY, None)
            if codes:
                return show_codes_once(request, codes, next_url=destination, first_set=True)
            return redirect(destination)
    context = {
        "form": form,
        "next": destination,
        "staff": mfa.required(user),
        "adding": mfa.is_on(user),
        # The key was registered but its name was refused: only the name is asked again.
        "registered": request.method == "POST" and form.has_error("name"),
    }
    return render(request, "registration/mfa_key_add.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def mfa_key_remove(request: HttpRequest) -> HttpResponse:
    user = request.user
    data = request.POST if request.method == "POST" else None
    initial = {"key": request.GET.get("key")} if request.GET.get("key", "").isdigit() else {}
    form = RemoveKeyForm(data, user=user, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["key"]
        try:
            turned_off = keys.remove_key(key=key, by=user)
        except mfa.MFAError as error:
            form.add_error("key", str(error))
            status = 403
        else:
            if turned_off:
                messages.success(request, "Key removed. Two-step verification is off for you.")
            else:
                messages.success(request, f"Your security key “{key.name}” is removed.")
            return redirect("account_security")
    context = {"form": form, "has_keys": mfa.security_keys(user).exists()}
    return render(request, "registration/mfa_key_remove.html", context, status=status)


class KeySignInView(CompleteCredentialAuthenticationView):
    """The plugin's last step of signing in with a key, with a new session key for the
    verified session (as the code step does, copsgrants.views_mfa._verified)."""

    def complete_auth(self, device) -> None:
        self.request.session.cycle_key()
        super().complete_auth(device)
