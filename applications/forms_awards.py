"""Forms of the agency's answer to an award: they parse input; the rules are in
services/acceptance.py."""

from __future__ import annotations

from django import forms


class AcceptanceForm(forms.Form):
    typed_name = forms.CharField(
        label="Type your full name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Type your full name to sign."},
    )
    agree = forms.BooleanField(
        label="As an Authorized Representative of this agency, I accept this award and its "
        "conditions on the agency's behalf, including retaining every funded position with local "
        "funds after federal funding ends.",
        error_messages={"required": "Tick the box to sign the acceptance."},
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields[
            "typed_name"
        ].help_text = f"As on your account: {user.get_full_name() or user.email}."

    def clean_typed_name(self) -> str:
        typed = " ".join(self.cleaned_data["typed_name"].split())
        expected = " ".join(self.user.get_full_name().split())
        if expected and typed.casefold() != expected.casefold():
            raise forms.ValidationError(
                f"Type your name exactly as on your account ({expected}) to sign."
            )
        return typed


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Why does the agency decline this award?",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why the agency declines the award."},
    )
