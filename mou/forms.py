"""The MOU upload form: it parses input and checks the file (mou/validation.py); the rules about
versions and duplicates are in services/uploads.py, whose errors the view puts next to the file."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from applications.forms import plain_error_messages
from applications.models import Award, SchoolPartner
from copsgrants.uploads import size_label, too_large_message

from .validation import PdfFacts, inspect_pdf

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MouUploadForm(forms.Form):
    file = forms.FileField(
        label="Signed MOU (PDF)",
        widget=forms.FileInput(attrs={"accept": ".pdf,application/pdf"}),
        error_messages={"required": "Choose the signed MOU file (a PDF) to upload."},
    )
    school_district = forms.CharField(label="School district", max_length=200)
    schools = forms.CharField(
        label="Schools covered",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One school per line.",
    )
    agency_signatory = forms.CharField(
        label="Agency executive who signed",
        max_length=150,
        help_text="The chief, sheriff or other executive who signed for the agency.",
    )
    agency_signed_on = forms.DateField(label="Date the agency signed", widget=DATE)
    school_signatory = forms.CharField(
        label="School official who signed",
        max_length=150,
        help_text="The superintendent or other official who signed for the school partner.",
    )
    school_signed_on = forms.DateField(label="Date the school official signed", widget=DATE)
    note = forms.CharField(
        label="Note to COPS (optional)",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For a revised MOU, say what changed.",
    )

    def __init__(self, *args, award: Award, oversized: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        plain_error_messages(self)
        self.facts: PdfFacts | None = None
        if oversized:
            # The upload handler dropped the file while it streamed in: say why it is missing.
            self.fields["file"].error_messages["required"] = too_large_message()
        self.fields["file"].help_text = (
            "A PDF of the MOU signed by the agency and the school partner(s), at most "
            f"{size_label()}. "
            "Not password-protected."
        )
        if not self.is_bound:
            self.initial.update(_partners_initial(award))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.facts = inspect_pdf(upload)
        return upload

    def _not_future(self, name: str):
        day = self.cleaned_data[name]
        if day and day > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return day

    def clean_agency_signed_on(self):
        return self._not_future("agency_signed_on")

    def clean_school_signed_on(self):
        return self._not_future("school_signed_on")


def _partners_initial(award: Award) -> dict[str, str]:
    """District(s) and schools from the application's school partners, to start the form."""
    partners = list(SchoolPartner.objects.filter(application_id=award.application_id))
    districts = [" ".join(p.district_name.split()) for p in partners]
    schools = [
        " ".join(line.split()) for p in partners for line in p.schools.splitlines() if line.strip()
    ]
    return {"school_district": "; ".join(d for d in districts if d), "schools": "\n".join(schools)}
