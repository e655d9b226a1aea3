"""The agency's hire report and drawdown request pages, and the Implementation section of the
award page: forms for members of an open award, the reason instead of a form otherwise, rule
breaks as messages next to their field, another agency's award a 404."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications import services
from applications.models import Drawdown, OfficerHire
from tests.award_states import accepted_award

from . import implementation_helpers as helpers
from .implementation_helpers import DISTRICT, SCHOOL, as_post, drawdown_data, hire_data

pytestmark = pytest.mark.django_db
open_award, withheld_award = helpers.open_award, helpers.withheld_award
non_sro_award = helpers.non_sro_award


def page(name: str, award) -> str:
    return reverse(f"applications:{name}", args=[award.pk])


def test_the_hire_form_offers_the_school_partners_and_reports_a_hire(signed_in, member, open_award):
    client = signed_in(member)
    html = client.get(page("hire_new", open_award)).text
    for text in (DISTRICT, "Washington Middle School", SCHOOL, "New hire", "October 1, 2026"):
        assert text in html
    assert "Rehire (laid off)" not in html  # the award funds no rehires
    response = client.post(page("hire_new", open_award), as_post(hire_data()), follow=True)
    assert response.redirect_chain[-1][0] == page("award_detail", open_award)
    assert "Dana Whitfield is reported as hired." in response.text
    assert 'data-testid="hires"' in response.text and SCHOOL in response.text
    assert OfficerHire.objects.get().reported_by == member


def test_a_hire_date_before_the_award_start_is_a_message_next_to_the_field(
    signed_in, member, open_award
):
    response = signed_in(member).post(
        page("hire_new", open_award), as_post(hire_data(hire_date="2026-09-01"))
    )
    assert response.status_code == 400
    assert "on or after the award start date, October 1, 2026" in response.text
    assert 'id="div_id_hire_date" class="usa-form-group usa-form-group--error"' in response.text
    assert not OfficerHire.objects.exists()


@pytest.mark.parametrize(
    "change",
    [{"hire_date": "not a date"}, {"hiring_category": "bogus"}, {"school": "Nowhere High"},
     {"email": "x@"}, {"first_name": "a" * 500}, {"hire_date": "99999-01-01"}],
)  # fmt: skip
def test_bad_hire_input_is_a_400_with_a_message_never_a_500(signed_in, member, open_award, change):
    response = signed_in(member).post(page("hire_new", open_award), as_post(hire_data(**change)))
    assert response.status_code == 400
    assert "usa-error-message" in response.text
    assert not OfficerHire.objects.exists()


def test_a_non_sro_award_asks_no_school(signed_in, member, non_sro_award):
    client = signed_in(member)
    assert "School district" not in client.get(page("hire_new", non_sro_award)).text
    data = as_post(hire_data())
    del data["school_district"], data["school"]
    assert client.post(page("hire_new", non_sro_award), data).status_code == 302
    assert OfficerHire.objects.get().school == ""


def test_a_member_requests_a_drawdown_and_sees_the_totals(signed_in, member, open_award):
    client = signed_in(member)
    assert "$375,000" in client.get(page("drawdown_new", open_award)).text
    data = as_post(drawdown_data(amount="$25,000.50"))
    response = client.post(page("drawdown_new", open_award), data, follow=True)
    assert "Drawdown 1 of $25,000.50 is requested." in response.text
    html = response.text
    assert 'data-testid="pending-total">$25,000.50<' in html
    assert 'data-testid="approved-total">$0<' in html
    assert "$349,999.50 of $375,000" in html
    assert Drawdown.objects.get().requested_by == member


def test_a_drawdown_over_the_federal_amount_says_how_much_is_left(signed_in, member, open_award):
    services.request_drawdown(
        award=open_award, by=member, **drawdown_data(amount=Decimal("370000"))
    )
    response = signed_in(member).post(
        page("drawdown_new", open_award), as_post(drawdown_data(amount="10000"))
    )
    assert response.status_code == 400
    assert "$5,000 is left to request" in response.text
    assert Drawdown.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [{"amount": "lots"}, {"amount": "-5"}, {"amount": "0"}, {"amount": "1" * 30},
     {"period_end": (timezone.localdate() + timedelta(days=3)).isoformat()},
     {"period_start": "2026-10-20", "period_end": "2026-10-01"}, {"description": ""}],
)  # fmt: skip
def test_bad_drawdown_input_is_a_400_with_a_message(signed_in, member, open_award, change):
    response = signed_in(member).post(
        page("drawdown_new", open_award), as_post(drawdown_data(**change))
    )
    assert response.status_code == 400
    assert "usa-error-message" in response.text
    assert not Drawdown.objects.exists()


def test_the_award_page_lists_hires_drawdowns_and_offers_the_buttons(
    signed_in, member, open_award, program_specialist
):
    services.report_hire(award=open_award, by=member, **hire_data())
    approved = services.request_drawdown(award=open_award, by=member, **drawdown_data())
    services.approve_drawdown(drawdown=approved, by=program_specialist)
    services.request_drawdown(award=open_award, by=member, **drawdown_data(amount=Decimal("10000")))
    html = signed_in(member).get(page("award_detail", open_award)).text
    assert html.index("Implementation") > html.index("Conditions")
    assert page("hire_new", open_award) in html and page("drawdown_new", open_award) in html
    assert "Dana Whitfield" in html and "October 15, 2026" in html
    assert 'data-testid="approved-total">$25,000<' in html
    assert 'data-testid="pending-total">$10,000<' in html
    assert "$340,000 of $375,000" in html
    assert ">Approved<" in html and ">Requested<" in html
    assert 'data-testid="withheld"' not in html


def test_a_withheld_award_page_shows_the_reason_instead_of_the_buttons(
    signed_in, member, withheld_award
):
    due = withheld_award.conditions.get(code="sro_mou").due_date.isoformat()
    html = signed_in(member).get(page("award_detail", withheld_award)).text
    assert f"Withheld: MOU not yet approved, due {due}" in html
    assert page("hire_new", withheld_award) not in html
    assert page("drawdown_new", withheld_award) not in html


def test_an_offered_award_has_no_implementation_section(signed_in, member, agency):
    award = accepted_award(agency, is_sro=False, letter=False)
    award.status = "offered"
    award.save(update_fields=["status"])
    html = signed_in(member).get(page("award_detail", award)).text
    assert "Implementation" not in html
    assert "once the award is accepted" in signed_in(member).get(page("hire_new", award)).text


@pytest.mark.parametrize("persona", ["other_agency_applicant", "program_specialist"])
@pytest.mark.parametrize("name", ["hire_new", "drawdown_new"])
def test_another_agencys_award_pages_are_a_404(request, signed_in, open_award, persona, name):
    client = signed_in(request.getfixturevalue(persona))
    assert client.get(page(name, open_award)).status_code == 404
    data = as_post(hire_data() if name == "hire_new" else drawdown_data())
    assert client.post(page(name, open_award), data).status_code == 404
    assert not OfficerHire.objects.exists() and not Drawdown.objects.exists()


anything = st.one_of(
    st.text(max_size=300),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(["", " ", "☃", "NaN", "1e9", "-0", "2026-10-15", "9999-12-31", "0001-01-01",
                     "2026-02-30", "new_hire", DISTRICT, SCHOOL, "$1,000.005"]),
)  # fmt: skip
fuzz = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
HIRE_FIELDS = list(hire_data())
DRAWDOWN_FIELDS = list(drawdown_data())


@fuzz
@given(data=st.fixed_dictionaries({}, optional={name: anything for name in HIRE_FIELDS}))
def test_the_hire_form_never_errors_on_any_input(client, member, open_award, data):
    client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(page("hire_new", open_award), data)
    assert response.status_code in (302, 400)
    OfficerHire.objects.all().delete()


@fuzz
@given(data=st.fixed_dictionaries({}, optional={name: anything for name in DRAWDOWN_FIELDS}))
def test_the_drawdown_form_never_errors_on_any_input(client, member, open_award, data):
    client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(page("drawdown_new", open_award), data)
    assert response.status_code in (302, 400)
    Drawdown.objects.all().delete()
