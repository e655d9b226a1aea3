"""Screening and review: data-check flags raised at intake, reviewer assignments (with their
conflict-of-interest certification) and the reviewers' rubric reviews."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from ..states import State
from .applications import Application
from .solicitations import ScoringRules


class DataFlag(models.Model):
    """A figure of an application that looks implausible against its peers or the bounds in
    settings. It must be resolved before the application can be scored."""

    class Kind(models.TextChoices):
        CRIME_RATE = "crime_rate", "Crimes per 1,000 residents"
        OFFICER_RATE = "officer_rate", "Sworn officers per 1,000 residents"
        BUDGET_CHANGE = "budget_change", "Change in operating budget"
        UNEMPLOYMENT = "unemployment", "Unemployment rate"
        POVERTY = "poverty", "Poverty rate"

    class Resolution(models.TextChoices):
        OPEN = "", "Open"
        VERIFIED = "verified", "Verified with documentation"
        CORRECTED = "corrected", "Corrected by the agency"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    value = models.DecimalField(max_digits=14, decimal_places=4)
    message = models.CharField(max_length=500)
    resolution = models.CharField(max_length=16, choices=Resolution.choices, blank=True)
    resolution_note = models.TextField(blank=True, max_length=2000)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["application", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="data_flag_one_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.message}"

    @property
    def is_open(self) -> bool:
        return not self.resolution


class ReviewerProfile(models.Model):
    """What assignment needs to know about a COPS reviewer: their home state, so that they are
    never asked to score an agency of their own state (when settings.REVIEWER_SAME_STATE_CONFLICT
    is on). A reviewer without a state is never excluded."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_profile"
    )
    state = models.CharField(
        "home state", max_length=2, choices=State.choices, blank=True,
        help_text="Agencies of this state are not assigned to this reviewer.",
    )  # fmt: skip

    class Meta:
        ordering = ["user__email"]

    def __str__(self) -> str:
        return f"{self.user} ({self.state or 'no state'})"


class ReviewAssignmentQuerySet(models.QuerySet["ReviewAssignment"]):
    def active(self) -> ReviewAssignmentQuerySet:
        return self.filter(status=ReviewAssignment.Status.ASSIGNED)

    def for_reviewer(self, user) -> ReviewAssignmentQuerySet:
        return self.active().filter(reviewer=user)


class ReviewAssignment(models.Model):
    """A reviewer asked to score one application. Before seeing its answers the reviewer
    certifies they have no conflict of interest with the agency, or declares one."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", "Assigned"
        CONFLICT = "conflict", "Conflict of interest declared"
        REMOVED = "removed", "Removed"

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ASSIGNED)
    assigned_at = models.DateTimeField(auto_now_add=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    coi_certified_at = models.DateTimeField("no conflict certified", null=True, blank=True)
    coi_declared_at = models.DateTimeField("conflict declared", null=True, blank=True)
    coi_reason = models.TextField("conflict of interest", blank=True, max_length=2000)

    history = HistoricalRecords()
    objects = ReviewAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["application", "reviewer"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="review_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} reviews {self.application}"

    @property
    def may_see_answers(self) -> bool:
        return self.status == self.Status.ASSIGNED and self.coi_certified_at is not None


def review_total(scores: dict) -> Decimal:
    """A review's total: the sum of its criterion scores (a criterion not scored counts 0)."""
    return sum((Decimal(str(v.get("score") or 0)) for v in scores.values()), Decimal(0))


class Review(models.Model):
    """One reviewer's rubric scores for one application, under the rubric of the scoring rules
    in force when the review began. `scores` is {criterion key: {"score": n, "comment": text}}."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    assignment = models.OneToOneField(
        ReviewAssignment, on_delete=models.PROTECT, related_name="review"
    )
    rules = models.ForeignKey(ScoringRules, on_delete=models.PROTECT, related_name="reviews")
    scores = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    reopen_reason = models.TextField(blank=True, max_length=2000)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["assignment"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="review_submitted_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"Review by {self.assignment.reviewer} of {self.assignment.application}"

    @property
    def total(self) -> Decimal:
        return review_total(self.scores)
