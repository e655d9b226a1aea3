"""The sections of a CHP application as pages: their forms and the registry `SECTIONS` the views
use. What each section needs and the rules it must satisfy are plain functions in `checks.py`;
a form only parses input and refuses a save that would break a rule. Nothing here writes.

Saving a section accepts blanks (a draft may be incomplete) but never a malformed or rule-breaking
value: those come back as field errors and nothing is saved.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.db.models import QuerySet

from .checks import (
    CHECKS,
    CP_FIELDS,
    ELIGIBILITY_FIELDS,
    FISCAL_FIELDS,
    PROFILE_FIELDS,
    Problem,
    SectionCheck,
    profile_from_agency,
    salary_fields,
)
from .fields import MoneyField
from .forms import AgencyForm, plain_error_messages
from .models import Agency, Application, MatchWaiver, SchoolPartner

YES_NO = [(True, "Yes"), (False, "No")]


def shown_when(condition: str, *fields) -> Div:
    """Fields that only matter for some answers, e.g. shown_when("sro_commitment=True", ...).
    static/js/show-when.js hides them while the condition is false; without JavaScript they
    stay visible, and hiding never clears what was typed."""
    return Div(*fields, data_show_when=condition)


def yes_no_field(model_field_name: str) -> forms.TypedChoiceField:
    label = Application._meta.get_field(model_field_name).verbose_name
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value in (True, "True"),
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


class SectionForm(forms.ModelForm):
    """A section page. Every field may be left blank while drafting; the section's check in
    `checks.CHECKS` says what is required and which rules a save must not break."""

    slug = ""
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Application
        fields: list[str] = []

    def __init__(self, *args, application: Application, **kwargs) -> None:
        kwargs.setdefault("initial", {})["version"] = application.section_version(self.slug)
        super().__init__(*args, instance=application, **kwargs)
        self.application = application
        # The page owns the <form> (with the section's buttons); crispy renders fields only.
        self.helper = FormHelper()
        self.helper.form_tag = False
        mark_required(self, required_fields(self.slug, application))
        plain_error_messages(self)

    def _post_clean(self) -> None:
        super()._post_clean()  # copies the cleaned answers onto self.instance (a copy)
        check = CHECKS[self.slug]
        if self.errors or not check.rules_block_save:
            return
        for field, message in check.rules(self.instance):
            self.add_error(field if field in self.fields else None, message)

    def section_data(self) -> dict:
        """The cleaned answers to store, keyed by field name."""
        return {n: self.cleaned_data[n] for n in self._meta.fields if n in self.cleaned_data}


def required_fields(slug: str, application: Application) -> tuple[str, ...]:
    return CHECKS[slug].required_for(application)


def mark_required(form: forms.BaseForm, required: tuple[str, ...]) -> None:
    for name, field in form.fields.items():
        if name == "version":
            continue
        field.required = False
        if name in required and not isinstance(field.widget, forms.CheckboxInput):
            field.widget.attrs["aria-required"] = "true"


class EligibilityForm(SectionForm):
    slug = "eligibility"

    has_law_enforcement_authority = yes_no_field("has_law_enforcement_authority")
    is_startup_or_consortium = yes_no_field("is_startup_or_consortium")
    has_active_sam_registration = yes_no_field("has_active_sam_registration")

    class Meta(SectionForm.Meta):
        fields = list(ELIGIBILITY_FIELDS)


class AgencyProfileForm(AgencyForm):
    """Section 2: the agency's profile as of this application. Identifiers (ORI, UEI, state) stay
    those of the agency; the rest starts as a copy and may be corrected here."""

    slug = "agency"
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta(AgencyForm.Meta):
        fields = PROFILE_FIELDS

    def __init__(self, *args, application: Application, **kwargs) -> None:
        kwargs.setdefault("initial", {})["version"] = application.section_version(self.slug)
        agency = application.agency
        snapshot = Agency(
            ori=agency.ori, uei=agency.uei, state=agency.state, agency_type=agency.agency_type,
            **(application.agency_profile or profile_from_agency(agency)),
        )  # fmt: skip
        super().__init__(*args, instance=snapshot, **kwargs)
        self.application = application
        self.helper.layout = None  # plain field list; the page shows the identifiers above it
        mark_required(self, CHECKS[self.slug].required)

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        draft = copy.copy(self.application)
        draft.agency_profile = self.section_data()
        for field, message in CHECKS[self.slug].rules(draft):
            self.add_error(field if field in self.fields else None, message)
        return cleaned

    def section_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in PROFILE_FIELDS}


YEARS = range(1, 6)  # a solicitation funds 12 to 60 months: up to five years of costs


class OfficerRequestForm(SectionForm):
    slug = "officers"

    class Meta(SectionForm.Meta):
        fields = [
            "positions_new_hire", "positions_rehire_laid_off", "positions_rehire_scheduled",
            "layoff_date", "layoff_explanation",
            *(f"{kind}_year_{year}" for year in YEARS for kind in ("salary", "fringe")),
        ]  # fmt: skip
        field_classes = {
            f"{kind}_year_{year}": MoneyField for year in YEARS for kind in ("salary", "fringe")
        }
        widgets = {
            "layoff_date": forms.DateInput(attrs={"type": "date"}),
            "layoff_explanation": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # One year of salary and fringe per 12 funded months; later years are not asked.
        asked = salary_fields(self.application)
        for name in [n for n in self.fields if n.startswith(("salary_", "fringe_"))]:
            if name not in asked:
                del self.fields[name]
        years = self.application.solicitation.funded_years
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "version",
            Fieldset(
                "Positions by hiring category",
                "positions_new_hire", "positions_rehire_laid_off", "positions_rehire_scheduled",
                shown_when("positions_rehire_scheduled>0", "layoff_date", "layoff_explanation"),
            ),
            Fieldset(
                "Entry-level salary and fringe benefits for one position",
                HTML(
                    '<p class="usa-hint">CHP pays only entry-level salary and fringe benefits '
                    f"for {years} year{'s' if years != 1 else ''}. Enter the annual amounts for "
                    "one officer; higher pay is the agency's own cost.</p>"
                ),
                *asked,
            ),
        )  # fmt: skip

    def section_data(self) -> dict:
        data = super().section_data()
        # Years a solicitation does not fund are never stored, so a later budget cannot use them.
        for year in YEARS:
            if year > self.application.solicitation.funded_years:
                data[f"salary_year_{year}"] = data[f"fringe_year_{year}"] = None
        return data


class SchoolPartnerForm(forms.ModelForm):
    class Meta:
        model = SchoolPartner
        fields = ["district_name", "schools", "contact_name", "contact_title", "contact_email",
                  "contact_phone"]  # fmt: skip
        widgets = {
            "schools": forms.Textarea(attrs={"rows": 3}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        plain_error_messages(self)


class BaseSchoolPartnerFormSet(forms.BaseInlineFormSet):
    default_error_messages = {
        "missing_management_form": "This page arrived incomplete, so nothing was saved. Open the "
        "section again and re-enter the school partners.",
        "too_many_forms": "You can list at most %(num)d school partners.",
        "too_few_forms": "List at least %(num)d school partner.",
    }

    def get_queryset(self) -> QuerySet[SchoolPartner]:
        # The application's partners through its manager: the rows the page prefetched for the
        # partner forms and the section's checks alike, else a query as usual.
        if self.instance.pk is None:
            return super().get_queryset()
        if not hasattr(self, "_queryset"):
            self._queryset = self.instance.school_partners.all()
        return self._queryset

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:  # saved partners only (can_delete_extra=False)
            form.fields["DELETE"].label = "Remove this school partner"
            form.fields["DELETE"].help_text = "It is deleted when you save this page."


SchoolPartnerFormSet = forms.inlineformset_factory(
    Application,
    SchoolPartner,
    form=SchoolPartnerForm,
    formset=BaseSchoolPartnerFormSet,
    extra=1,
    max_num=10,
    absolute_max=10,  # a tampered TOTAL_FORMS never builds more forms than that
    validate_max=True,
    can_delete=True,
    can_delete_extra=False,  # a blank new partner is skipped, not removed
)


class SroCommitmentForm(SectionForm):
    slug = "sro"
    sro_commitment = yes_no_field("sro_commitment")

    class Meta(SectionForm.Meta):
        fields = ["sro_commitment", "sro_positions", "sro_time_assurance"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.partners = SchoolPartnerFormSet(
            self.data if self.is_bound else None, instance=self.application, prefix="partners"
        )
        if not self.is_bound and self.application.school_partners.exists():
            # The saved partners, and no blank one: "Add another partner" adds it when wanted.
            self.partners.extra = 0
        self.helper.layout = Layout(
            "version",
            "sro_commitment",
            shown_when("sro_commitment=True", "sro_positions", "sro_time_assurance"),
        )

    def is_valid(self) -> bool:
        form_valid = super().is_valid()
        return self.partners.is_valid() and form_valid

    def add_blank_partner(self) -> None:
        """ "Add another partner" without JavaScript: the answers as typed plus one more blank
        partner form. Half-typed answers are not mistakes yet, so no errors show; saving judges
        them."""
        data = self.data.copy()
        total = data.get("partners-TOTAL_FORMS", "")
        if total.isascii() and total.isdigit() and int(total) < self.partners.max_num:
            data["partners-TOTAL_FORMS"] = str(int(total) + 1)
        self.data = data
        self.partners = SchoolPartnerFormSet(data, instance=self.application, prefix="partners")
        self.is_valid()  # clean, so that every field shows the value as typed
        for form in (self, *self.partners.forms):
            form.errors.clear()
        self.partners.non_form_errors().clear()

    def partner_data(self) -> list[dict]:
        """Each partner form's answers; `id` names a stored partner, `delete` removes it."""
        rows = []
        for form in self.partners.forms:
            data = dict(form.cleaned_data or {})
            instance = data.pop("id", None)
            delete = bool(data.pop("DELETE", False))
            data.pop("application", None)
            if instance is None and (delete or not any(data.values())):
                continue  # an untouched blank form
            rows.append({**data, "id": getattr(instance, "pk", None), "delete": delete})
        return rows


class OtherCommitmentsForm(SectionForm):
    slug = "commitments"
    veteran_commitment = yes_no_field("veteran_commitment")

    class Meta(SectionForm.Meta):
        fields = ["veteran_commitment"]


class CommunityPolicingForm(SectionForm):
    slug = "community-policing"

    class Meta(SectionForm.Meta):
        fields = list(CP_FIELDS)
        widgets = {name: forms.Textarea(attrs={"rows": 6}) for name in fields}


class FiscalDataForm(SectionForm):
    slug = "fiscal-need"

    class Meta(SectionForm.Meta):
        fields = list(FISCAL_FIELDS)
        widgets = {
            "budget_change_percent": forms.NumberInput(attrs={"step": "0.01"}),
            "unemployment_rate": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            "poverty_rate": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }


class RetentionForm(SectionForm):
    slug = "retention"

    class Meta(SectionForm.Meta):
        fields = ["retention_plan", "retention_assurance"]
        widgets = {"retention_plan": forms.Textarea(attrs={"rows": 6})}


class MatchForm(SectionForm):
    slug = "match"

    class Meta(SectionForm.Meta):
        fields = ["match_waiver", "match_source", "match_not_budgeted", "match_not_federal",
                  "waiver_justification"]  # fmt: skip
        widgets = {
            "match_waiver": forms.RadioSelect,
            "match_source": forms.Textarea(attrs={"rows": 3}),
            "waiver_justification": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["match_waiver"].choices = MatchWaiver.choices
        self.helper.layout = Layout(
            "version",
            "match_waiver",
            shown_when(
                f"match_waiver={MatchWaiver.NONE}",
                "match_source", "match_not_budgeted", "match_not_federal",
            ),
            shown_when(
                f"match_waiver={MatchWaiver.PARTIAL},{MatchWaiver.FULL}", "waiver_justification"
            ),
        )  # fmt: skip


@dataclass(frozen=True)
class Section:
    """A section page. What differs between pages is said here, not by comparing slugs."""

    number: int
    slug: str
    title: str
    form_class: type[forms.Form]
    intro: str = ""
    # A template shown above the form (identifiers, definitions), if any.
    preface: str = ""
    # The page shows the live budget.
    shows_budget: bool = False
    # The page lists the school partners (SRO commitment).
    has_partners: bool = False
    # Its rules say whether the agency may apply at all (told at once, not "saved").
    decides_eligibility: bool = False

    @property
    def check(self) -> SectionCheck:
        return CHECKS[self.slug]

    def form(self, application: Application, data=None) -> forms.Form:
        # A ModelForm writes what it cleaned onto its instance even when invalid: give it a copy
        # so the page never shows (or computes a budget from) answers that were refused.
        return self.form_class(data, application=copy.copy(application))

    def problems(self, application: Application) -> list[Problem]:
        return self.check.problems(application)


SECTIONS: list[Section] = [
    Section(1, "eligibility", "Eligibility", EligibilityForm,
            "Confirm that your agency can apply for CHP funding.", decides_eligibility=True),
    Section(2, "agency", "Agency and executives", AgencyProfileForm,
            "Check your agency's details as they should appear on this application.",
            preface="applications/sections/_agency_identifiers.html"),
    Section(3, "officers", "Officer request", OfficerRequestForm,
            "How many positions, in which hiring category, at what entry-level cost.",
            shows_budget=True),
    Section(4, "sro", "School Resource Officers", SroCommitmentForm,
            "Commit to deploying the funded officers as SROs for additional consideration.",
            has_partners=True),
    Section(5, "commitments", "Other commitments", OtherCommitmentsForm,
            "Priority commitments that earn additional consideration.",
            preface="applications/sections/_veteran_definition.html"),
    Section(6, "community-policing", "Community policing strategy", CommunityPolicingForm,
            "The problem the officers will address and how."),
    Section(7, "fiscal-need", "Fiscal need and crime data", FiscalDataForm,
            "The figures the scoring formula uses."),
    Section(8, "retention", "Retention plan", RetentionForm,
            "How you will keep the positions after federal funding ends."),
    Section(9, "match", "Local match", MatchForm,
            "Where the local share comes from, or a request to waive it."),
]  # fmt: skip

SECTIONS_BY_SLUG: dict[str, Section] = {section.slug: section for section in SECTIONS}
assert list(SECTIONS_BY_SLUG) == list(CHECKS), "every section page has a check, in order"

STATE_LABELS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "has_errors": "Has errors",
    "complete": "Complete",
}


@dataclass(frozen=True)
class SectionStatus:
    section: Section
    state: str
    problems: list[Problem]

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


def task_list(application: Application) -> list[SectionStatus]:
    statuses = []
    for section in SECTIONS:
        problems = section.problems(application)
        statuses.append(
            SectionStatus(section, section.check.state(application, problems), problems)
        )
    return statuses


def outstanding(statuses: list[SectionStatus]) -> list[Problem]:
    """Everything that stops submission, in section order."""
    return [problem for status in statuses for problem in status.problems]


def neighbors(slug: str) -> tuple[Section | None, Section | None]:
    index = next(i for i, s in enumerate(SECTIONS) if s.slug == slug)
    before = SECTIONS[index - 1] if index > 0 else None
    after = SECTIONS[index + 1] if index + 1 < len(SECTIONS) else None
    return before, after
