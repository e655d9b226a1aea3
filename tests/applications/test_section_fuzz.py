"""Whatever is posted to an application section, the answer is a page with errors (nothing saved)
or a redirect (saved), never a server error."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications.models import Application, SchoolPartner
from applications.sections import SECTIONS, SchoolPartnerForm
from tests.factories import ApplicationFactory, SchoolPartnerFactory, SolicitationFactory

pytestmark = pytest.mark.django_db

PARTNER_FIELDS = [*SchoolPartnerForm.base_fields, "id", "application", "DELETE"]
MANAGEMENT_FIELDS = [
    "partners-TOTAL_FORMS",
    "partners-INITIAL_FORMS",
    "partners-MIN_NUM_FORMS",
    "partners-MAX_NUM_FORMS",
]

SAMPLES = [
    "", " ", "True", "False", "true", "on", "0", "1", "2", "-1", "none", "partial", "full",
    "<b>bold</b><script>x</script>", "1e9", "NaN", "-Infinity", "2027-02-30", "9999-12-31",
    "0001-01-01", "0.001", "99999999.99", "100000000", "217-555-0199", "a@b.example",
    "9" * 60, "x" * 5000, "☃\u202e", "\x00", "null", "[]", "{}",
]  # fmt: skip

anything = st.one_of(
    st.text(max_size=300),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(str),
    st.booleans().map(str),
    st.sampled_from(SAMPLES),
)


# Form counts stay small here (a huge count is slow, see the tampering tests below).
form_count = st.one_of(
    st.integers(min_value=-3, max_value=12).map(str),
    st.sampled_from(["", " ", "x", "1.5", "01", "1e1", "NaN"]),
)


POSITION_FIELDS = ("positions_new_hire", "positions_rehire_laid_off", "positions_rehire_scheduled")


def field_strategies(section) -> dict[str, st.SearchStrategy[str]]:
    names = [*section.form_class.base_fields, "continue", "return"]
    if section.slug == "sro":
        names += [f"partners-{i}-{name}" for i in (0, 1) for name in PARTNER_FIELDS]
    fields = dict.fromkeys(names, anything)
    if section.slug == "sro":
        fields |= dict.fromkeys(MANAGEMENT_FIELDS, form_count)
    return fields


fuzz = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def draft(agency):
    return ApplicationFactory(agency=agency, solicitation=SolicitationFactory())


@pytest.fixture
def applicant_client(applicant):
    client = Client(raise_request_exception=False)
    client.force_login(applicant, backend="django.contrib.auth.backends.ModelBackend")
    return client


def section_url(application: Application, slug: str) -> str:
    return reverse("applications:application_section", args=[application.pk, slug])


def shows_an_error(html: str) -> bool:
    return "There is a problem" in html or "usa-alert--error" in html


def test_every_section_is_fuzzed():
    assert [s.slug for s in SECTIONS] == [
        "eligibility", "agency", "officers", "sro", "commitments", "community-policing",
        "fiscal-need", "retention", "match",
    ]  # fmt: skip


@pytest.mark.parametrize("section", SECTIONS, ids=[s.slug for s in SECTIONS])
def test_a_section_never_errors_on_any_input(applicant_client, draft, section):
    url = section_url(draft, section.slug)
    assert applicant_client.get(url).status_code == 200

    @fuzz
    @given(data=st.fixed_dictionaries({}, optional=field_strategies(section)))
    def post(data):
        before = Application.objects.get(pk=draft.pk).section_version(section.slug)
        response = applicant_client.post(url, data)
        assert response.status_code in (200, 302), response.status_code
        after = Application.objects.get(pk=draft.pk)
        assert after.status == Application.Status.DRAFT
        if response.status_code == 200:
            assert shows_an_error(response.text), data
            assert after.section_version(section.slug) == before  # nothing saved
        else:
            assert after.section_version(section.slug) == before + 1  # saved

    post()


# Officer request: out-of-range numbers --------------------------------------------------------


@pytest.mark.parametrize("field", POSITION_FIELDS)
@pytest.mark.parametrize("value", ["501", "-1", "99999999999999999"])
def test_an_out_of_range_position_count_is_a_field_error(applicant_client, draft, field, value):
    response = applicant_client.post(
        section_url(draft, "officers"), {field: value, "salary_year_1": "52000"}
    )
    assert response.status_code == 200
    assert shows_an_error(response.text)
    draft.refresh_from_db()
    assert getattr(draft, field) is None
    assert draft.section_version("officers") == 0


@pytest.mark.parametrize("value", [str(10**22), str(10**26)])
def test_an_absurd_position_count_is_a_field_error_not_a_server_error(
    applicant_client, draft, value
):
    response = applicant_client.post(
        section_url(draft, "officers"), {"positions_new_hire": value, "salary_year_1": "52000"}
    )
    assert response.status_code == 200
    assert "Enter 500 or less." in response.text
    draft.refresh_from_db()
    assert draft.positions_new_hire is None


# Management form tampering -----------------------------------------------------------------------


def sro_post(**overrides) -> dict[str, str]:
    data = {
        "sro_commitment": "True",
        "sro_positions": "1",
        "sro_time_assurance": "on",
        "version": "0",
        "partners-TOTAL_FORMS": "1",
        "partners-INITIAL_FORMS": "0",
        "partners-MIN_NUM_FORMS": "0",
        "partners-MAX_NUM_FORMS": "10",
        "partners-0-district_name": "Springfield School District 186",
        "partners-0-schools": "Lincoln Middle School",
        "partners-0-contact_name": "Jordan Ellis",
        "partners-0-contact_email": "safety@sd186.example",
        "partners-0-contact_phone": "217-555-0199",
    }
    for name, value in overrides.items():
        name = name.replace("__", "-")
        if value is None:
            data.pop(name)
        else:
            data[name] = value
    return data


def test_a_valid_sro_section_is_saved(applicant_client, draft):
    Application.objects.filter(pk=draft.pk).update(positions_new_hire=2)
    response = applicant_client.post(section_url(draft, "sro"), sro_post())
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.sro_commitment is True
    assert draft.school_partners.get().district_name == "Springfield School District 186"


@pytest.mark.parametrize(
    "tampering",
    [
        {"partners__TOTAL_FORMS": None},
        {"partners__TOTAL_FORMS": None, "partners__INITIAL_FORMS": None},
        {"partners__TOTAL_FORMS": "garbage"},
        {"partners__TOTAL_FORMS": ""},
        {"partners__TOTAL_FORMS": "1.5"},
        {"partners__INITIAL_FORMS": "x"},
        {"partners__TOTAL_FORMS": "9" * 30},
        {"partners__TOTAL_FORMS": "20"},
    ],
    ids=["total missing", "both missing", "total garbage", "total empty", "total decimal",
         "initial garbage", "total huge", "too many"],
)  # fmt: skip
def test_a_tampered_partner_formset_is_an_error_not_a_server_error(
    applicant_client, draft, tampering
):
    response = applicant_client.post(section_url(draft, "sro"), sro_post(**tampering))
    assert response.status_code == 200
    assert shows_an_error(response.text)
    assert (
        "This page arrived incomplete, so nothing was saved." in response.text
        or "You can list at most 10 school partners." in response.text
    )
    draft.refresh_from_db()
    assert draft.sro_commitment is None
    assert draft.section_version("sro") == 0
    assert not SchoolPartner.objects.exists()


def test_a_school_partner_of_another_application_cannot_be_edited_through_the_formset(
    applicant_client, draft
):
    theirs = SchoolPartnerFactory(district_name="Their district")
    response = applicant_client.post(
        section_url(draft, "sro"),
        sro_post(
            partners__INITIAL_FORMS="1",
            partners__0__id=str(theirs.pk),
            partners__0__district_name="Hijacked district",
        ),
    )
    assert response.status_code in (200, 302)
    theirs.refresh_from_db()
    assert theirs.district_name == "Their district"
    assert theirs.application_id != draft.pk
    assert (
        not SchoolPartner.objects.filter(district_name="Hijacked district")
        .exclude(application=draft)
        .exists()
    )


def test_a_huge_partner_form_count_does_not_build_more_forms_than_allowed(applicant_client, draft):
    response = applicant_client.post(
        section_url(draft, "sro"), sro_post(partners__TOTAL_FORMS="1000000")
    )
    assert response.status_code == 200
    assert shows_an_error(response.text)
    assert response.text.count('data-testid="partner-form"') <= 11
