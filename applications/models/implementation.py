"""Carrying out an accepted award: the officers hired under it and the drawdowns (reimbursement
requests) against its federal amount. Both are refused while the award is withheld
(applications/services/implementation.py asks the one question, `withholding(award)`)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .awards import MONEY, Award


class HiringCategory(models.TextChoices):
    """The three CHP hiring categories (DOMAIN.md), matching the award's position counts."""

    NEW_HIRE = "new_hire", "New hire"
    REHIRE_LAID_OFF = "rehire_laid_off", "Rehire (laid off)"
    REHIRE_SCHEDULED = "rehire_scheduled", "Rehire (scheduled layoff)"


# Award field holding the number of positions funded in each category.
POSITIONS_FIELD = {
    HiringCategory.NEW_HIRE: "positions_new_hire",
    HiringCategory.REHIRE_LAID_OFF: "positions_rehire_laid_off",
    HiringCategory.REHIRE_SCHEDULED: "positions_rehire_scheduled",
}


class OfficerHire(models.Model):
    """An officer the agency reports as hired (or rehired) into a position the award funds."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="hires")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    badge_number = models.CharField("badge or ID number", max_length=32, blank=True)
    email = models.EmailField("work email", max_length=254, blank=True)
    hire_date = models.DateField()
    hiring_category = models.CharField(max_length=24, choices=HiringCategory.choices)
    # SRO awards: the school partner district and the school the officer is assigned to.
    school_district = models.CharField(max_length=200, blank=True)
    school = models.CharField("school assigned", max_length=200, blank=True)
    reported_at = models.DateTimeField(auto_now_add=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["award", "hire_date", "pk"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Drawdown(models.Model):
    """A request to be reimbursed the actual allowable costs of a period of the award."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="drawdowns")
    number = models.PositiveSmallIntegerField(help_text="1 for the award's first request, ...")
    period_start = models.DateField()
    period_end = models.DateField()
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(0)])
    description = models.TextField("actual costs", max_length=4000)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField(auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    decision_note = models.TextField(blank=True, max_length=4000)

    history = HistoricalRecords()

    class Meta:
        ordering = ["award", "-number"]
        permissions = [("decide_drawdown", "Can approve or reject drawdowns")]
        constraints = [
            models.UniqueConstraint(fields=["award", "number"], name="drawdown_number_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="drawdown_amount_positive"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="drawdown_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award.number} drawdown {self.number}"
