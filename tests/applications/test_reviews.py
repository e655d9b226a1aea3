"""Reviewer assignment, conflict of interest and rubric reviews, through the services: balancing,
same-state exclusion, idempotence, conflicts that end an assignment and alert the managers, rubric
validation, locking on submit and a manager's recorded reopening."""

from collections import Counter

import pytest
from django.core import mail
from django.utils import timezone

from applications import services
from applications.models import Application, Review, ReviewAssignment, ReviewerProfile
from applications.models.solicitations import ScoringRules
from applications.services.reviews import other_submitted_totals
from copsgrants import roles
from copsgrants.models import AuditEvent
from tests.factories import AgencyFactory, ApplicationFactory, SolicitationFactory, UserFactory

pytestmark = pytest.mark.django_db

FULL = {
    "problem_identification": {"score": 4, "comment": "Burglary data by block."},
    "community_partnerships": {"score": 3, "comment": ""},
    "problem_solving": {"score": 5, "comment": "SARA model."},
    "organizational_transformation": {"score": 2, "comment": ""},
}


@pytest.fixture
def solicitation(db):
    solicitation = SolicitationFactory()
    ScoringRules.objects.create(solicitation=solicitation, version=1, in_force=True)
    return solicitation


def under_review(solicitation, state="IL", **agency):
    return ApplicationFactory(
        submitted=True,
        status=Application.Status.UNDER_REVIEW,
        solicitation=solicitation,
        agency=AgencyFactory(state=state, **agency),
    )


def make_reviewer(state: str = "") -> object:
    user = UserFactory(roles=[roles.REVIEWER])
    if state:
        ReviewerProfile.objects.create(user=user, state=state)
    return user


@pytest.fixture
def assignment(solicitation, reviewer, grants_manager):
    application = under_review(solicitation)
    return services.assign_reviewers(
        applications=[application], reviewers=[reviewer], by=grants_manager, per_application=1
    )[0]


@pytest.fixture
def certified(assignment, reviewer):
    return services.certify_no_conflict(assignment=assignment, by=reviewer)


def test_seven_applications_two_each_over_three_reviewers_split_five_five_four(
    solicitation, grants_manager
):
    applications = [under_review(solicitation, state="TX") for _ in range(7)]
    reviewers = [make_reviewer() for _ in range(3)]
    made = services.assign_reviewers(
        applications=applications, reviewers=reviewers, by=grants_manager, per_application=2
    )
    assert len(made) == 14
    load = Counter(a.reviewer_id for a in made)
    assert sorted(load.values()) == [4, 5, 5]
    # Ties go to the lower user id, so the first two reviewers carry the extra one.
    assert load[reviewers[2].pk] == 4
    for application in applications:
        assert application.assignments.filter(status="assigned").count() == 2


def test_the_number_per_application_defaults_to_the_setting(solicitation, grants_manager, settings):
    settings.REVIEWERS_PER_APPLICATION = 3
    application = under_review(solicitation)
    made = services.assign_reviewers(
        applications=[application], reviewers=[make_reviewer() for _ in range(4)],
        by=grants_manager,
    )  # fmt: skip
    assert len(made) == 3


def test_a_reviewer_from_the_agencys_state_is_never_assigned(solicitation, grants_manager):
    application = under_review(solicitation, state="OH")
    ohioan, texan, stateless = make_reviewer("OH"), make_reviewer("TX"), make_reviewer()
    made = services.assign_reviewers(
        applications=[application], reviewers=[ohioan, texan, stateless], by=grants_manager,
        per_application=3,
    )  # fmt: skip
    assert {a.reviewer for a in made} == {texan, stateless}


def test_the_same_state_rule_can_be_switched_off(solicitation, grants_manager, settings):
    settings.REVIEWER_SAME_STATE_CONFLICT = False
    application = under_review(solicitation, state="OH")
    ohioan = make_reviewer("OH")
    made = services.assign_reviewers(
        applications=[application], reviewers=[ohioan], by=grants_manager, per_application=1
    )
    assert [a.reviewer for a in made] == [ohioan]


def test_assigning_again_adds_nothing_and_tops_up_only_what_is_missing(
    solicitation, grants_manager
):
    application = under_review(solicitation)
    first, second = make_reviewer(), make_reviewer()
    services.assign_reviewers(
        applications=[application], reviewers=[first], by=grants_manager, per_application=2
    )
    again = services.assign_reviewers(
        applications=[application], reviewers=[first], by=grants_manager, per_application=2
    )
    assert again == []
    topped = services.assign_reviewers(
        applications=[application], reviewers=[first, second], by=grants_manager,
        per_application=2,
    )  # fmt: skip
    assert [a.reviewer for a in topped] == [second]
    assert ReviewAssignment.objects.filter(application=application).count() == 2
    event = AuditEvent.objects.filter(verb="review.assigned", object_id=str(application.pk))
    assert event.count() == 2  # one per call that assigned someone


def test_only_applications_under_review_can_be_assigned(solicitation, grants_manager, reviewer):
    submitted = ApplicationFactory(submitted=True, solicitation=solicitation)
    with pytest.raises(services.ReviewError, match="under review"):
        services.assign_reviewers(applications=[submitted], reviewers=[reviewer],
                                  by=grants_manager)  # fmt: skip
    assert not ReviewAssignment.objects.exists()


def test_a_reviewer_cannot_assign_and_a_manager_cannot_be_assigned(
    solicitation, reviewer, grants_manager
):
    application = under_review(solicitation)
    with pytest.raises(services.ReviewError, match="grants manager"):
        services.assign_reviewers(applications=[application], reviewers=[reviewer], by=reviewer)
    with pytest.raises(services.ReviewError, match="Only active COPS reviewers"):
        services.assign_reviewers(
            applications=[application], reviewers=[grants_manager], by=grants_manager
        )


def test_certifying_no_conflict_is_recorded(certified, reviewer):
    assert certified.coi_certified_at is not None
    assert certified.may_see_answers
    event = AuditEvent.objects.get(verb="review.no_conflict_certified")
    assert event.actor == reviewer


def test_declaring_a_conflict_ends_the_assignment_and_emails_the_managers(
    assignment, reviewer, grants_manager, django_capture_on_commit_callbacks
):
    other_manager = UserFactory(roles=[roles.GRANTS_MANAGER])
    with django_capture_on_commit_callbacks(execute=True):
        declared = services.declare_conflict(
            assignment=assignment, by=reviewer, reason="My brother is the chief."
        )
    assert declared.status == ReviewAssignment.Status.CONFLICT
    assert declared.coi_reason == "My brother is the chief."
    assert not ReviewAssignment.objects.for_reviewer(reviewer).exists()
    event = AuditEvent.objects.get(verb="review.conflict_declared")
    assert event.message == "My brother is the chief."
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert set(message.to) == {grants_manager.email, other_manager.email}
    assert "My brother is the chief." in message.body
    assert f"/admin/applications/application/{assignment.application_id}/" in message.body


def test_a_conflict_needs_a_reason(assignment, reviewer):
    with pytest.raises(services.ReviewError, match="conflict"):
        services.declare_conflict(assignment=assignment, by=reviewer, reason="  ")


def test_a_reviewer_who_declared_a_conflict_is_not_assigned_again(
    assignment, reviewer, grants_manager
):
    services.declare_conflict(assignment=assignment, by=reviewer, reason="Former employer.")
    again = services.assign_reviewers(
        applications=[assignment.application], reviewers=[reviewer], by=grants_manager,
        per_application=1,
    )  # fmt: skip
    assert again == []


def test_a_review_cannot_be_saved_before_certifying(assignment, reviewer):
    with pytest.raises(services.ReviewError, match="conflict of interest"):
        services.save_review(assignment=assignment, by=reviewer, scores=FULL)


def test_a_draft_keeps_its_scores_and_comments(certified, reviewer):
    review = services.save_review(
        assignment=certified, by=reviewer, scores={"problem_identification": {"score": "3",
                                                                               "comment": "ok"}}
    )  # fmt: skip
    assert review.status == Review.Status.DRAFT
    assert review.scores["problem_identification"] == {"score": 3, "comment": "ok"}
    assert review.scores["problem_solving"] == {"score": None, "comment": ""}
    assert review.rules.in_force


@pytest.mark.parametrize(
    ("scores", "key", "message"),
    [
        ({"problem_solving": {"score": 6}}, "problem_solving", "from 0 to 5"),
        ({"problem_solving": {"score": -1}}, "problem_solving", "from 0 to 5"),
        ({"problem_solving": {"score": 2.5}}, "problem_solving", "whole number"),
        ({"charisma": {"score": 5}}, "charisma", "not a criterion"),
        ({"problem_solving": {"score": 1, "comment": "x" * 2001}}, "problem_solving", "2000"),
    ],
)
def test_rubric_scores_out_of_range_unknown_or_too_long_are_refused(
    certified, reviewer, scores, key, message
):
    with pytest.raises(services.RubricError) as refused:
        services.save_review(assignment=certified, by=reviewer, scores=scores)
    assert message in refused.value.errors[key]
    assert not Review.objects.exists()


def test_submitting_needs_every_criterion_scored(certified, reviewer):
    partial = {k: v for k, v in FULL.items() if k != "problem_solving"}
    review = services.save_review(assignment=certified, by=reviewer, scores=partial)
    with pytest.raises(services.RubricError) as refused:
        services.submit_review(review=review, by=reviewer)
    assert list(refused.value.errors) == ["problem_solving"]
    review.refresh_from_db()
    assert review.status == Review.Status.DRAFT


def test_a_submitted_review_totals_its_criteria_and_is_locked(certified, reviewer):
    review = services.save_review(assignment=certified, by=reviewer, scores=FULL)
    submitted = services.submit_review(review=review, by=reviewer)
    assert submitted.status == Review.Status.SUBMITTED
    assert submitted.submitted_at is not None
    assert submitted.total == 14
    event = AuditEvent.objects.get(verb="review.submitted")
    assert event.data["total"] == "14"
    with pytest.raises(services.ReviewError, match="locked"):
        services.save_review(assignment=certified, by=reviewer, scores=FULL)
    with pytest.raises(services.ReviewError, match="already submitted"):
        services.declare_conflict(assignment=certified, by=reviewer, reason="Too late.")


def test_a_rubric_from_the_scoring_rules_governs_the_review(solicitation, certified, reviewer):
    rules = ScoringRules.objects.get(solicitation=solicitation)
    ScoringRules.objects.filter(pk=rules.pk).update(
        rubric=[{"key": "impact", "label": "Impact", "min": 1, "max": 10, "guidance": "?"}]
    )
    with pytest.raises(services.RubricError):
        services.save_review(assignment=certified, by=reviewer, scores={"impact": 0})
    review = services.save_review(assignment=certified, by=reviewer, scores={"impact": 9})
    assert services.submit_review(review=review, by=reviewer).total == 9


def test_a_manager_reopens_a_submitted_review_with_a_recorded_reason(
    certified, reviewer, grants_manager, django_capture_on_commit_callbacks
):
    review = services.submit_review(
        review=services.save_review(assignment=certified, by=reviewer, scores=FULL), by=reviewer
    )
    with pytest.raises(services.ReviewError, match="Say why"):
        services.reopen_review(review=review, by=grants_manager, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        reopened = services.reopen_review(
            review=review, by=grants_manager, reason="Score 5 contradicts the comment."
        )
    assert reopened.status == Review.Status.DRAFT
    assert reopened.reopened_by == grants_manager
    assert reopened.reopen_reason == "Score 5 contradicts the comment."
    event = AuditEvent.objects.get(verb="review.reopened")
    assert (event.actor, event.message) == (grants_manager, "Score 5 contradicts the comment.")
    assert mail.outbox[-1].to == [reviewer.email]
    changed = services.save_review(assignment=certified, by=reviewer, scores={**FULL,
                                   "problem_solving": {"score": 1}})  # fmt: skip
    assert changed.total == 10


def test_a_reviewer_cannot_reopen_and_a_manager_cannot_score(certified, reviewer, grants_manager):
    review = services.submit_review(
        review=services.save_review(assignment=certified, by=reviewer, scores=FULL), by=reviewer
    )
    with pytest.raises(services.ReviewError, match="grants manager"):
        services.reopen_review(review=review, by=reviewer, reason="I changed my mind.")
    with pytest.raises(services.ReviewError, match="reviewer"):
        services.save_review(assignment=certified, by=grants_manager, scores=FULL)


def test_a_program_specialist_cannot_review(certified, program_specialist):
    with pytest.raises(services.ReviewError, match="Only a COPS reviewer"):
        services.save_review(assignment=certified, by=program_specialist, scores=FULL)


def test_another_reviewer_cannot_certify_or_score_my_assignment(assignment):
    stranger = make_reviewer()
    with pytest.raises(services.ReviewError, match="another reviewer"):
        services.certify_no_conflict(assignment=assignment, by=stranger)


def test_others_scores_stay_hidden_until_my_own_review_is_submitted(solicitation, grants_manager):
    application = under_review(solicitation)
    me, other = make_reviewer(), make_reviewer()
    mine, theirs = services.assign_reviewers(
        applications=[application], reviewers=[me, other], by=grants_manager, per_application=2
    )
    for assignment, user in ((mine, me), (theirs, other)):
        services.certify_no_conflict(assignment=assignment, by=user)
    services.submit_review(
        review=services.save_review(assignment=theirs, by=other, scores=FULL), by=other
    )
    assert other_submitted_totals(mine) is None
    review = services.save_review(assignment=mine, by=me, scores=FULL)
    assert other_submitted_totals(mine) is None
    services.submit_review(review=review, by=me)
    assert [r.total for r in other_submitted_totals(mine)] == [14]


def test_reviews_no_longer_change_once_the_application_is_decided(certified, reviewer):
    Application.objects.filter(pk=certified.application_id).update(
        status=Application.Status.NOT_SELECTED, updated_at=timezone.now()
    )
    with pytest.raises(services.ReviewError, match="no longer change"):
        services.save_review(assignment=certified, by=reviewer, scores=FULL)
