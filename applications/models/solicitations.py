"""Solicitations (one fiscal year's funding opportunity and its rules) and their versioned
scoring rules."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

FUNDED_MONTHS = (12, 24, 36, 48, 60)

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class MatchWaiver(models.TextChoices):
    NONE = "none", "No: we will provide the local match"
    PARTIAL = "partial", "Yes: a partial waiver"
    FULL = "full", "Yes: a full waiver"


class SolicitationQuerySet(models.QuerySet["Solicitation"]):
    def published(self) -> SolicitationQuerySet:
        return self.filter(is_published=True)

    def open(self, at: datetime | None = None) -> SolicitationQuerySet:
        at = at or timezone.now()
        return self.published().filter(opens_at__lte=at, closes_at__gt=at)


class Solicitation(models.Model):
    """One fiscal year's CHP funding opportunity and the rules that year applies."""

    # Rules that may not change once a published solicitation has opened.
    RULE_FIELDS = (
        "federal_share_percent", "per_officer_cap", "funded_months", "project_period_months",
        "retention_months", "officer_cap_percent", "officer_cap_max", "officer_cap_max_large",
        "large_population_threshold", "small_force_threshold", "award_ceiling",
        "partial_waiver_federal_percent", "full_waiver_federal_percent", "opens_at", "closes_at",
        "total_funds", "all_positions_sro", "waiver_lifts_officer_cap",
    )  # fmt: skip

    code = models.CharField(
        max_length=40, unique=True, help_text="Funding opportunity number, e.g. O-COPS-2026-CHP."
    )
    title = models.CharField(max_length=200, help_text="e.g. FY26 COPS Hiring Program (CHP)")
    fiscal_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    summary = models.TextField(blank=True, max_length=4000)
    is_published = models.BooleanField(
        "published", default=False, help_text="Shown to applicants; its rules freeze once it opens."
    )
    opens_at = models.DateTimeField("opens", help_text="U.S. Eastern time.")
    closes_at = models.DateTimeField("deadline", help_text="U.S. Eastern time.")
    total_funds = models.DecimalField(
        "total funds available", max_digits=14, decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    federal_share_percent = models.DecimalField(
        "federal share (%)", max_digits=5, decimal_places=2, default=Decimal("75"),
        validators=PERCENT,
    )  # fmt: skip
    per_officer_cap = models.DecimalField(
        "federal cap per officer", max_digits=12, decimal_places=2, default=Decimal("125000"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Over the whole funded period, not per year.",
    )  # fmt: skip
    funded_months = models.PositiveSmallIntegerField(
        default=36,
        choices=[(months, f"{months} months ({months // 12} years)") for months in FUNDED_MONTHS],
        help_text="Salary and fringe are asked for one year per 12 funded months.",
    )
    project_period_months = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(12), MaxValueValidator(120)]
    )
    retention_months = models.PositiveSmallIntegerField(
        default=12,
        validators=[MinValueValidator(12), MaxValueValidator(60)],
        help_text="At least 12: each position is kept with local money after federal funding.",
    )
    officer_cap_percent = models.DecimalField(
        "officer cap (% of actual sworn force)", max_digits=5, decimal_places=2, null=True,
        blank=True, validators=PERCENT, help_text="Leave empty for no percentage cap.",
    )  # fmt: skip
    officer_cap_max = models.PositiveSmallIntegerField(
        "officer cap (max positions)", null=True, blank=True
    )
    officer_cap_max_large = models.PositiveSmallIntegerField(
        "officer cap for large jurisdictions", null=True, blank=True
    )
    large_population_threshold = models.PositiveIntegerField(
        "large jurisdiction population", null=True, blank=True, default=1_000_000
    )
    small_force_threshold = models.PositiveSmallIntegerField(
        "small agency sworn force",
        null=True, blank=True, default=20,
        help_text="Agencies with this many sworn officers or fewer may request at most one "
        "position. Empty for no such limit.",
    )  # fmt: skip
    all_positions_sro = models.BooleanField(
        "every position is an SRO when the SRO commitment is made",
        default=False,
        help_text="As in FY2014: an agency that commits to SROs deploys every requested position "
        "as an SRO.",
    )
    waiver_lifts_officer_cap = models.BooleanField(
        "an approved match waiver lifts the per-officer cap",
        default=True,
        help_text="FY2022 guidance: with a waiver, the federal share may exceed the per-officer "
        "cap. Untick for the older rule.",
    )
    award_ceiling = models.DecimalField(
        "award ceiling", max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Most federal funding one agency may request; empty for none.",
    )  # fmt: skip
    partial_waiver_federal_percent = models.DecimalField(
        "federal share with a partial match waiver (%)", max_digits=5, decimal_places=2,
        default=Decimal("90"), validators=PERCENT,
    )  # fmt: skip
    full_waiver_federal_percent = models.DecimalField(
        "federal share with a full match waiver (%)", max_digits=5, decimal_places=2,
        default=Decimal("100"), validators=PERCENT,
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = SolicitationQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year", "-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="solicitation_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(funded_months__in=FUNDED_MONTHS), name="solicitation_funded_whole_years"
            ),
            models.CheckConstraint(
                condition=Q(retention_months__gte=12), name="solicitation_retention_at_least_12"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": "The deadline must be after the opening date."})
        if self.pk is None:
            return
        stored = Solicitation.objects.filter(pk=self.pk).first()
        if stored is None or not stored.rules_frozen:
            return
        changed = [f for f in self.RULE_FIELDS if getattr(stored, f) != getattr(self, f)]
        if changed:
            labels = ", ".join(str(self._meta.get_field(f).verbose_name) for f in changed)
            raise ValidationError(
                f"This solicitation is published and has opened, so its rules cannot change "
                f"(attempted: {labels}). Publish a new solicitation instead."
            )
        if stored.is_published and not self.is_published:
            raise ValidationError("An opened solicitation cannot be unpublished.")

    @property
    def rules_frozen(self) -> bool:
        return self.is_published and self.opens_at <= timezone.now()

    def is_open(self, at: datetime | None = None) -> bool:
        at = at or timezone.now()
        return self.is_published and self.opens_at <= at < self.closes_at

    def federal_percent_for(self, waiver: str) -> Decimal:
        return {
            MatchWaiver.PARTIAL: self.partial_waiver_federal_percent,
            MatchWaiver.FULL: self.full_waiver_federal_percent,
        }.get(waiver, self.federal_share_percent)

    @property
    def funded_years(self) -> int:
        """One year of salary and fringe per 12 funded months (funded months are whole years)."""
        return self.funded_months // 12

    def per_officer_cap_for(self, waiver: str) -> Decimal | None:
        """The per-officer cap that applies with this match-waiver answer (None: no cap)."""
        if waiver in (MatchWaiver.PARTIAL, MatchWaiver.FULL) and self.waiver_lifts_officer_cap:
            return None
        return self.per_officer_cap


def default_rubric() -> list[dict]:
    """The community policing rubric reviewers score (CHP's four elements, 0-5 each)."""
    return [
        {"key": "problem_identification", "label": "Problem identification", "min": 0, "max": 5,
         "guidance": "Is a specific crime or disorder problem named and supported by data?"},
        {"key": "community_partnerships", "label": "Community partnerships", "min": 0, "max": 5,
         "guidance": "Are named partners given real roles in addressing the problem?"},
        {"key": "problem_solving", "label": "Problem solving", "min": 0, "max": 5,
         "guidance": "Is there a credible plan to analyze, respond to and assess the problem?"},
        {"key": "organizational_transformation", "label": "Organizational transformation",
         "min": 0, "max": 5,
         "guidance": "Do management, structure, personnel or technology change to support it?"},
    ]  # fmt: skip


class ScoringRulesQuerySet(models.QuerySet["ScoringRules"]):
    def in_force(self) -> ScoringRulesQuerySet:
        return self.filter(in_force=True)


class ScoringRules(models.Model):
    """A version of a solicitation's scoring settings. Versions are never edited: a change is a
    new version, so a published ranking can be reproduced from the version that produced it."""

    solicitation = models.ForeignKey(
        Solicitation, on_delete=models.PROTECT, related_name="scoring_rules"
    )
    version = models.PositiveSmallIntegerField(editable=False)
    # Whole percentage points: exact on every database, and how weights are published.
    fiscal_need_weight = models.PositiveSmallIntegerField(
        default=50, validators=[MaxValueValidator(100)]
    )
    crime_weight = models.PositiveSmallIntegerField(default=25, validators=[MaxValueValidator(100)])
    community_policing_weight = models.PositiveSmallIntegerField(
        default=25, validators=[MaxValueValidator(100)]
    )
    sro_bonus_points = models.DecimalField(
        "SRO deployment bonus", max_digits=5, decimal_places=2, default=Decimal("5"),
        validators=PERCENT,
    )  # fmt: skip
    veteran_bonus_points = models.DecimalField(
        "veteran hiring bonus", max_digits=5, decimal_places=2, default=Decimal("2"),
        validators=PERCENT,
    )  # fmt: skip
    rubric = models.JSONField(
        default=default_rubric,
        help_text="The reviewers' criteria: a list of {key, label, min, max, guidance}.",
    )
    reviews_required = models.PositiveSmallIntegerField(
        "submitted reviews needed to score", default=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )  # fmt: skip
    in_force = models.BooleanField(default=False, editable=False)
    notes = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScoringRulesQuerySet.as_manager()

    class Meta:
        verbose_name = "scoring rules"
        verbose_name_plural = "scoring rules"
        ordering = ["solicitation", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["solicitation", "version"], name="scoring_rules_version_unique"
            ),
            models.UniqueConstraint(
                fields=["solicitation"],
                condition=Q(in_force=True),
                name="scoring_rules_one_in_force",
            ),
            models.CheckConstraint(
                condition=Q(
                    fiscal_need_weight=100 - F("crime_weight") - F("community_policing_weight")
                ),
                name="scoring_weights_sum_to_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.solicitation.code} scoring v{self.version}"

    def clean(self) -> None:
        super().clean()
        weights = [self.fiscal_need_weight, self.crime_weight, self.community_policing_weight]
        if all(w is not None for w in weights) and sum(weights) != 100:
            raise ValidationError(
                f"The three weights must add up to 100 (they add up to {sum(weights)})."
            )
