"""The admin index is a work queue for the signed-in staff member's role in the current
solicitation: counts that link to the filtered admin lists holding the work."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import (
    Application,
    DataFlag,
    FundingPlan,
    Review,
    ReviewAssignment,
    ScoringRules,
    ScoringRun,
)
from applications.templatetags.workqueue import build_work_queue, current_solicitation
from copsgrants import roles
from tests.factories import ApplicationFactory, SolicitationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def solicitation():
    solicitation = SolicitationFactory()
    ScoringRules.objects.create(solicitation=solicitation, version=1, in_force=True)
    return solicitation


def under_review(solicitation, **kwargs) -> Application:
    return ApplicationFactory(
        solicitation=solicitation, submitted=True, status=Application.Status.UNDER_REVIEW, **kwargs
    )


def assign(application, reviewer, *, certified=False, review=None) -> ReviewAssignment:
    assignment = ReviewAssignment.objects.create(
        application=application,
        reviewer=reviewer,
        coi_certified_at=timezone.now() if certified else None,
    )
    if review:
        Review.objects.create(
            assignment=assignment,
            rules=application.solicitation.scoring_rules.get(in_force=True),
            scores={"problem_identification": {"score": 4, "comment": ""}},
            status=review,
            submitted_at=timezone.now() if review == Review.Status.SUBMITTED else None,
        )
    return assignment


def queue_section(user, title: str) -> dict[str, tuple[int, str]]:
    sections = {s.title: s for s in build_work_queue(user).sections}
    return {item.label: (item.count, item.url) for item in sections[title].items}


def section_titles(user) -> list[str]:
    return [s.title for s in build_work_queue(user).sections]


def test_the_current_solicitation_is_the_newest_published_one_that_has_opened(solicitation):
    SolicitationFactory(fiscal_year=2027, opens_at=timezone.now() + timedelta(days=5),
                        closes_at=timezone.now() + timedelta(days=50))  # fmt: skip
    SolicitationFactory(fiscal_year=2028, is_published=False)
    SolicitationFactory(fiscal_year=2025, closed=True)
    assert current_solicitation() == solicitation


def test_a_program_specialist_is_shown_the_submitted_applications_to_screen_and_a_link_to_them(
    signed_in, program_specialist, solicitation
):
    ApplicationFactory.create_batch(3, solicitation=solicitation, submitted=True)
    under_review(solicitation)
    ApplicationFactory(
        submitted=True, solicitation=SolicitationFactory(fiscal_year=2025, closed=True)
    )
    client = signed_in(program_specialist)

    response = client.get(reverse("admin:index"))

    page = unescape(response.content.decode())
    assert "Work queue: FY26 COPS Hiring Program (CHP)" in page
    count, url = queue_section(program_specialist, "To screen")["Submitted applications to screen"]
    assert count == 3
    assert f'href="{url}"' in page
    assert f"solicitation__id__exact={solicitation.pk}" in url
    listed = client.get(url)
    assert listed.status_code == 200
    assert listed.context["cl"].result_count == 3
    assert "Ready to score" not in page


def test_the_index_counts_the_current_solicitation_s_applications_by_status(
    signed_in, program_specialist, solicitation
):
    ApplicationFactory.create_batch(2, solicitation=solicitation, submitted=True)
    under_review(solicitation)
    ApplicationFactory(solicitation=solicitation)  # a draft: not the staff's business
    ApplicationFactory(
        submitted=True, solicitation=SolicitationFactory(fiscal_year=2025, closed=True)
    )

    by_status = {i.label: i.count for i in build_work_queue(program_specialist).by_status}

    assert by_status["Submitted"] == 2
    assert by_status["Under review"] == 1
    assert "Draft" not in by_status
    client = signed_in(program_specialist)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Applications by status" in page
    # The stock app list stays below the queue.
    assert 'class="app-applications module' in page


def test_a_reviewer_sees_only_their_own_assignments_split_by_what_is_left_to_do(
    reviewer, solicitation
):
    other = UserFactory(roles=[roles.REVIEWER])
    assign(under_review(solicitation), reviewer)
    assign(under_review(solicitation), reviewer)
    assign(under_review(solicitation), reviewer, certified=True)
    assign(under_review(solicitation), reviewer, certified=True, review=Review.Status.DRAFT)
    assign(under_review(solicitation), reviewer, certified=True, review=Review.Status.SUBMITTED)
    assign(under_review(solicitation), other)  # someone else's
    declared = assign(under_review(solicitation), reviewer)
    declared.status = ReviewAssignment.Status.CONFLICT
    declared.save(update_fields=["status"])

    mine = queue_section(reviewer, "My assignments")

    assert mine["Certify conflict of interest"][0] == 2
    assert mine["To score (draft)"][0] == 2
    assert mine["Submitted"][0] == 1
    assert section_titles(reviewer) == ["My assignments"]


def test_a_grants_manager_sees_what_is_ready_to_score_enough_reviews_and_no_open_flags(
    grants_manager, solicitation
):
    first, second = UserFactory(roles=[roles.REVIEWER]), UserFactory(roles=[roles.REVIEWER])
    submitted = Review.Status.SUBMITTED

    def reviewed(application, *statuses):
        for reviewer, status in zip([first, second], statuses, strict=False):
            assign(application, reviewer, certified=True, review=status)
        return application

    reviewed(under_review(solicitation), submitted, submitted)  # ready
    reviewed(under_review(solicitation), submitted, submitted)  # ready
    reviewed(under_review(solicitation), submitted, Review.Status.DRAFT)  # one short
    reviewed(under_review(solicitation), submitted)  # one short
    flagged = reviewed(under_review(solicitation), submitted, submitted)
    DataFlag.objects.create(application=flagged, kind="poverty", value=Decimal("71"), message="!")
    resolved = reviewed(under_review(solicitation), submitted, submitted)  # ready: flag resolved
    DataFlag.objects.create(
        application=resolved, kind="poverty", value=Decimal("71"), message="!",
        resolution=DataFlag.Resolution.VERIFIED, resolved_at=timezone.now(),
    )  # fmt: skip

    ready = queue_section(grants_manager, "Ready to score")

    ((count, url),) = ready.values()
    assert count == 3
    assert "status__exact=under_review" in url
    assert section_titles(grants_manager) == ["Ready to score", "Decisions to release"]


def test_reviews_required_comes_from_the_scoring_rules_in_force(grants_manager, solicitation):
    rules = solicitation.scoring_rules.get()
    rules.reviews_required = 1
    rules.save(update_fields=["reviews_required"])
    application = under_review(solicitation)
    assign(application, UserFactory(roles=[roles.REVIEWER]), certified=True,
           review=Review.Status.SUBMITTED)  # fmt: skip

    ((count, _url),) = queue_section(grants_manager, "Ready to score").values()

    assert count == 1


def test_a_grants_manager_sees_approved_plans_whose_decisions_are_not_yet_released(
    signed_in, grants_manager, solicitation
):
    run = ScoringRun.objects.create(
        solicitation=solicitation, rules=solicitation.scoring_rules.get()
    )
    for status in [FundingPlan.Status.DRAFT, FundingPlan.Status.APPROVED,
                   FundingPlan.Status.RELEASED]:  # fmt: skip
        FundingPlan.objects.create(
            solicitation=solicitation, run=run, appropriation=solicitation.total_funds,
            status=status,
        )  # fmt: skip

    ((count, url),) = queue_section(grants_manager, "Decisions to release").values()

    assert count == 1
    if url:  # once the funding plan admin exists, the link filters it
        assert "status__exact=approved" in url
        assert signed_in(grants_manager).get(url).context["cl"].result_count == 1


def test_with_no_opened_solicitation_the_index_is_the_plain_app_list(signed_in, grants_manager):
    SolicitationFactory(opens_at=timezone.now() + timedelta(days=3))
    page = signed_in(grants_manager).get(reverse("admin:index")).content.decode()
    assert "Work queue" not in page
    assert 'class="app-applications module' in page


def test_a_reviewer_following_certify_conflict_of_interest_sees_just_those_assignments(
    signed_in, reviewer, solicitation
):
    assign(under_review(solicitation), reviewer)
    assign(under_review(solicitation), reviewer, certified=True)
    assign(under_review(solicitation), UserFactory(roles=[roles.REVIEWER]))  # not theirs

    _count, url = queue_section(reviewer, "My assignments")["Certify conflict of interest"]
    listed = signed_in(reviewer).get(url)

    assert listed.status_code == 200
    assert listed.context["cl"].result_count == 1
