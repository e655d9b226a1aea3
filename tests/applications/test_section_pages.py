import re

import pytest
from django.urls import reverse

from applications.sections import SECTIONS
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("section", SECTIONS, ids=[s.slug for s in SECTIONS])
def test_each_section_page_is_one_form_holding_its_save_buttons(
    signed_in, applicant, agency, section
):
    # A nested <form> makes browsers close the page's form early, leaving the buttons outside it.
    application = ApplicationFactory(agency=agency)
    html = (
        signed_in(applicant)
        .get(reverse("applications:application_section", args=[application.pk, section.slug]))
        .text
    )
    main = html[html.index('id="main-content"') :]
    forms = re.findall(r"<form\b.*?</form>", main, flags=re.S)
    assert len(forms) == 1
    assert main.count("<form") == 1
    assert 'name="continue"' in forms[0]
    assert 'name="version"' in forms[0]


@pytest.mark.parametrize("section", SECTIONS, ids=[s.slug for s in SECTIONS])
def test_every_field_a_problem_can_point_at_has_an_anchor_on_its_page(
    signed_in, applicant, agency, section
):
    application = ApplicationFactory(agency=agency)
    html = (
        signed_in(applicant)
        .get(reverse("applications:application_section", args=[application.pk, section.slug]))
        .text
    )
    # The fields this application is asked (salary years follow the solicitation).
    for name in section.form(application).fields:
        if name != "version":
            assert f'id="id_{name}"' in html, name
