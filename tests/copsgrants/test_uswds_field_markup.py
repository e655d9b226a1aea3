"""The uswds pack draws a field in Python (copsgrants/templatetags/uswds.py): each field must be
byte for byte what the pack's template and Django's widget templates drew, for every kind of
field and state. The reference is the pack's field template as it was (reference/)."""

from pathlib import Path

import pytest
from django import forms
from django.template import Context, Template
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from applications.sections import SECTIONS
from copsgrants.templatetags.uswds import as_widget
from tests.factories import ApplicationFactory

REFERENCE = Template(
    Path(__file__).with_name("reference").joinpath("uswds_field_template.html").read_text()
)
AWKWARD = 'Smith & O\'Neil <County> "PD"'


class EveryKindForm(forms.Form):
    name = forms.CharField(max_length=40, help_text=f"As in {AWKWARD}", label=AWKWARD)
    story = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=500)
    notes = forms.CharField(widget=forms.Textarea, required=False)
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"autofocus": True}))
    count = forms.IntegerField(min_value=0, localize=True, help_text="Whole positions")
    money = forms.DecimalField(decimal_places=2, required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date", "hidden": False}))
    agree = forms.BooleanField(help_text="Tick to agree")
    optional_tick = forms.BooleanField(required=False)
    choice = forms.ChoiceField(choices=[("a", "A & a"), ("b", "<b>")], widget=forms.RadioSelect)
    flag = forms.TypedChoiceField(
        choices=[(True, "Yes"), (False, "No")],
        coerce=lambda v: v == "True",
        widget=forms.RadioSelect,
        required=False,
        help_text="Either",
    )
    many = forms.MultipleChoiceField(
        choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple, required=False
    )
    pick = forms.ChoiceField(choices=[("", "-"), ("1", "One")], required=False)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)
    remembered = forms.CharField(required=False, show_hidden_initial=True)
    drafted = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"aria-required": "true"})
    )


DATA = {
    "name": AWKWARD,
    "story": "Line one\n<script>two</script>",
    "email": "not an email",
    "count": "-3",
    "money": "12.345",
    "day": "2026-13-01",
    "choice": "b",
    "flag": "True",
    "many": ["x", "y"],
    "pick": "1",
    "secret": mark_safe("<safe>"),
    "remembered": "kept",
    "initial-remembered": "old",
    "drafted": "",
    "optional_tick": "on",  # a ticked box
}


def assert_drawn_as_before(form: forms.BaseForm) -> None:
    template = get_template("uswds/field.html")
    for field in [*form.visible_fields(), *form.hidden_fields()]:
        for show_labels in (True, False):
            context = {"field": field, "form_show_labels": show_labels}
            assert template.render(context) == REFERENCE.render(Context(context)), field.name
        # Django's own widget rendering, with the attributes the pack adds.
        for attrs in (None, {"class": "usa-input", "aria-describedby": "x y", "maxlength": "9"}):
            assert as_widget(field, attrs) == field.as_widget(attrs=attrs), field.name


@pytest.mark.parametrize("data", [None, {}, DATA], ids=["unbound", "empty", "awkward"])
def test_every_kind_of_field_is_drawn_as_the_templates_drew_it(data):
    form = EveryKindForm(data, initial={"name": "Initial <name>", "count": 1234567})
    if data is not None:
        assert not form.is_valid()  # errors next to the fields, in every branch
    assert_drawn_as_before(form)


@pytest.mark.django_db
@pytest.mark.parametrize("bound", [False, True], ids=["stored answers", "posted nonsense"])
@pytest.mark.parametrize("section", SECTIONS, ids=[s.slug for s in SECTIONS])
def test_each_section_form_is_drawn_as_the_templates_drew_it(section, bound):
    application = ApplicationFactory(complete=True)
    data = dict.fromkeys(section.form(application).fields, "<x> & y") if bound else None
    form = section.form(application, data)
    if bound:
        form.is_valid()
    assert_drawn_as_before(form)
    partners = getattr(form, "partners", None)
    if partners is not None:
        for partner in [*partners, partners.empty_form]:
            assert_drawn_as_before(partner)


def test_a_page_draws_each_field_with_one_template():
    # The pack's field template hands the whole field to Python: no chain of includes.
    source = (Path(__file__).parents[2] / "templates" / "uswds" / "field.html").read_text()
    assert source.count("{%") == 2
    assert "include" not in source
