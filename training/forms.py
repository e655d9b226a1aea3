"""Forms of the agency's training pages: they parse input; the rules (eligibility,
prerequisites, overlaps, the registration window) are in training/services/."""

from __future__ import annotations

from django import forms

from .models import CourseSession, Enrollment, Officer
from .services import can_enroll, waitlist_position


class OfficerForm(forms.ModelForm):
    """An officer the agency adds to its roster, or edits."""

    class Meta:
        model = Officer
        fields = ["first_name", "last_name", "email", "badge_number", "role"]
        labels = {"email": "Work email", "badge_number": "Badge or ID number"}
        help_texts = {
            "email": "Optional. Training confirmations and waitlist news go here too.",
            "badge_number": "Optional. Unique within your agency.",
        }
        error_messages = {
            "first_name": {"required": "Enter the officer's first name."},
            "last_name": {"required": "Enter the officer's last name."},
            "email": {"invalid": "Enter an email address like name@agency.gov."},
        }

    def __init__(self, *args, agency, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.agency = agency
        for name in ("first_name", "last_name", "badge_number"):
            self.fields[name].widget.attrs["autocomplete"] = "off"

    def clean_first_name(self) -> str:
        return " ".join(self.cleaned_data["first_name"].split())

    def clean_last_name(self) -> str:
        return " ".join(self.cleaned_data["last_name"].split())

    def clean_badge_number(self) -> str:
        badge = self.cleaned_data["badge_number"].strip()
        if badge:
            taken = Officer.objects.filter(agency=self.agency, badge_number=badge)
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                raise forms.ValidationError(
                    f"Another officer on your roster already has badge or ID number {badge}."
                )
        return badge

    def _post_clean(self) -> None:
        # The agency is set by the service, not the form: skip the model's unique checks
        # that need it (clean_badge_number asked the same question above).
        self.instance.agency = self.agency
        super()._post_clean()


def officer_field_name(officer: Officer) -> str:
    return f"officer_{officer.pk}"


class EnrollForm(forms.Form):
    """One checkbox per active officer of the agency: errors then sit next to the officer they
    are about. Officers already in the session are shown, ticked off and disabled."""

    def __init__(self, *args, session: CourseSession, officers, now=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.session = session
        self.now = now
        self.officers: dict[str, Officer] = {}
        current = {
            e.officer_id: e
            for e in session.enrollments.filter(status__in=Enrollment.ACTIVE).select_related(
                "officer"
            )
        }
        for officer in officers:
            name = officer_field_name(officer)
            label = officer.name + (
                f" (badge {officer.badge_number})" if officer.badge_number else ""
            )
            enrollment = current.get(officer.pk)
            if enrollment is not None:
                if enrollment.status == Enrollment.Status.WAITLISTED:
                    state = f"waitlisted, position {waitlist_position(enrollment)}"
                else:
                    state = enrollment.get_status_display().lower()
                self.fields[name] = forms.BooleanField(
                    label=f"{label}: already {state}", required=False, disabled=True
                )
                self.initial[name] = True
                continue
            self.fields[name] = forms.BooleanField(label=label, required=False)
            self.officers[name] = officer

    @property
    def has_choices(self) -> bool:
        return bool(self.officers)

    def clean(self) -> dict:
        cleaned = super().clean()
        chosen = [name for name in self.officers if cleaned.get(name)]
        if not chosen and not self.errors:
            raise forms.ValidationError("Choose at least one officer to enroll.")
        for name in chosen:
            allowed, reason = can_enroll(self.officers[name], self.session, now=self.now)
            if not allowed:
                self.add_error(name, reason)
        return cleaned

    def chosen_officers(self) -> list[Officer]:
        return [officer for name, officer in self.officers.items() if self.cleaned_data.get(name)]
