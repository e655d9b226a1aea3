"""What an agency sees on its application pages: the overview's next step, being told at once
that it cannot apply, the school partner list, questions that depend on other answers."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from applications.models import Application, SchoolPartner
from tests.factories import ApplicationFactory, SchoolPartnerFactory, SolicitationFactory

from .test_section_fuzz import sro_post

pytestmark = pytest.mark.django_db

ELIGIBLE = {
    "has_law_enforcement_authority": "True",
    "is_startup_or_consortium": "False",
    "has_active_sam_registration": "True",
}


def overview_url(application):
    return reverse("applications:application_overview", args=[application.pk])


def section_url(application, slug):
    return reverse("applications:application_section", args=[application.pk, slug])


def main_action(html: str) -> tuple[str, str]:
    match = re.search(r'href="([^"]+)" data-testid="main-action">([^<]+)</a>', html)
    assert match, "the overview has no main action"
    return match.group(2), match.group(1)


@pytest.fixture
def draft(agency):
    return ApplicationFactory(agency=agency, solicitation=SolicitationFactory())


# 1. The overview's next step --------------------------------------------------------------------


def test_a_new_draft_offers_start_at_the_first_section(signed_in, applicant, draft):
    html = signed_in(applicant).get(overview_url(draft)).text
    assert main_action(html) == ("Start", section_url(draft, "eligibility"))
    assert "Review and submit" not in html


def test_a_started_draft_offers_to_continue_with_the_first_unfinished_section(
    signed_in, applicant, draft
):
    Application.objects.filter(pk=draft.pk).update(
        section_versions={"eligibility": 1},
        **{name: value == "True" for name, value in ELIGIBLE.items()},
    )
    html = signed_in(applicant).get(overview_url(draft)).text
    # The agency section is prefilled from the agency's profile and already complete.
    assert main_action(html) == ("Continue with Officer request", section_url(draft, "officers"))


def test_a_complete_draft_offers_review_and_submit(signed_in, applicant, agency):
    application = ApplicationFactory(agency=agency, complete=True)
    html = signed_in(applicant).get(overview_url(application)).text
    review = reverse("applications:application_review", args=[application.pk])
    assert main_action(html) == ("Review and submit", review)


def test_withdrawing_is_a_plain_link_below_the_sections_not_a_red_button(
    signed_in, applicant, draft
):
    html = signed_in(applicant).get(overview_url(draft)).text
    withdraw = reverse("applications:application_withdraw", args=[draft.pk])
    assert f'<a class="usa-link" href="{withdraw}">Withdraw this application</a>' in html
    assert "usa-button--secondary" not in html
    assert html.index('data-testid="task-list"') < html.index(withdraw)
    assert html.index('data-testid="main-action"') < html.index(withdraw)


def test_a_submitted_application_has_no_main_action_but_shows_its_answers(
    signed_in, applicant, agency
):
    application = ApplicationFactory(agency=agency, submitted=True)
    html = signed_in(applicant).get(overview_url(application)).text
    assert 'data-testid="main-action"' not in html
    assert "View all answers" in html


def test_the_deadline_reads_as_a_date_in_eastern_time_and_days_left(signed_in, applicant, agency):
    closes = datetime(2027, 3, 3, 21, 59, tzinfo=UTC)  # 4:59 PM EST
    application = ApplicationFactory(
        agency=agency,
        solicitation=SolicitationFactory(opens_at=closes - timedelta(days=90), closes_at=closes),
    )
    with time_machine.travel(closes - timedelta(days=58, hours=3), tick=False):
        html = signed_in(applicant).get(overview_url(application)).text
    assert "March 3, 2027 at 4:59 PM EST (in 58 days)" in html
    assert "weeks" not in html


# 2. An ineligible agency is told at once ---------------------------------------------------------


def test_an_ineligible_answer_is_saved_and_the_page_says_the_agency_cannot_apply_and_why(
    signed_in, applicant, draft
):
    client = signed_in(applicant)
    response = client.post(
        section_url(draft, "eligibility"),
        {**ELIGIBLE, "is_startup_or_consortium": "True", "has_active_sam_registration": "False",
         "version": "0", "continue": "1"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == section_url(draft, "eligibility")
    draft.refresh_from_db()
    assert draft.section_version("eligibility") == 1
    assert draft.is_startup_or_consortium is True

    html = client.get(response["Location"]).text
    assert "Eligibility is saved" not in html
    found = re.search(
        r'<div class="usa-alert usa-alert--error[^"]*"[^>]*data-testid="ineligible">(.*?)</div>',
        html,
        flags=re.S,
    )
    assert found, "no error alert"
    alert = found.group(1)
    assert "Your agency cannot apply for CHP" in alert
    assert "Start-up agencies and consortia are not eligible for CHP." in alert
    assert "You need an active SAM.gov registration" in alert
    assert "Only agencies with primary law enforcement authority" not in alert


def test_an_eligible_answer_is_saved_and_moves_on(signed_in, applicant, draft):
    client = signed_in(applicant)
    response = client.post(
        section_url(draft, "eligibility"), {**ELIGIBLE, "version": "0", "continue": "1"}
    )
    assert response["Location"] == section_url(draft, "agency")
    html = client.get(response["Location"]).text
    assert "Eligibility is saved." in html
    assert "cannot apply" not in html


def test_the_overview_repeats_why_the_agency_cannot_apply(signed_in, applicant, draft):
    Application.objects.filter(pk=draft.pk).update(
        section_versions={"eligibility": 1},
        has_law_enforcement_authority=False,
        is_startup_or_consortium=False,
        has_active_sam_registration=True,
    )
    html = signed_in(applicant).get(overview_url(draft)).text
    assert "Your agency cannot apply for CHP" in html
    assert "Only agencies with primary law enforcement authority are eligible for CHP." in html


def test_unanswered_eligibility_questions_are_not_reported_as_ineligible(
    signed_in, applicant, draft
):
    html = signed_in(applicant).get(section_url(draft, "eligibility")).text
    assert "cannot apply" not in html


# 3. School partners -----------------------------------------------------------------------------


def partner_forms(html: str) -> int:
    return html.count('data-testid="partner-form"')


def test_without_saved_partners_the_page_shows_one_blank_partner(signed_in, applicant, draft):
    html = signed_in(applicant).get(section_url(draft, "sro")).text
    assert partner_forms(html) == 1
    assert 'name="partners-TOTAL_FORMS" value="1"' in html
    assert "Remove this school partner" not in html


def test_saved_partners_are_shown_without_an_extra_blank_one(signed_in, applicant, agency):
    application = ApplicationFactory(agency=agency, complete=True)
    SchoolPartnerFactory(application=application, district_name="Second District")
    html = signed_in(applicant).get(section_url(application, "sro")).text
    assert partner_forms(html) == 2
    assert 'name="partners-TOTAL_FORMS" value="2"' in html
    assert "School partner 2: Second District" in html
    assert html.count("Remove this school partner") == 2
    assert 'name="partners-1-DELETE"' in html


def test_the_page_carries_an_empty_partner_template_and_an_add_button(signed_in, applicant, draft):
    html = signed_in(applicant).get(section_url(draft, "sro")).text
    template = html[html.index("<template data-partner-template>") : html.index("</template>")]
    assert 'id="id_partners-__prefix__-district_name"' in template
    assert "DELETE" not in template  # a new partner is skipped when blank, not removed
    assert re.search(r'<button type="submit" name="add_partner" value="1"[^>]*>Add another', html)


def test_add_partner_without_javascript_shows_one_more_blank_partner_and_saves_nothing(
    signed_in, applicant, draft
):
    response = signed_in(applicant).post(
        section_url(draft, "sro"), sro_post(partners__0__contact_email="", add_partner="1")
    )
    assert response.status_code == 200
    html = response.text
    assert partner_forms(html) == 2
    assert 'name="partners-TOTAL_FORMS" value="2"' in html
    assert 'value="Springfield School District 186"' in html  # what was typed stays
    assert "There is a problem" not in html  # a half-typed partner is not an error yet
    assert "usa-error-message" not in html
    draft.refresh_from_db()
    assert draft.section_version("sro") == 0
    assert not draft.school_partners.exists()


def test_add_partner_stops_at_ten(signed_in, applicant, draft):
    data = sro_post(partners__TOTAL_FORMS="10", add_partner="1")
    response = signed_in(applicant).post(section_url(draft, "sro"), data)
    assert partner_forms(response.text) == 10
    assert re.search(r"<button[^>]*data-add-partner hidden", response.text)


def test_ticking_remove_deletes_that_partner_when_the_page_is_saved(signed_in, applicant, agency):
    application = ApplicationFactory(agency=agency, complete=True)
    keep = application.school_partners.get()
    gone = SchoolPartnerFactory(application=application, district_name="Old District")
    data = {
        "sro_commitment": "True", "sro_positions": "2", "sro_time_assurance": "on",
        "version": str(application.section_version("sro")), "continue": "1",
        "partners-TOTAL_FORMS": "2", "partners-INITIAL_FORMS": "2",
        "partners-MIN_NUM_FORMS": "0", "partners-MAX_NUM_FORMS": "10",
    }  # fmt: skip
    for index, partner in enumerate([keep, gone]):
        for name in ("district_name", "schools", "contact_name", "contact_title",
                     "contact_email", "contact_phone"):  # fmt: skip
            data[f"partners-{index}-{name}"] = getattr(partner, name)
        data[f"partners-{index}-id"] = str(partner.pk)
    data["partners-1-DELETE"] = "on"
    response = signed_in(applicant).post(section_url(application, "sro"), data)
    assert response.status_code == 302
    assert list(SchoolPartner.objects.filter(application=application)) == [keep]


# 4. Questions that depend on other answers ------------------------------------------------------


def show_when(html: str, condition: str) -> str:
    """The block shown only when `condition` holds (its opening tag onward)."""
    start = html.index(f'data-show-when="{condition}"')
    return html[start:]


def test_sro_details_and_partners_depend_on_the_commitment(signed_in, applicant, draft):
    html = signed_in(applicant).get(section_url(draft, "sro")).text
    assert html.count('data-show-when="sro_commitment=True"') == 2
    first = show_when(html, "sro_commitment=True")
    assert 'id="id_sro_commitment_0"' not in first  # the question itself always shows
    assert 'id="id_sro_positions"' in first and 'id="id_sro_time_assurance"' in first
    assert 'id="id_partners"' in html[html.rindex('data-show-when="sro_commitment=True"') :]
    assert "js/show-when" in html


def test_layoff_questions_depend_on_positions_scheduled_for_layoff(signed_in, applicant, draft):
    html = signed_in(applicant).get(section_url(draft, "officers")).text
    block = show_when(html, "positions_rehire_scheduled&gt;0")
    assert 'id="id_layoff_date"' in block and 'id="id_layoff_explanation"' in block
    assert 'id="id_positions_rehire_scheduled"' not in block


def test_match_questions_depend_on_the_waiver_answer(signed_in, applicant, draft):
    html = signed_in(applicant).get(section_url(draft, "match")).text
    no_waiver = show_when(html, "match_waiver=none")
    no_waiver = no_waiver[: no_waiver.index("data-show-when", 10)]
    for name in ("match_source", "match_not_budgeted", "match_not_federal"):
        assert f'id="id_{name}"' in no_waiver, name
    assert "waiver_justification" not in no_waiver
    assert 'id="id_waiver_justification"' in show_when(html, "match_waiver=partial,full")


def test_the_match_assurances_are_saved(signed_in, applicant, draft):
    response = signed_in(applicant).post(
        section_url(draft, "match"),
        {"match_waiver": "none", "match_source": "General fund.", "match_not_budgeted": "on",
         "match_not_federal": "on", "version": "0", "return": "1"},
    )  # fmt: skip
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.match_not_budgeted and draft.match_not_federal


@pytest.mark.parametrize("slug", ["officers", "sro", "match"])
def test_without_javascript_every_dependent_question_is_visible(signed_in, applicant, draft, slug):
    html = signed_in(applicant).get(section_url(draft, slug)).text
    blocks = re.findall(r"<div[^>]*data-show-when=[^>]*>", html)
    assert blocks
    assert not [block for block in blocks if re.search(r"\shidden\b", block)]
