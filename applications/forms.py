from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms

from .models import Agency
from .validators import normalize_identifier, validate_ori, validate_uei


def _label_text(field: forms.Field) -> str:
    """The label as it reads inside a sentence: "Legal name" -> "legal name", "ORI" stays."""
    text = str(field.label or "")
    if len(text) > 1 and text[1].islower():
        text = text[0].lower() + text[1:]
    return text


def plain_error_messages(form: forms.BaseForm) -> None:
    """Say what to do instead of Django's stock wording ("This field is required.", "Ensure this
    value is less than or equal to 500."). Messages a field or its form set on purpose (a custom
    `required`, MoneyField's format message) are left alone."""
    for field in form.fields.values():
        if not type(field).__module__.startswith("django.forms"):
            continue
        defaults: dict = {}
        for cls in reversed(type(field).__mro__):
            defaults.update(getattr(cls, "default_error_messages", {}))
        label = _label_text(field)
        if isinstance(field, forms.ChoiceField):
            required = "Answer this question." if label.endswith("?") else f"Select the {label}."
        elif isinstance(field, forms.BooleanField):
            required = "Tick this box to continue."
        else:
            required = f"Enter the {label}." if label else "Enter an answer."
        wanted = {
            "required": required,
            "invalid_choice": "Choose one of the options.",
            "min_value": "Enter %(limit_value)s or more.",
            "max_value": "Enter %(limit_value)s or less.",
            "max_length": "Use %(limit_value)d characters or fewer (this has %(show_value)d).",
            "max_digits": "Use at most %(max)s digits in all.",
            "max_decimal_places": "Use at most %(max)s digits after the decimal point.",
            "max_whole_digits": "Use at most %(max)s digits before the decimal point.",
            "null_characters_not_allowed": "Remove the invisible control character.",
        }
        if isinstance(field, forms.IntegerField):
            wanted["invalid"] = "Enter a whole number, like 12."
        elif isinstance(field, forms.DecimalField | forms.FloatField):
            wanted["invalid"] = "Enter a number, like 5.2."
        elif isinstance(field, forms.EmailField):
            wanted["invalid"] = "Enter an email address, like name@example.com."
        elif isinstance(field, forms.DateField):
            wanted["invalid"] = "Enter a date, like 2027-06-30."
        for code, message in wanted.items():
            if field.error_messages.get(code) is defaults.get(code):
                field.error_messages[code] = message


AGENCY_FIELDS = [
    "legal_name",
    "ori",
    "uei",
    "agency_type",
    "state",
    "jurisdiction_population",
    "sworn_force_actual",
    "sworn_force_budgeted",
    "address_line1",
    "address_line2",
    "city",
    "zip_code",
    "le_executive_name",
    "le_executive_title",
    "le_executive_email",
    "le_executive_phone",
    "gov_executive_name",
    "gov_executive_title",
    "gov_executive_email",
    "gov_executive_phone",
]


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = AGENCY_FIELDS
        widgets = {
            "jurisdiction_population": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
            "sworn_force_actual": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
            "sworn_force_budgeted": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
            "zip_code": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "usa-input--medium"}
            ),
            "ori": forms.TextInput(
                attrs={"class": "usa-input--medium", "autocapitalize": "characters"}
            ),
            "uei": forms.TextInput(
                attrs={"class": "usa-input--medium", "autocapitalize": "characters"}
            ),
            "le_executive_phone": forms.TextInput(attrs={"type": "tel"}),
            "gov_executive_phone": forms.TextInput(attrs={"type": "tel"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("state", "agency_type"):
            if name in self.fields:
                self.fields[name].choices = [("", "- Select -"), *self.fields[name].choices[1:]]
        for prefix, who in (("le", "Law enforcement executive"), ("gov", "Government executive")):
            for part in ("name", "title", "email", "phone"):
                self.fields[f"{prefix}_executive_{part}"].label = f"{who}'s {part}"
        plain_error_messages(self)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                "Agency",
                "legal_name", "ori", "uei", "agency_type", "state",
                "jurisdiction_population", "sworn_force_actual", "sworn_force_budgeted",
            ),
            Fieldset("Address", "address_line1", "address_line2", "city", "zip_code"),
            Fieldset(
                "Law enforcement executive",
                "le_executive_name", "le_executive_title",
                "le_executive_email", "le_executive_phone",
            ),
            Fieldset(
                "Government executive",
                "gov_executive_name", "gov_executive_title",
                "gov_executive_email", "gov_executive_phone",
            ),
        )  # fmt: skip

    def clean_ori(self) -> str:
        return normalize_identifier(self.cleaned_data["ori"])

    def clean_uei(self) -> str:
        return normalize_identifier(self.cleaned_data["uei"])

    def clean(self) -> dict:
        cleaned = super().clean()
        actual = cleaned.get("sworn_force_actual")
        budgeted = cleaned.get("sworn_force_budgeted")
        if actual is not None and budgeted is not None and actual > budgeted * 2 + 50:
            self.add_error(
                "sworn_force_actual",
                "This is far above the budgeted number of sworn positions. Check both figures.",
            )
        return cleaned


class AgencyRegistrationForm(AgencyForm):
    is_authorized_representative = forms.BooleanField(
        label="I am an Authorized Representative of this agency",
        required=False,
        help_text="Someone legally able to sign for the agency, such as the chief executive or "
        "someone they designated. Only Authorized Representatives can certify and submit "
        "applications.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper.layout.append(Fieldset("Your role", "is_authorized_representative"))


class FindAgencyForm(forms.Form):
    identifier = forms.CharField(
        label="Agency ORI or UEI",
        max_length=20,
        help_text="For example WA03103 (ORI) or JX7HKLMNQ2P4 (UEI).",
        widget=forms.TextInput(attrs={"class": "usa-input--medium"}),
        error_messages={"required": "Enter your agency's ORI or UEI."},
    )

    def clean_identifier(self) -> str:
        value = normalize_identifier(self.cleaned_data["identifier"])
        for validate in (validate_ori, validate_uei):
            try:
                validate(value)
                return value
            except forms.ValidationError:
                continue
        raise forms.ValidationError(
            "Enter an ORI (2 letters and 5 digits, or 9 characters) or a 12-character UEI."
        )

    def find(self) -> Agency | None:
        value = self.cleaned_data["identifier"]
        return Agency.objects.filter(ori=value).first() or Agency.objects.filter(uei=value).first()


class MemberRolesForm(forms.Form):
    is_administrator = forms.BooleanField(label="Agency administrator", required=False)
    is_authorized_representative = forms.BooleanField(
        label="Authorized Representative", required=False
    )


class ApproveMembershipForm(forms.Form):
    authorized_representative = forms.BooleanField(
        label="Make this person an Authorized Representative",
        required=False,
        help_text="Authorized Representatives certify and submit applications for the agency.",
    )


class CertifyForm(forms.Form):
    certified_name = forms.CharField(
        label="Type your full name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Type your full name to sign."},
    )
    assurances = forms.BooleanField(
        label="I certify, as an Authorized Representative of this agency, that the information in "
        "this application is true, complete and accurate, and that the agency will comply with "
        "the CHP Assurances and Certifications, including retaining every funded position with "
        "local funds after federal funding ends.",
        error_messages={"required": "Tick the certification to submit."},
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields[
            "certified_name"
        ].help_text = f"As on your account: {user.get_full_name() or user.email}."

    def clean_certified_name(self) -> str:
        typed = " ".join(self.cleaned_data["certified_name"].split())
        expected = " ".join(self.user.get_full_name().split())
        if expected and typed.casefold() != expected.casefold():
            raise forms.ValidationError(
                f"Type your name exactly as on your account ({expected}) to sign."
            )
        return typed
