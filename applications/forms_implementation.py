"""Forms of an accepted award's implementation: an officer hire report and a drawdown request.
They parse input; the rules (dates, position counts, the federal cap, the withholding) are in
services/implementation.py, whose errors the views put next to the field they concern."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms

from .fields import MoneyField
from .forms import plain_error_messages
from .models import POSITIONS_FIELD, Award, HiringCategory
from .services.implementation import school_partners

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HireForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=100)
    last_name = forms.CharField(label="Last name", max_length=100)
    badge_number = forms.CharField(label="Badge or ID number", max_length=32, required=False)
    email = forms.EmailField(label="Work email", max_length=254, required=False)
    hire_date = forms.DateField(
        label="Hire date", widget=DATE, help_text="The officer's first day in the funded position."
    )
    hiring_category = forms.ChoiceField(label="Hiring category")
    school_district = forms.ChoiceField(label="School district")
    school = forms.ChoiceField(label="School assigned")

    def __init__(self, *args, award: Award, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hire_date"].help_text += (
            f" On or after the award start date, {award.project_start:%B} "
            f"{award.project_start.day}, {award.project_start.year}."
        )
        # Only the categories the award funds.
        self.fields["hiring_category"].choices = [("", "- Select -")] + [
            (category.value, category.label)
            for category in HiringCategory
            if getattr(award, POSITIONS_FIELD[category])
        ]
        assignment = []
        if award.is_sro:
            partners = school_partners(award)
            self.fields["school_district"].choices = [("", "- Select -")] + [
                (district, district) for district in partners
            ]
            self.fields["school"].choices = [("", "- Select -")] + [
                (district, [(school, school) for school in schools])
                for district, schools in partners.items()
            ]
            self.fields["school"].help_text = "A school the chosen district serves."
            assignment = [Fieldset("SRO assignment", "school_district", "school")]
        else:
            del self.fields["school_district"], self.fields["school"]
        plain_error_messages(self)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset("Officer", "first_name", "last_name", "badge_number", "email"),
            Fieldset("Position", "hire_date", "hiring_category"),
            *assignment,
        )


class DrawdownForm(forms.Form):
    period_start = forms.DateField(label="Period start", widget=DATE)
    period_end = forms.DateField(
        label="Period end", widget=DATE, help_text="The period's costs must already be incurred."
    )
    amount = MoneyField(
        label="Amount requested", max_digits=14, help_text="Federal share only, like $25,000."
    )
    description = forms.CharField(
        label="Actual costs",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The salaries and fringe benefits paid to the funded officers in the period.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        plain_error_messages(self)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", "The period must end on or after the day it starts.")
        return data
