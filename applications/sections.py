"""The sections of a CHP application: their forms, what each needs to be complete, and the rules
they must satisfy. Views and services use the registry `SECTIONS`; nothing here writes.

Saving a section accepts blanks (a draft may be incomplete) but never a malformed or rule-breaking
value: those come back as field errors and nothing is saved. A section's state on the task list is
computed from what is stored: not started, in progress (something required is missing), has errors
(a rule fails, often because another section changed since), or complete.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout
from django import forms
from django.utils import timezone

from .budget import officer_cap
from .forms import AGENCY_FIELDS, AgencyForm
from .models import Agency, Application, MatchWaiver, SchoolPartner

YES_NO = [(True, "Yes"), (False, "No")]


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


@dataclass(frozen=True)
class Problem:
    section: str
    field: str | None
    message: str
    missing: bool = False  # True: something still to fill in; False: a rule is broken


class SectionForm(forms.ModelForm):
    """A section page. Every field may be left blank while drafting; `required` lists what the
    section needs to be complete, and `rules` the checks its answers must pass."""

    slug = ""
    required: tuple[str, ...] = ()
    # Eligibility answers are facts, not typing mistakes: save them, then flag them.
    rules_block_save = True

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
        for name, field in self.fields.items():
            if name != "version":
                field.required = False
                if name in self.required and not isinstance(field.widget, forms.CheckboxInput):
                    field.widget.attrs["aria-required"] = "true"

    @classmethod
    def rules(cls, application: Application) -> Iterable[tuple[str | None, str]]:
        return ()

    @classmethod
    def missing(cls, application: Application) -> list[str]:
        return [name for name in cls.required if getattr(application, name) in (None, "", False)]

    def _post_clean(self) -> None:
        super()._post_clean()  # copies the cleaned answers onto self.instance (in memory only)
        if self.errors or not self.rules_block_save:
            return
        for field, message in self.rules(self.instance):
            self.add_error(field if field in self.fields else None, message)

    def save_to(self, application: Application) -> list[str]:
        """Copy the cleaned answers onto `application`; returns the fields to save."""
        names = [n for n in self._meta.fields if n in self.cleaned_data]
        for name in names:
            setattr(application, name, self.cleaned_data[name])
        return names


ELIGIBILITY_FIELDS = (
    "has_law_enforcement_authority",
    "is_startup_or_consortium",
    "has_active_sam_registration",
)


class EligibilityForm(SectionForm):
    slug = "eligibility"
    required = ELIGIBILITY_FIELDS
    rules_block_save = False

    has_law_enforcement_authority = yes_no_field("has_law_enforcement_authority")
    is_startup_or_consortium = yes_no_field("is_startup_or_consortium")
    has_active_sam_registration = yes_no_field("has_active_sam_registration")

    class Meta(SectionForm.Meta):
        fields = list(ELIGIBILITY_FIELDS)

    @classmethod
    def missing(cls, application):
        return [name for name in cls.required if getattr(application, name) is None]

    @classmethod
    def rules(cls, application):
        if application.has_law_enforcement_authority is False:
            yield (
                "has_law_enforcement_authority",
                "Only agencies with primary law enforcement authority are eligible for CHP.",
            )
        if application.is_startup_or_consortium is True:
            yield (
                "is_startup_or_consortium",
                "Start-up agencies and consortia are not eligible for CHP.",
            )
        if application.has_active_sam_registration is False:
            yield (
                "has_active_sam_registration",
                "You need an active SAM.gov registration and a UEI to apply. Register at "
                "SAM.gov, then return to this application.",
            )


# The agency's profile minus its identifiers, which stay the agency's own.
PROFILE_FIELDS = [f for f in AGENCY_FIELDS if f not in ("ori", "uei", "agency_type", "state")]


def profile_from_agency(agency: Agency) -> dict:
    return {name: getattr(agency, name) for name in PROFILE_FIELDS}


class AgencyProfileForm(AgencyForm):
    """Section 2: the agency's profile as of this application. Identifiers (ORI, UEI, state) stay
    those of the agency; the rest starts as a copy and may be corrected here."""

    slug = "agency"
    required = tuple(f for f in PROFILE_FIELDS if f != "address_line2")
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

    @classmethod
    def missing(cls, application):
        profile = application.agency_profile
        if not profile:
            return []  # falls back to the agency's own profile, which is complete
        return [name for name in cls.required if profile.get(name) in (None, "")]

    @classmethod
    def rules(cls, application):
        return ()

    def save_to(self, application: Application) -> list[str]:
        application.agency_profile = {name: self.cleaned_data[name] for name in PROFILE_FIELDS}
        return ["agency_profile"]


def profile_value(application: Application, name: str):
    """A profile answer from the application's snapshot, else from the agency itself."""
    if application.agency_profile and name in application.agency_profile:
        return application.agency_profile[name]
    return getattr(application.agency, name)


MONEY_WIDGET = forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})


class OfficerRequestForm(SectionForm):
    slug = "officers"
    required = ("salary_year_1", "salary_year_2", "salary_year_3",
                "fringe_year_1", "fringe_year_2", "fringe_year_3")  # fmt: skip

    class Meta(SectionForm.Meta):
        fields = [
            "positions_new_hire", "positions_rehire_laid_off", "positions_rehire_scheduled",
            "layoff_date", "layoff_explanation",
            "salary_year_1", "fringe_year_1", "salary_year_2", "fringe_year_2",
            "salary_year_3", "fringe_year_3",
        ]  # fmt: skip
        widgets = {
            "layoff_date": forms.DateInput(attrs={"type": "date"}),
            "layoff_explanation": forms.Textarea(attrs={"rows": 3}),
            **{
                f"{kind}_year_{year}": MONEY_WIDGET
                for kind in ("salary", "fringe")
                for year in (1, 2, 3)
            },
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "version",
            Fieldset(
                "Positions by hiring category",
                "positions_new_hire", "positions_rehire_laid_off", "positions_rehire_scheduled",
                "layoff_date", "layoff_explanation",
            ),
            Fieldset(
                "Entry-level salary and fringe benefits for one position",
                HTML(
                    '<p class="usa-hint">CHP pays only entry-level salary and fringe benefits. '
                    "Enter the annual amounts for one officer; higher pay is the agency's "
                    "own cost.</p>"
                ),
                "salary_year_1", "fringe_year_1", "salary_year_2", "fringe_year_2",
                "salary_year_3", "fringe_year_3",
            ),
        )  # fmt: skip

    @classmethod
    def missing(cls, application):
        missing = super().missing(application)
        if application.total_positions == 0:
            missing.insert(0, "positions_new_hire")
        return missing

    @classmethod
    def rules(cls, application):
        solicitation = application.solicitation
        for year in (1, 2, 3):
            salary = getattr(application, f"salary_year_{year}")
            fringe = getattr(application, f"fringe_year_{year}")
            if salary is not None and not Decimal("10000") <= salary <= Decimal("250000"):
                yield (
                    f"salary_year_{year}",
                    "Enter the entry-level annual salary, between $10,000 and $250,000.",
                )
            if fringe is not None and not Decimal("0") <= fringe <= Decimal("200000"):
                yield (
                    f"fringe_year_{year}",
                    "Enter the annual fringe benefits, between $0 and $200,000.",
                )
        if application.positions_rehire_scheduled:
            if application.layoff_date is None:
                yield ("layoff_date", "Enter the date the officers are scheduled to be laid off.")
            if not application.layoff_explanation.strip():
                yield ("layoff_explanation", "Explain what schedules the layoffs.")
        if application.layoff_date is not None and (
            application.layoff_date <= timezone.localdate()
        ):
            yield (
                "layoff_date",
                "A scheduled layoff must be in the future. Officers already laid off are "
                "'rehire (already laid off)' positions.",
            )
        cap = officer_cap(
            sworn_force=profile_value(application, "sworn_force_actual"),
            population=profile_value(application, "jurisdiction_population"),
            percent_of_force=solicitation.officer_cap_percent,
            max_officers=solicitation.officer_cap_max,
            max_officers_large=solicitation.officer_cap_max_large,
            large_population=solicitation.large_population_threshold,
            small_force=solicitation.small_force_threshold,
        )
        if cap is not None and application.total_positions > cap:
            yield (
                "positions_new_hire",
                f"This solicitation allows your agency at most {cap} position"
                f"{'s' if cap != 1 else ''}; you requested {application.total_positions}.",
            )
        ceiling = solicitation.award_ceiling
        if ceiling is not None and application.total_positions:
            federal = application.budget.total_federal
            if federal > ceiling:
                yield (
                    "positions_new_hire",
                    f"The federal share you request (${federal:,.2f}) is above this "
                    f"solicitation's award ceiling of ${ceiling:,.2f}. Request fewer positions.",
                )


class SchoolPartnerForm(forms.ModelForm):
    class Meta:
        model = SchoolPartner
        fields = ["district_name", "schools", "contact_name", "contact_title", "contact_email",
                  "contact_phone"]  # fmt: skip
        widgets = {"schools": forms.Textarea(attrs={"rows": 3})}


SchoolPartnerFormSet = forms.inlineformset_factory(
    Application,
    SchoolPartner,
    form=SchoolPartnerForm,
    extra=1,
    max_num=10,
    absolute_max=10,  # a tampered TOTAL_FORMS never builds more forms than that
    validate_max=True,
    can_delete=True,
)


class SroCommitmentForm(SectionForm):
    slug = "sro"
    required = ("sro_commitment",)
    sro_commitment = yes_no_field("sro_commitment")

    class Meta(SectionForm.Meta):
        fields = ["sro_commitment", "sro_positions", "sro_time_assurance"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.partners = SchoolPartnerFormSet(
            self.data if self.is_bound else None, instance=self.application, prefix="partners"
        )

    def is_valid(self) -> bool:
        form_valid = super().is_valid()
        return self.partners.is_valid() and form_valid

    @classmethod
    def missing(cls, application):
        missing = [n for n in cls.required if getattr(application, n) is None]
        if application.sro_commitment:
            if not application.sro_positions:
                missing.append("sro_positions")
            if not application.sro_time_assurance:
                missing.append("sro_time_assurance")
            if not application.school_partners.exists():
                missing.append("partners")
        return missing

    @classmethod
    def rules(cls, application):
        if application.sro_commitment and application.sro_positions:
            total = application.total_positions
            if application.sro_positions > total:
                yield (
                    "sro_positions",
                    f"You can deploy at most the {total} position"
                    f"{'s' if total != 1 else ''} you requested in the officer request as SROs.",
                )

    def save_to(self, application):
        names = super().save_to(application)
        if not application.sro_commitment:
            application.sro_positions = None
            application.sro_time_assurance = False
        return names

    def save_related(self, application) -> None:
        if application.sro_commitment:
            self.partners.instance = application
            self.partners.save()
        else:
            application.school_partners.all().delete()


class OtherCommitmentsForm(SectionForm):
    slug = "commitments"
    required = ("veteran_commitment",)
    veteran_commitment = yes_no_field("veteran_commitment")

    class Meta(SectionForm.Meta):
        fields = ["veteran_commitment"]

    @classmethod
    def missing(cls, application):
        return [] if application.veteran_commitment is not None else ["veteran_commitment"]


class CommunityPolicingForm(SectionForm):
    slug = "community-policing"
    required = ("cp_problem", "cp_partners", "cp_problem_solving", "cp_organizational_changes")

    class Meta(SectionForm.Meta):
        fields = ["cp_problem", "cp_partners", "cp_problem_solving", "cp_organizational_changes"]
        widgets = {name: forms.Textarea(attrs={"rows": 6}) for name in fields}


class FiscalDataForm(SectionForm):
    slug = "fiscal-need"
    required = ("budget_change_percent", "unemployment_rate", "poverty_rate",
                "violent_crimes", "property_crimes")  # fmt: skip

    class Meta(SectionForm.Meta):
        fields = ["budget_change_percent", "unemployment_rate", "poverty_rate",
                  "violent_crimes", "property_crimes"]  # fmt: skip
        widgets = {
            "budget_change_percent": forms.NumberInput(attrs={"step": "0.01"}),
            "unemployment_rate": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            "poverty_rate": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }

    @classmethod
    def missing(cls, application):
        return [name for name in cls.required if getattr(application, name) is None]

    @classmethod
    def rules(cls, application):
        population = profile_value(application, "jurisdiction_population") or 0
        crimes = (application.violent_crimes or 0) + (application.property_crimes or 0)
        if population and crimes > population:
            yield (
                "property_crimes",
                f"Reported crimes ({crimes:,}) exceed your jurisdiction's population "
                f"({population:,}). Check the figures: they are counts for one year.",
            )


class RetentionForm(SectionForm):
    slug = "retention"
    required = ("retention_plan", "retention_assurance")

    class Meta(SectionForm.Meta):
        fields = ["retention_plan", "retention_assurance"]
        widgets = {"retention_plan": forms.Textarea(attrs={"rows": 6})}


class MatchForm(SectionForm):
    slug = "match"
    required = ("match_waiver",)

    class Meta(SectionForm.Meta):
        fields = ["match_waiver", "match_source", "waiver_justification"]
        widgets = {
            "match_waiver": forms.RadioSelect,
            "match_source": forms.Textarea(attrs={"rows": 3}),
            "waiver_justification": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["match_waiver"].choices = MatchWaiver.choices

    @classmethod
    def missing(cls, application):
        missing = super().missing(application)
        if application.match_waiver == MatchWaiver.NONE and not application.match_source.strip():
            missing.append("match_source")
        if application.match_waiver in (MatchWaiver.PARTIAL, MatchWaiver.FULL) and not (
            application.waiver_justification.strip()
        ):
            missing.append("waiver_justification")
        return missing


def missing_message(label: str) -> str:
    if label.endswith("?"):
        return f"Answer: {label}"
    if label.startswith("We "):
        return f"Confirm the assurance: {label}"
    return f"{label[:1].upper()}{label[1:]} is missing."


@dataclass(frozen=True)
class Section:
    number: int
    slug: str
    title: str
    form_class: type[forms.Form]
    intro: str = ""

    def form(self, application: Application, data=None) -> forms.Form:
        # A ModelForm writes what it cleaned onto its instance even when invalid: give it a copy
        # so the page never shows (or computes a budget from) answers that were refused.
        return self.form_class(data, application=copy.copy(application))

    def problems(self, application: Application) -> list[Problem]:
        form_class = self.form_class
        field_names = getattr(form_class, "base_fields", {})
        labels = {name: str(field.label) for name, field in field_names.items() if field.label}
        labels["partners"] = "School partners"
        problems = [
            Problem(self.slug, name, missing_message(labels.get(name, name)), missing=True)
            for name in form_class.missing(application)
        ]
        problems += [
            Problem(self.slug, field, message) for field, message in form_class.rules(application)
        ]
        return problems

    def state(self, application: Application, problems: list[Problem] | None = None) -> str:
        if application.section_version(self.slug) == 0 and not (
            self.slug == "agency" and application.agency_profile
        ):
            return "not_started"
        problems = self.problems(application) if problems is None else problems
        if any(not p.missing for p in problems):
            return "has_errors"
        if problems:
            return "in_progress"
        return "complete"


SECTIONS: list[Section] = [
    Section(1, "eligibility", "Eligibility", EligibilityForm,
            "Confirm that your agency can apply for CHP funding."),
    Section(2, "agency", "Agency and executives", AgencyProfileForm,
            "Check your agency's details as they should appear on this application."),
    Section(3, "officers", "Officer request", OfficerRequestForm,
            "How many positions, in which hiring category, at what entry-level cost."),
    Section(4, "sro", "School Resource Officers", SroCommitmentForm,
            "Commit to deploying the funded officers as SROs for additional consideration."),
    Section(5, "commitments", "Other commitments", OtherCommitmentsForm,
            "Priority commitments that earn additional consideration."),
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
        statuses.append(SectionStatus(section, section.state(application, problems), problems))
    return statuses


def outstanding(statuses: list[SectionStatus]) -> list[Problem]:
    """Everything that stops submission, in section order."""
    return [problem for status in statuses for problem in status.problems]


def neighbours(slug: str) -> tuple[Section | None, Section | None]:
    index = next(i for i, s in enumerate(SECTIONS) if s.slug == slug)
    before = SECTIONS[index - 1] if index > 0 else None
    after = SECTIONS[index + 1] if index + 1 < len(SECTIONS) else None
    return before, after


def _display(name: str, field: forms.Field, value) -> str:
    if value in (None, ""):
        return "Not answered"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    choices = dict(getattr(field, "choices", []) or [])
    if value in choices:
        return str(choices[value])
    if isinstance(value, Decimal) and name.startswith(("salary_", "fringe_")):
        return f"${value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def section_answers(section: Section, application: Application) -> list[tuple[str, str]]:
    """(label, answer) pairs for the review page and the staff's read-only view."""
    form = section.form(application)
    answers = []
    for name, field in form.fields.items():
        if name == "version":
            continue
        value = (
            profile_value(application, name)
            if section.slug == "agency"
            else getattr(application, name)
        )
        if value in (None, "") and name not in section.form_class.required:
            continue  # an optional question left blank (e.g. no waiver, so no justification)
        answers.append((str(field.label), _display(name, field, value)))
    if section.slug == "sro" and application.sro_commitment:
        for partner in application.school_partners.all():
            answers.append(
                (
                    f"School partner: {partner.district_name}",
                    f"{partner.contact_name}, {partner.contact_email}, {partner.contact_phone}. "
                    f"Schools: {', '.join(partner.schools.splitlines())}",
                )
            )
    return answers
