"""The uswds pack draws a plain crispy layout in Python (`{% uswds_form form %}`,
copsgrants/templatetags/uswds.py): the section pages' forms must come out byte for byte as
`{% crispy form %}` drew them, in every state, and anything the Python drawing does not know falls
back to crispy itself."""

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout
from django import forms
from django.template import Context, Template

from applications.forms import AgencyForm, AgencyRegistrationForm
from applications.sections import SECTIONS, SECTIONS_BY_SLUG
from copsgrants.templatetags.uswds import draw_form
from tests.factories import ApplicationFactory, SolicitationFactory

CRISPY = Template("{% load crispy_forms_tags %}{% crispy form %}")
PYTHON = Template("{% load uswds %}{% uswds_form form %}")
TOKEN = 'tok"en<&>'


def assert_drawn_as_crispy(form: forms.BaseForm, csrf_token: str | None = TOKEN) -> None:
    context = {"form": form} if csrf_token is None else {"form": form, "csrf_token": csrf_token}
    drawn = PYTHON.render(Context(context))
    assert drawn == CRISPY.render(Context(context))


def nonsense(form: forms.BaseForm) -> dict:
    return dict.fromkeys(form.fields, "<x> & y")


def as_posted(form: forms.BaseForm) -> dict:
    """The form's own answers as a browser would post them back."""
    data = {}
    for field in form:
        value = field.value()
        if value is None or value is False:
            continue
        data[field.html_name] = "True" if value is True else str(value)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("section", SECTIONS, ids=[s.slug for s in SECTIONS])
@pytest.mark.parametrize(
    "state", ["blank", "answered", "nonsense", "posted back", "stale", "one funded year"]
)
def test_each_section_form_is_drawn_as_crispy_drew_it(section, state):
    solicitation = SolicitationFactory(funded_months=12) if state == "one funded year" else None
    application = ApplicationFactory(
        complete=state != "blank", **({"solicitation": solicitation} if solicitation else {})
    )
    form = section.form(application)
    if state == "nonsense":
        form = section.form(application, nonsense(form))
        assert not form.is_valid()
    elif state in ("posted back", "stale"):
        form = section.form(application, {**as_posted(form), **partner_management(form)})
        form.is_valid()
        if state == "stale":
            form.add_error(None, "Someone saved this section <after> you opened it.")
    assert draw_form(form, "") is not None, "the section's layout is drawn in Python"
    assert_drawn_as_crispy(form)
    assert_drawn_as_crispy(form, csrf_token=None)


def partner_management(form: forms.BaseForm) -> dict:
    partners = getattr(form, "partners", None)
    if partners is None:
        return {}
    data = {f"partners-{k}": str(v) for k, v in partners.management_form.initial.items()}
    for partner in partners.forms:
        data.update(as_posted(partner))
    return data


@pytest.mark.django_db
def test_the_sro_form_with_another_partner_added_is_drawn_as_crispy_drew_it():
    application = ApplicationFactory(complete=True)
    section = SECTIONS_BY_SLUG["sro"]
    form = section.form(application)
    form = section.form(application, {**as_posted(form), **partner_management(form)})
    form.add_blank_partner()
    assert_drawn_as_crispy(form)


@pytest.mark.django_db
@pytest.mark.parametrize("data", [None, {}, {"legal_name": "<b>", "sworn_force_actual": "x"}])
@pytest.mark.parametrize("form_class", [AgencyForm, AgencyRegistrationForm])
def test_the_agency_forms_fieldsets_are_drawn_as_crispy_drew_them(form_class, data):
    form = form_class(data)
    assert draw_form(form, "") is not None
    assert_drawn_as_crispy(form)


class OddForm(forms.Form):
    name = forms.CharField(required=False)
    note = forms.CharField(required=False, widget=forms.Textarea, max_length=99)
    agree = forms.BooleanField(required=False)

    def __init__(self, *args, layout=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = layout


PLAIN_LAYOUTS = {
    "no layout": None,
    "empty layout": Layout(),
    "nested": Layout(
        Fieldset(
            "Who & <what>",
            Div("name", css_id="a<b", css_class="c&d", data_show_when="name=x&y"),
            HTML("<p>Plain & simple</p>"),
            css_class="extra",
            css_id="set",
            data_x="1",
        ),
        Fieldset("", "note"),
        Div(Div("agree")),
    ),
}

FALLBACK_LAYOUTS = {
    "a legend that is a template": Layout(Fieldset("Hello {{ form.name.name }}", "name")),
    "an HTML snippet that is a template": Layout(HTML("{% if form %}<p>x</p>{% endif %}"), "name"),
    "a crispy Field": Layout(Field("name", css_class="wide")),
    "a field the form does not have": Layout("name", "missing"),
    "a template of its own": Layout(Div("name", template="uswds/layout/fieldset.html")),
}


@pytest.mark.parametrize("data", [None, {"name": "<x>", "note": "y" * 100}], ids=["unbound", "bad"])
@pytest.mark.parametrize("layout", PLAIN_LAYOUTS.values(), ids=PLAIN_LAYOUTS)
def test_plain_layouts_are_drawn_in_python_as_crispy_drew_them(layout, data):
    form = OddForm(data, layout=layout)
    assert draw_form(form, "") is not None
    assert_drawn_as_crispy(form)


@pytest.mark.parametrize("layout", FALLBACK_LAYOUTS.values(), ids=FALLBACK_LAYOUTS)
def test_layouts_python_does_not_draw_are_left_to_crispy(layout, settings):
    settings.CRISPY_FAIL_SILENTLY = True  # a missing field is left out, as in production
    form = OddForm({"name": "n"}, layout=layout)
    assert draw_form(form, "") is None
    assert_drawn_as_crispy(form)


@pytest.mark.parametrize(
    "change",
    [
        lambda helper: setattr(helper, "form_tag", True),
        lambda helper: setattr(helper, "form_show_labels", False),
        lambda helper: setattr(helper, "disable_csrf", True),
        lambda helper: setattr(helper, "render_unmentioned_fields", True),
        lambda helper: helper.attrs.update({"data-x": "1"}),
    ],
    ids=["form tag", "no labels", "no csrf", "unmentioned fields", "attributes"],
)
def test_helpers_with_other_settings_are_left_to_crispy(change):
    form = OddForm(None, layout=Layout("name"))
    change(form.helper)
    assert draw_form(form, "") is None
    assert_drawn_as_crispy(form)
