"""Forms of the two-step verification pages: each parses its input and asks copsgrants.mfa."""

from __future__ import annotations

from django import forms
from django_otp.models import Device

from . import mfa
from .models import User


def code_field(label: str, help_text: str, *, max_length: int) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=max_length,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false",
                   "autocapitalize": "off", "class": "usa-input--medium"}
        ),
    )  # fmt: skip


class VerifyCodeForm(forms.Form):
    """The second step of signing in: an app code or a recovery code."""

    code = code_field(
        "Code",
        "The app shows a new code every 30 seconds. No access to your app? Enter one of your "
        "recovery codes instead: each works once.",
        max_length=32,
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.device: Device | None = None

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        try:
            self.device = mfa.check_code(user=self.user, token=code)
        except mfa.MFAError as error:
            raise forms.ValidationError(str(error)) from None
        return code


class ConfirmAppForm(forms.Form):
    """Setting up an authenticator app: its first code proves it holds the key (the view asks
    copsgrants.mfa.confirm_app_device)."""

    code = code_field(
        "Code from your app", "The 6 digits your app shows for COPS Grants now.", max_length=12
    )

    def clean_code(self) -> str:
        code = mfa.normalise(self.cleaned_data["code"])
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Enter the 6 digits your app shows, such as 123456.")
        return code


class PasswordAgainForm(forms.Form):
    """Turning two-step verification off asks for the password again."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That password is not right.")
        return password


class NameKeyForm(forms.Form):
    """Naming the security key just added (the page's script posts it once the browser has
    registered the key)."""

    name = forms.CharField(
        label="Name this key",
        help_text="So you can tell your keys apart, such as “Blue key on my keyring”. Left "
        "blank, it is called “Security key” (numbered after the first).",
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    credential = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RemoveKeyForm(PasswordAgainForm):
    """Removing a security key asks for the password again, like turning two-step off."""

    key = forms.ModelChoiceField(
        label="Key to remove", queryset=None, empty_label=None, widget=forms.RadioSelect
    )

    field_order = ["key", "password"]

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["key"].queryset = mfa.security_keys(user)
        self.fields["key"].label_from_instance = lambda key: key.name
