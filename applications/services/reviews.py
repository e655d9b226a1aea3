"""Reviewer assignment, conflict of interest and rubric reviews. A grants manager assigns
reviewers to eligible applications; each reviewer certifies they have no conflict of interest with
the agency before reading its answers (or declares one, which hands the application back to the
managers); then they score the rubric of the solicitation's scoring rules, draft first, then
submit. A submitted review is locked unless a manager reopens it.

Each function guards the current state with a readable error, writes in one transaction under a
row lock, records an audit event and queues email after commit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from copsgrants import roles
from copsgrants.audit import record
from copsgrants.email import send_templated_email
from copsgrants.models import User

from ..models import Application, Review, ReviewAssignment, ReviewerProfile, ScoringRules

MAX_COMMENT = 2000
# A review may be written while the application waits for scores (or is scored and may be scored
# again); once the plan decides it, reviews no longer change.
REVIEWABLE = (Application.Status.UNDER_REVIEW, Application.Status.SCORED)


class ReviewError(Exception):
    """A review or assignment change that the current state or the user's role forbids."""


class RubricError(ReviewError):
    """Scores that do not fit the rubric; `errors` says which criterion is wrong and why."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(errors.values()))


# Who may do what ---------------------------------------------------------------------------


def is_reviewer_only(user: User) -> bool:
    """A reviewer with no other staff role: they read only the applications assigned to them."""
    if user.is_superuser or not user.has_perm("applications.review_application"):
        return False
    return not any(
        user.has_perm(f"applications.{codename}")
        for codename in ("screen_application", "return_application", "assign_reviewers")
    )


def can_see_answers(user: User, application: Application) -> tuple[bool, str]:
    """Staff read any application's answers, except a reviewer, who reads only those of the
    applications they are assigned and have certified no conflict of interest with."""
    if not is_reviewer_only(user):
        return True, ""
    certified = ReviewAssignment.objects.for_reviewer(user).filter(
        application=application, coi_certified_at__isnull=False
    )
    if certified.exists():
        return True, ""
    return False, "Certify that you have no conflict of interest with the agency first."


def can_review(user: User, assignment: ReviewAssignment) -> tuple[bool, str]:
    if not user.has_perm("applications.review_application"):
        return False, "Only a COPS reviewer can score applications."
    if assignment.reviewer_id != user.pk:
        return False, "This application is assigned to another reviewer."
    if assignment.status != ReviewAssignment.Status.ASSIGNED:
        return False, f"This assignment is {assignment.get_status_display().lower()}."
    return True, ""


def eligible_reviewers():
    """Active users in the Reviewer group, the people a manager may assign."""
    return (
        User.objects.filter(groups__name=roles.REVIEWER, is_active=True)
        .select_related("reviewer_profile")
        .order_by("last_name", "first_name", "email")
    )


def rules_in_force(application: Application) -> ScoringRules:
    rules = ScoringRules.objects.in_force().filter(solicitation_id=application.solicitation_id)
    found = rules.first()
    if found is None:
        raise ReviewError(
            "The solicitation has no scoring rules in force: a grants manager must put a "
            "version in force before reviews can be scored."
        )
    return found


def other_submitted_totals(assignment: ReviewAssignment) -> list[Review] | None:
    """The other reviewers' submitted reviews of this application, or None while this
    reviewer has not submitted their own: reviews are blind until then."""
    own = Review.objects.filter(assignment=assignment).first()
    if own is None or own.status != Review.Status.SUBMITTED:
        return None
    return list(
        Review.objects.filter(
            assignment__application_id=assignment.application_id, status=Review.Status.SUBMITTED
        )
        .exclude(assignment=assignment)
        .select_related("assignment__reviewer")
        .order_by("submitted_at")
    )


# Assignment -------------------------------------------------------------------------------


def _home_states(reviewers: Iterable[User]) -> dict[int, str]:
    profiles = ReviewerProfile.objects.filter(user__in=[r.pk for r in reviewers])
    return {p.user_id: p.state for p in profiles if p.state}


def assign_reviewers(
    *,
    applications: Iterable[Application],
    reviewers: Iterable[User],
    by: User,
    per_application: int | None = None,
) -> list[ReviewAssignment]:
    """Give each application (all under review) `per_application` active reviewers from
    `reviewers`, balanced: each seat goes to the selected reviewer with the fewest current
    assignments (applications under review), ties to the lower user id, so the same inputs
    always give the same assignment. Pairs that already exist (assigned, declared a conflict or
    removed) are never made again. With settings.REVIEWER_SAME_STATE_CONFLICT a reviewer is never
    given an agency of their own home state. Returns the assignments made; an application may
    end with fewer reviewers than asked when too few remain eligible."""
    if not by.has_perm("applications.assign_reviewers"):
        raise ReviewError("Only a COPS grants manager can assign reviewers.")
    if per_application is None:
        per_application = settings.REVIEWERS_PER_APPLICATION
    if per_application < 1:
        raise ReviewError("Assign at least one reviewer per application.")
    reviewers = sorted({r.pk: r for r in reviewers}.values(), key=lambda r: r.pk)
    if not reviewers:
        raise ReviewError("Choose at least one reviewer.")
    not_reviewers = [r for r in reviewers if not r.is_active or not r.has_perm(
        "applications.review_application")]  # fmt: skip
    if not_reviewers:
        raise ReviewError(
            "Only active COPS reviewers can be assigned: "
            + ", ".join(str(r) for r in not_reviewers)
        )
    home_states = _home_states(reviewers) if settings.REVIEWER_SAME_STATE_CONFLICT else {}
    created: list[ReviewAssignment] = []
    with transaction.atomic():
        locked = list(
            Application.objects.select_for_update()
            .filter(pk__in=[a.pk for a in applications])
            .select_related("agency")
            .order_by("pk")
        )
        not_ready = [a for a in locked if a.status != Application.Status.UNDER_REVIEW]
        if not_ready:
            raise ReviewError(
                "Only applications screened eligible (under review) can be assigned. Deselect: "
                + ", ".join(str(a) for a in not_ready[:5])
            )
        load = dict.fromkeys((r.pk for r in reviewers), 0)
        load.update(
            ReviewAssignment.objects.active()
            .filter(reviewer__in=reviewers, application__status=Application.Status.UNDER_REVIEW)
            .order_by()
            .values("reviewer")
            .annotate(n=Count("pk"))
            .values_list("reviewer", "n")
        )
        existing: dict[int, list[tuple[int, str]]] = {}
        for application_id, reviewer_id, status in ReviewAssignment.objects.filter(
            application__in=locked
        ).values_list("application", "reviewer", "status"):
            existing.setdefault(application_id, []).append((reviewer_id, status))
        for application in locked:
            pairs = existing.get(application.pk, [])
            taken = {reviewer_id for reviewer_id, _ in pairs}
            active = sum(1 for _, status in pairs if status == ReviewAssignment.Status.ASSIGNED)
            candidates = [
                r for r in reviewers
                if r.pk not in taken and home_states.get(r.pk) != application.agency.state
            ]  # fmt: skip
            chosen = sorted(candidates, key=lambda r: (load[r.pk], r.pk))[
                : max(per_application - active, 0)
            ]
            if not chosen:
                continue
            for reviewer in chosen:
                load[reviewer.pk] += 1
                created.append(
                    ReviewAssignment.objects.create(
                        application=application, reviewer=reviewer, assigned_by=by
                    )
                )
            record(
                verb="review.assigned",
                target=application,
                actor=by,
                data={"reviewers": [r.email for r in chosen]},
            )
    return created


def _locked_assignment(assignment: ReviewAssignment, by: User) -> ReviewAssignment:
    current = (
        ReviewAssignment.objects.select_for_update()
        .select_related("application__agency")
        .get(pk=assignment.pk)
    )
    allowed, reason = can_review(by, current)
    if not allowed:
        raise ReviewError(reason)
    return current


def certify_no_conflict(*, assignment: ReviewAssignment, by: User) -> ReviewAssignment:
    """The reviewer certifies they have no conflict of interest with the agency; only then do
    they see its answers."""
    with transaction.atomic():
        current = _locked_assignment(assignment, by)
        if current.coi_certified_at is not None:
            raise ReviewError("You have already certified that you have no conflict of interest.")
        current.coi_certified_at = timezone.now()
        current.save(update_fields=["coi_certified_at"])
        record(
            verb="review.no_conflict_certified",
            target=current.application,
            actor=by,
            data={"reviewer": by.email},
        )
    return current


def declare_conflict(*, assignment: ReviewAssignment, by: User, reason: str) -> ReviewAssignment:
    """The reviewer declares a conflict of interest: the assignment ends, the reason is kept,
    and the grants managers are asked to assign someone else."""
    reason = reason.strip()
    if not reason:
        raise ReviewError("Say what the conflict of interest is.")
    if len(reason) > MAX_COMMENT:
        raise ReviewError(f"Keep the reason under {MAX_COMMENT} characters.")
    with transaction.atomic():
        current = _locked_assignment(assignment, by)
        review = Review.objects.filter(assignment=current).first()
        if review is not None and review.status == Review.Status.SUBMITTED:
            raise ReviewError(
                "Your review is already submitted: ask a grants manager to reopen it first."
            )
        current.status = ReviewAssignment.Status.CONFLICT
        current.coi_declared_at = timezone.now()
        current.coi_reason = reason
        current.save(update_fields=["status", "coi_declared_at", "coi_reason"])
        record(
            verb="review.conflict_declared",
            target=current.application,
            actor=by,
            message=reason,
            data={"reviewer": by.email},
        )
        managers = User.objects.filter(groups__name=roles.GRANTS_MANAGER, is_active=True)
        send_templated_email(
            template="applications/email/review_conflict_declared",
            context={"assignment": current, "application": current.application,
                     "reason": reason},
            to=managers.values_list("email", flat=True),
        )  # fmt: skip
    return current


# Reviews ----------------------------------------------------------------------------------


def _criterion_value(value: Any) -> tuple[Any, str]:
    """{"score": n, "comment": text}, or a bare score, as (score, comment)."""
    if isinstance(value, dict):
        return value.get("score"), value.get("comment") or ""
    return value, ""


def _clean_scores(rubric: list[dict], scores: dict) -> dict[str, dict]:
    criteria = {c["key"]: c for c in rubric}
    errors: dict[str, str] = {}
    for key in scores:
        if key not in criteria:
            errors[key] = f"{key!r} is not a criterion of this rubric."
    cleaned: dict[str, dict] = {}
    for key, criterion in criteria.items():
        score, comment = _criterion_value(scores.get(key))
        comment = str(comment).strip()
        label = criterion.get("label", key)
        if len(comment) > MAX_COMMENT:
            errors[key] = f"{label}: keep the comment under {MAX_COMMENT} characters."
        if score in (None, ""):
            score = None
        else:
            try:
                if isinstance(score, bool) or int(score) != float(score):
                    raise ValueError
                score = int(score)
            except (TypeError, ValueError):
                errors[key] = f"{label}: the score must be a whole number."
                continue
            low, high = int(criterion["min"]), int(criterion["max"])
            if not low <= score <= high:
                errors[key] = f"{label}: the score must be from {low} to {high}."
                continue
        cleaned[key] = {"score": score, "comment": comment}
    if errors:
        raise RubricError(errors)
    return cleaned


def save_review(*, assignment: ReviewAssignment, by: User, scores: dict) -> Review:
    """Save the reviewer's draft: each criterion of the rubric in force a whole number in its
    range, or not yet scored, and an optional comment. Unknown criteria are refused."""
    with transaction.atomic():
        current = _locked_assignment(assignment, by)
        if current.coi_certified_at is None:
            raise ReviewError("Certify that you have no conflict of interest first.")
        if current.application.status not in REVIEWABLE:
            raise ReviewError(
                f"The application is {current.application.get_status_display().lower()}: "
                "its reviews can no longer change."
            )
        review = Review.objects.select_for_update().filter(assignment=current).first()
        if review is not None and review.status == Review.Status.SUBMITTED:
            raise ReviewError("This review is submitted and locked.")
        # A draft follows the rules in force; a submitted review keeps the version it used.
        rules = rules_in_force(current.application)
        cleaned = _clean_scores(rules.rubric, scores)
        if review is None:
            review = Review.objects.create(assignment=current, rules=rules, scores=cleaned)
        else:
            review.rules = rules
            review.scores = cleaned
            review.save(update_fields=["rules", "scores", "updated_at"])
    return review


def submit_review(*, review: Review, by: User) -> Review:
    """Submit the review: every criterion scored. It is locked from then on."""
    with transaction.atomic():
        current = Review.objects.select_for_update().select_related("rules").get(pk=review.pk)
        assignment = _locked_assignment(current.assignment, by)
        if current.status == Review.Status.SUBMITTED:
            raise ReviewError("This review is already submitted.")
        if assignment.application.status not in REVIEWABLE:
            raise ReviewError(
                f"The application is {assignment.application.get_status_display().lower()}: "
                "its reviews can no longer change."
            )
        cleaned = _clean_scores(current.rules.rubric, current.scores)
        missing = {
            c["key"]: f"{c.get('label', c['key'])}: give a score before submitting."
            for c in current.rules.rubric
            if cleaned.get(c["key"], {}).get("score") is None
        }
        if missing:
            raise RubricError(missing)
        current.status = Review.Status.SUBMITTED
        current.submitted_at = timezone.now()
        current.save(update_fields=["status", "submitted_at", "updated_at"])
        record(
            verb="review.submitted",
            target=current,
            actor=by,
            data={"application": assignment.application_id, "total": str(current.total),
                  "rules_version": current.rules.version},
        )  # fmt: skip
    return current


def reopen_review(*, review: Review, by: User, reason: str) -> Review:
    """A grants manager unlocks a submitted review so its reviewer can change it (recorded)."""
    reason = reason.strip()
    if not by.has_perm("applications.assign_reviewers"):
        raise ReviewError("Only a COPS grants manager can reopen a review.")
    if not reason:
        raise ReviewError("Say why the review is reopened; the reviewer is told.")
    if len(reason) > MAX_COMMENT:
        raise ReviewError(f"Keep the reason under {MAX_COMMENT} characters.")
    with transaction.atomic():
        current = (
            Review.objects.select_for_update()
            .select_related("assignment__application", "assignment__reviewer")
            .get(pk=review.pk)
        )
        if current.status != Review.Status.SUBMITTED:
            raise ReviewError("Only a submitted review can be reopened; this one is a draft.")
        application = current.assignment.application
        if application.status not in REVIEWABLE:
            raise ReviewError(
                f"The application is {application.get_status_display().lower()}: its reviews "
                "can no longer change."
            )
        current.status = Review.Status.DRAFT
        current.reopened_at = timezone.now()
        current.reopened_by = by
        current.reopen_reason = reason
        current.save(
            update_fields=["status", "reopened_at", "reopened_by", "reopen_reason", "updated_at"]
        )
        record(
            verb="review.reopened",
            target=current,
            actor=by,
            message=reason,
            data={"application": application.pk},
        )
        send_templated_email(
            template="applications/email/review_reopened",
            context={"review": current, "application": application, "reason": reason},
            to=[current.assignment.reviewer.email],
        )
    return current


def short_of_reviewers(applications: Iterable[Application], per_application: int) -> list:
    """The applications that have fewer active reviewers than asked."""
    active = Q(assignments__status=ReviewAssignment.Status.ASSIGNED)
    return list(
        Application.objects.filter(pk__in=[a.pk for a in applications])
        .annotate(active=Count("assignments", filter=active))
        .filter(active__lt=per_application)
        .select_related("agency")
    )
