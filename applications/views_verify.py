"""The public "verify a letter" page: award number + verification code -> valid or not valid.
It discloses nothing else (not the agency, the amount, nor whether the award number exists)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import letters


class VerifyLetterForm(forms.Form):
    number = forms.CharField(
        label="Award number",
        max_length=32,
        help_text="As printed on the letter, for example 15JCOPS-26-GG-00001-UHPX.",
        error_messages={"required": "Enter the award number printed on the letter."},
    )
    code = forms.CharField(
        label="Verification code",
        max_length=32,
        help_text="The 16-character code at the foot of each page, e.g. 1A2B-3C4D-5E6F-7A8B.",
        widget=forms.TextInput(attrs={"class": "usa-input--medium"}),
        error_messages={"required": "Enter the verification code printed on the letter."},
    )


@login_not_required
@require_GET
def verify_letter(request: HttpRequest) -> HttpResponse:
    form = VerifyLetterForm(request.GET or None)
    checked = form.is_bound and form.is_valid()
    valid = checked and letters.verify(
        number=form.cleaned_data["number"], code=form.cleaned_data["code"]
    )
    return render(
        request,
        "applications/verify_letter.html",
        {"form": form, "checked": checked, "valid": valid},
    )
