"""Awards made from an approved funding plan, their conditions, their letters (one row per letter
version, rendered by a Celery worker) and the Authorized Representatives' acceptance signatures."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from copsgrants import storage as copsgrants_storage

from .agencies import Agency
from .applications import Application
from .scoring import FundingPlan
from .solicitations import Solicitation

MONEY = {"max_digits": 14, "decimal_places": 2}


def private_storage():
    """Private files (settings.STORAGES["private"]): no public URL; downloads are views. A lazy
    proxy, so the FileFields follow the STORAGES setting (copsgrants/storage.py)."""
    return copsgrants_storage.private_storage


class AwardNumberSequence(models.Model):
    """The last award sequence number used in a fiscal year; locked (SELECT FOR UPDATE) while a
    batch of awards takes its numbers, so two batches never share one."""

    fiscal_year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"FY{self.fiscal_year}: {self.last}"


class Award(models.Model):
    """A grant made to an agency: amounts copied from the approved plan, so a later change to
    the application's budget never changes the award."""

    class Status(models.TextChoices):
        PENDING_LETTER = "pending_letter", "Letter being prepared"
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="award")
    solicitation = models.ForeignKey(Solicitation, on_delete=models.PROTECT, related_name="awards")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="awards")
    plan = models.ForeignKey(FundingPlan, on_delete=models.PROTECT, related_name="awards")
    number = models.CharField("award number", max_length=32, unique=True)
    fiscal_year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING_LETTER)

    federal_amount = models.DecimalField(**MONEY)
    local_match = models.DecimalField(**MONEY)
    positions_new_hire = models.PositiveSmallIntegerField(default=0)
    positions_rehire_laid_off = models.PositiveSmallIntegerField(default=0)
    positions_rehire_scheduled = models.PositiveSmallIntegerField(default=0)
    is_sro = models.BooleanField("SRO award", default=False)
    project_title = models.CharField(max_length=300)
    project_start = models.DateField()
    project_end = models.DateField()
    budget_start = models.DateField()
    budget_end = models.DateField()
    # Set when the first letter is issued: letter date + the acceptance window (settings).
    acceptance_deadline = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    decline_reason = models.TextField(blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-fiscal_year", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "sequence"], name="award_sequence_unique_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.agency.legal_name}"

    @property
    def positions(self) -> int:
        return (
            self.positions_new_hire
            + self.positions_rehire_laid_off
            + self.positions_rehire_scheduled
        )


class AwardCondition(models.Model):
    """A condition the award carries (the SRO MOU withholding condition, retention, ...)."""

    class Code(models.TextChoices):
        SRO_MOU = "sro_mou", "SRO memorandum of understanding"
        RETENTION = "retention", "Retention of the funded positions"
        SUPPLANTING = "supplanting", "Nonsupplanting"
        REPORTING = "reporting", "Progress and financial reporting"

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="conditions")
    code = models.CharField(max_length=24, choices=Code.choices)
    text = models.TextField(max_length=4000)
    # Withholding conditions stop obligation and drawdowns until cleared.
    withholds_funds = models.BooleanField(default=False)
    due_date = models.DateField(null=True, blank=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    history = HistoricalRecords()

    class Meta:
        ordering = ["award", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["award", "code"], name="award_condition_unique")
        ]

    def __str__(self) -> str:
        return self.get_code_display()


class AwardLetter(models.Model):
    """One version of an award's letter. The row is written with the award (or with a re-issue)
    in the same transaction; a worker renders it (at least once, idempotently)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="letters")
    version = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(
        "why this version", max_length=500, blank=True, help_text="Empty for the first letter."
    )
    letter_date = models.DateField(null=True, blank=True)
    # Server-chosen name in private storage; never a public URL.
    file = models.FileField(storage=private_storage, upload_to="letters/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    verification_code = models.CharField(max_length=32, blank=True, db_index=True)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True, max_length=4000)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["award", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "version"], name="award_letter_version_unique"
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | ~Q(sha256=""), name="award_letter_ready_has_hash"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award.number} letter v{self.version} ({self.get_status_display().lower()})"


class AwardSignature(models.Model):
    """An Authorized Representative's e-signature accepting the award (two different people)."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="signatures")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    typed_name = models.CharField(max_length=150)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["award", "signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["award", "user"], name="award_signature_one_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.typed_name} signed {self.award.number}"
