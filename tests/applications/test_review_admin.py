"""Reviews in the admin: a reviewer's "My reviews", the conflict-of-interest step that hides the
answers until certified, the rubric form, blind reviews, another reviewer's 404, a manager's
"Assign reviewers" bulk action and reopening a review."""

import pytest
from django.contrib.admin import helpers
from django.core import mail
from django.urls import reverse

from applications import services
from applications.models import Application, Review, ReviewAssignment, ReviewerProfile
from applications.models.solicitations import ScoringRules
from copsgrants import roles
from tests.factories import AgencyFactory, ApplicationFactory, SolicitationFactory, UserFactory

pytestmark = pytest.mark.django_db

ANSWER = "Vandalism and fights around the two middle schools after dismissal."
SCORES = {"score_problem_identification": "4", "score_community_partnerships": "3",
          "score_problem_solving": "5", "score_organizational_transformation": "2",
          "comment_problem_solving": "SARA, well argued."}  # fmt: skip


def review_url(assignment) -> str:
    return reverse("admin:applications_reviewassignment_review", args=[assignment.pk])


def application_url(application) -> str:
    return reverse("admin:applications_application_change", args=[application.pk])


@pytest.fixture
def application(db):
    solicitation = SolicitationFactory()
    ScoringRules.objects.create(solicitation=solicitation, version=1, in_force=True)
    return ApplicationFactory(
        submitted=True,
        status=Application.Status.UNDER_REVIEW,
        solicitation=solicitation,
        agency=AgencyFactory(legal_name="Lakeside Police Department", state="OH"),
    )


@pytest.fixture
def assignment(application, reviewer, grants_manager):
    return services.assign_reviewers(
        applications=[application], reviewers=[reviewer], by=grants_manager, per_application=1
    )[0]


def test_my_reviews_lists_only_the_reviewers_own_assignments(
    signed_in, assignment, application, grants_manager
):
    other = UserFactory(roles=[roles.REVIEWER])
    elsewhere = ApplicationFactory(
        submitted=True, status=Application.Status.UNDER_REVIEW,
        solicitation=application.solicitation,
        agency=AgencyFactory(legal_name="Hilltop Police Department"),
    )  # fmt: skip
    services.assign_reviewers(applications=[elsewhere], reviewers=[other], by=grants_manager,
                              per_application=1)  # fmt: skip
    page = signed_in(assignment.reviewer).get(
        reverse("admin:applications_reviewassignment_changelist")
    )
    assert page.status_code == 200
    assert "My reviews" in page.text
    assert "Lakeside Police Department" in page.text
    assert "Hilltop Police Department" not in page.text
    assert review_url(assignment) in page.text


def test_a_manager_sees_every_assignment(signed_in, assignment, grants_manager):
    page = signed_in(grants_manager).get(reverse("admin:applications_reviewassignment_changelist"))
    assert "Lakeside Police Department" in page.text
    assert str(assignment.reviewer) in page.text


def test_answers_stay_hidden_until_the_reviewer_certifies_no_conflict(
    signed_in, assignment, application, reviewer
):
    client = signed_in(reviewer)
    page = client.get(review_url(assignment))
    assert page.status_code == 200
    assert "I have no conflict of interest with Lakeside Police Department" in page.text
    assert ANSWER not in page.text
    assert client.get(application_url(application)).status_code in (302, 404)
    history = reverse("admin:applications_application_history", args=[application.pk])
    assert client.get(history).status_code == 404

    refused = client.post(review_url(assignment), {"certify": "1"})
    assert refused.status_code == 200  # the box was not ticked
    assert ReviewAssignment.objects.get(pk=assignment.pk).coi_certified_at is None

    client.post(review_url(assignment), {"certify": "1", "no_conflict": "on"})
    page = client.get(review_url(assignment))
    assert ANSWER in page.text
    assert "Problem identification" in page.text
    assert "Is a specific crime or disorder problem named" in page.text  # the guidance
    on_admin = client.get(application_url(application))
    assert on_admin.status_code == 200
    assert ANSWER in on_admin.text


def test_a_reviewer_sees_only_certified_assigned_applications_in_the_list(
    signed_in, assignment, application, reviewer
):
    ApplicationFactory(submitted=True, agency=AgencyFactory(legal_name="Hilltop Police Dept"))
    client = signed_in(reviewer)
    listing = reverse("admin:applications_application_changelist")
    assert "Lakeside Police Department" not in client.get(listing).text
    services.certify_no_conflict(assignment=assignment, by=reviewer)
    page = client.get(listing).text
    assert "Lakeside Police Department" in page
    assert "Hilltop Police Dept" not in page


def test_declaring_a_conflict_on_the_page_ends_the_assignment(
    signed_in, assignment, reviewer, grants_manager, django_capture_on_commit_callbacks
):
    client = signed_in(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            review_url(assignment), {"declare": "1", "reason": "I used to work there."}
        )
    assert response.status_code == 302
    stored = ReviewAssignment.objects.get(pk=assignment.pk)
    assert stored.status == ReviewAssignment.Status.CONFLICT
    assert stored.coi_reason == "I used to work there."
    assert mail.outbox[-1].to == [grants_manager.email]
    assert client.get(review_url(assignment)).status_code == 404


def test_the_rubric_form_saves_a_draft_then_submits_and_locks(signed_in, assignment, reviewer):
    services.certify_no_conflict(assignment=assignment, by=reviewer)
    client = signed_in(reviewer)
    draft = {**SCORES, "score_problem_solving": "", "save": "Save draft"}
    assert client.post(review_url(assignment), draft).status_code == 302
    review = Review.objects.get(assignment=assignment)
    assert review.status == Review.Status.DRAFT
    assert review.scores["problem_solving"]["score"] is None

    missing = client.post(review_url(assignment), {**draft, "submit": "Submit"})
    assert missing.status_code == 200
    assert "Problem solving: give a score before submitting." in missing.text

    out_of_range = client.post(review_url(assignment), {**SCORES, "score_problem_solving": "9",
                                                       "submit": "Submit"})  # fmt: skip
    assert out_of_range.status_code == 200
    assert "errorlist" in out_of_range.text

    assert client.post(review_url(assignment), {**SCORES, "submit": "Submit"}).status_code == 302
    review.refresh_from_db()
    assert (review.status, review.total) == (Review.Status.SUBMITTED, 14)
    assert review.scores["problem_solving"]["comment"] == "SARA, well argued."

    page = client.get(review_url(assignment))
    assert "the review is locked" in page.text
    assert 'name="submit"' not in page.text
    client.post(review_url(assignment), {**SCORES, "score_problem_solving": "0", "save": "1"})
    review.refresh_from_db()
    assert review.total == 14


def test_other_reviewers_totals_appear_only_after_submitting_my_own(
    signed_in, application, grants_manager
):
    me, other = UserFactory(roles=[roles.REVIEWER]), UserFactory(roles=[roles.REVIEWER])
    mine, theirs = services.assign_reviewers(
        applications=[application], reviewers=[me, other], by=grants_manager, per_application=2
    )
    services.certify_no_conflict(assignment=theirs, by=other)
    scores = {"problem_identification": 1, "community_partnerships": 1, "problem_solving": 1,
              "organizational_transformation": 0}  # fmt: skip
    services.submit_review(
        review=services.save_review(assignment=theirs, by=other, scores=scores), by=other
    )
    services.certify_no_conflict(assignment=mine, by=me)
    client = signed_in(me)
    before = client.get(review_url(mine)).text
    assert "shown once you have submitted your own" in before
    assert f"{other}: 3" not in before
    client.post(review_url(mine), {**SCORES, "submit": "Submit"})
    after = client.get(review_url(mine)).text
    assert f"{other}: 3" in after


def test_another_reviewers_assignment_is_a_404(signed_in, assignment):
    stranger = UserFactory(roles=[roles.REVIEWER])
    client = signed_in(stranger)
    assert client.get(review_url(assignment)).status_code == 404
    assert (
        client.post(review_url(assignment), {"certify": "1", "no_conflict": "on"}).status_code
        == 404
    )
    change = reverse("admin:applications_reviewassignment_change", args=[assignment.pk])
    assert client.get(change).status_code == 404
    assert ReviewAssignment.objects.get(pk=assignment.pk).coi_certified_at is None


def test_a_manager_or_specialist_cannot_open_the_review_page(
    signed_in, assignment, grants_manager, program_specialist
):
    for user in (grants_manager, program_specialist):
        assert signed_in(user).get(review_url(assignment)).status_code == 404


def test_the_assign_reviewers_action_asks_for_reviewers_then_assigns_them(
    signed_in, application, grants_manager
):
    texan = UserFactory(roles=[roles.REVIEWER], first_name="Tex", last_name="Ranger")
    ReviewerProfile.objects.create(user=texan, state="TX")
    ohioan = UserFactory(roles=[roles.REVIEWER])
    ReviewerProfile.objects.create(user=ohioan, state="OH")
    client = signed_in(grants_manager)
    listing = reverse("admin:applications_application_changelist")
    chosen = {"action": "assign_reviewers", helpers.ACTION_CHECKBOX_NAME: [application.pk]}
    page = client.post(listing, chosen)
    assert page.status_code == 200
    assert "Reviewers per application" in page.text
    assert f"{texan} ({texan.email}, TX)" in page.text
    done = client.post(
        listing,
        {**chosen, "apply": "1", "reviewers": [texan.pk, ohioan.pk], "per_application": "2"},
        follow=True,
    )
    assert "Made 1 assignment." in done.text
    assert "1 application still needs reviewers" in done.text
    assert [a.reviewer for a in application.assignments.all()] == [texan]


def test_the_assign_reviewers_action_refuses_applications_not_under_review(
    signed_in, grants_manager, reviewer
):
    submitted = ApplicationFactory(submitted=True)
    response = signed_in(grants_manager).post(
        reverse("admin:applications_application_changelist"),
        {"action": "assign_reviewers", helpers.ACTION_CHECKBOX_NAME: [submitted.pk]},
        follow=True,
    )
    assert "Only applications screened eligible (under review)" in response.text
    assert not ReviewAssignment.objects.exists()


def test_reviewers_and_specialists_are_not_offered_the_assign_action(
    signed_in, application, reviewer, program_specialist
):
    for user in (reviewer, program_specialist):
        response = signed_in(user).post(
            reverse("admin:applications_application_changelist"),
            {"action": "assign_reviewers", helpers.ACTION_CHECKBOX_NAME: [application.pk]},
        )
        assert not ReviewAssignment.objects.exists()
        assert "Reviewers per application" not in response.text


def test_a_manager_reopens_a_submitted_review_from_the_assignment_page(
    signed_in, assignment, reviewer, grants_manager
):
    services.certify_no_conflict(assignment=assignment, by=reviewer)
    scores = {"problem_identification": 5, "community_partnerships": 5, "problem_solving": 5,
              "organizational_transformation": 5}  # fmt: skip
    services.submit_review(
        review=services.save_review(assignment=assignment, by=reviewer, scores=scores),
        by=reviewer,
    )
    client = signed_in(grants_manager)
    change = reverse("admin:applications_reviewassignment_change", args=[assignment.pk])
    page = client.get(change)
    reopen = reverse("admin:applications_reviewassignment_reopen", args=[assignment.pk])
    assert reopen in page.text
    assert "total 20" in page.text
    assert client.post(reopen, {"reason": "Check the scores."}).status_code == 302
    review = Review.objects.get(assignment=assignment)
    assert review.status == Review.Status.DRAFT
    assert review.reopen_reason == "Check the scores."
    assert signed_in(reviewer).get(reopen).status_code == 403


def test_a_grants_manager_sets_a_reviewers_home_state(signed_in, grants_manager, reviewer):
    client = signed_in(grants_manager)
    response = client.post(
        reverse("admin:applications_reviewerprofile_add"), {"user": reviewer.pk, "state": "VA"}
    )
    assert response.status_code == 302
    assert ReviewerProfile.objects.get(user=reviewer).state == "VA"


def test_the_assignment_list_titles_its_two_status_filters_apart(signed_in, grants_manager):
    html = (
        signed_in(grants_manager)
        .get(reverse("admin:applications_reviewassignment_changelist"))
        .text
    )
    assert "By status" in html and "By review" in html
