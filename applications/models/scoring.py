"""Scoring runs (one computation of every eligible application's score under one version of the
scoring rules, stored whole so a published ranking can be reproduced) and funding plans."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .applications import Application
from .solicitations import ScoringRules, Solicitation

SCORE = {"max_digits": 9, "decimal_places": 4}


class ScoringRun(models.Model):
    """ "Compute scores" for a solicitation: who, when, under which rules version. Only the
    newest run of a solicitation is current; earlier runs stay for the audit trail."""

    solicitation = models.ForeignKey(
        Solicitation, on_delete=models.PROTECT, related_name="scoring_runs"
    )
    rules = models.ForeignKey(ScoringRules, on_delete=models.PROTECT, related_name="runs")
    computed_at = models.DateTimeField(auto_now_add=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_current = models.BooleanField(default=True)
    # Applications left out, with why: [{"application": pk, "reason": "..."}].
    not_ready = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-computed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["solicitation"], condition=Q(is_current=True),
                name="scoring_run_one_current",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.solicitation.code} scores of {self.computed_at:%Y-%m-%d %H:%M}"


class ScoreBreakdown(models.Model):
    """One application's score in one run, with every input and intermediate value."""

    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="breakdowns")
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="breakdowns"
    )
    inputs = models.JSONField(default=dict)  # the reported figures used, as strings
    percentiles = models.JSONField(default=dict)  # each percentile rank, as strings
    criteria = models.JSONField(default=dict)  # review totals and criterion scores
    fiscal_need = models.DecimalField(**SCORE)
    crime = models.DecimalField(**SCORE)
    community_policing = models.DecimalField(**SCORE)
    sro_bonus = models.DecimalField(**SCORE)
    veteran_bonus = models.DecimalField(**SCORE)
    score_without_bonus = models.DecimalField(**SCORE)
    score = models.DecimalField(**SCORE)
    rank = models.PositiveIntegerField()
    rank_without_bonus = models.PositiveIntegerField()

    class Meta:
        ordering = ["run", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["run", "application"], name="breakdown_one_per_run"),
            models.UniqueConstraint(fields=["run", "rank"], name="breakdown_rank_unique"),
        ]

    def __str__(self) -> str:
        return f"#{self.rank} {self.application}"


class FundingPlan(models.Model):
    """Who is funded from a solicitation's appropriation, from one scoring run: drafted by a
    grants manager, approved by another, then released to the agencies."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        RELEASED = "released", "Decisions released"

    solicitation = models.ForeignKey(
        Solicitation, on_delete=models.PROTECT, related_name="funding_plans"
    )
    run = models.ForeignKey(ScoringRun, on_delete=models.PROTECT, related_name="plans")
    appropriation = models.DecimalField(max_digits=14, decimal_places=2)
    state_minimum_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0.5)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    drafted_at = models.DateTimeField(auto_now_add=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    history = HistoricalRecords()

    class Meta:
        ordering = ["-drafted_at"]

    def __str__(self) -> str:
        return f"{self.solicitation.code} funding plan ({self.get_status_display().lower()})"


class PlanLine(models.Model):
    """One ranked application in a plan: what it asked for and what the plan gives it."""

    class Basis(models.TextChoices):
        STATE_MINIMUM = "state_minimum", "Funded for the state's 0.5% minimum"
        NATIONAL = "national", "Funded in national rank order"
        ADJUSTED = "adjusted", "Funded by an adjustment"
        NOT_FUNDED = "not_funded", "Not funded"

    plan = models.ForeignKey(FundingPlan, on_delete=models.CASCADE, related_name="lines")
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="plan_lines"
    )
    rank = models.PositiveIntegerField()
    state = models.CharField(max_length=2)
    positions_requested = models.PositiveSmallIntegerField()
    federal_requested = models.DecimalField(max_digits=14, decimal_places=2)
    positions_funded = models.PositiveSmallIntegerField(default=0)
    federal_funded = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    basis = models.CharField(max_length=16, choices=Basis.choices, default=Basis.NOT_FUNDED)

    class Meta:
        ordering = ["plan", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "application"], name="plan_line_unique")
        ]
        indexes = [
            # The lines that fund something (hundreds of a plan's 10,000), which the ranking
            # page reads on every request (applications.ranking).
            models.Index(
                fields=["plan"],
                name="plan_line_funding",
                condition=~models.Q(positions_funded=0, federal_funded=0, basis="not_funded"),
            )
        ]

    def __str__(self) -> str:
        return f"#{self.rank} {self.application}: {self.positions_funded} funded"


class PlanAdjustment(models.Model):
    """A staff change to a draft plan's default result, always with a memo."""

    class Kind(models.TextChoices):
        EXCLUDE = "exclude", "Exclude the application"
        REDUCE = "reduce", "Reduce its positions"
        FUND_OUT_OF_ORDER = "fund_out_of_order", "Fund it out of rank order"

    plan = models.ForeignKey(FundingPlan, on_delete=models.CASCADE, related_name="adjustments")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    positions = models.PositiveSmallIntegerField(null=True, blank=True)
    memo = models.TextField(max_length=4000)
    made_at = models.DateTimeField(auto_now_add=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["plan", "made_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.application}"
