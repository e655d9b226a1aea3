"""An SRO award's memorandum of understanding with its school partner(s): each upload is a new
version, reviewed by a program specialist against the five required elements (DOMAIN.md).
Approving a version clears the award's withholding condition through an applications service."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from applications.models import Award
from applications.models.awards import private_storage


class Element(models.TextChoices):
    """The five elements every MOU must contain (DOMAIN.md, "The SRO MOU condition")."""

    PURPOSE = "purpose", "Purpose of the MOU"
    ROLES = (
        "roles",
        ("Roles and responsibilities focused on safety (SROs do not administer discipline)"),
    )
    INFORMATION_SHARING = "information_sharing", "Information sharing"
    SUPERVISION = "supervision", "SRO supervision and chain of command"
    SIGNATURES = "signatures", "Signatures of the agency and the school partner(s)"


class MouVersion(models.Model):
    """One uploaded MOU file for an award, with what the agency said it contains and the
    review outcome. Versions are never edited by the agency once uploaded."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Awaiting review"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        # A newer upload replaced this one before it was reviewed.
        REPLACED = "replaced", "Replaced before review"

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="mou_versions")
    version = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)

    # The school partner(s) and signatories the agency names.
    school_district = models.CharField(max_length=200)
    schools = models.TextField("schools covered", max_length=2000, help_text="One per line.")
    agency_signatory = models.CharField("agency executive who signed", max_length=150)
    agency_signed_on = models.DateField("date the agency signed")
    school_signatory = models.CharField("school official who signed", max_length=150)
    school_signed_on = models.DateField("date the school official signed")
    note = models.TextField("note to COPS", blank=True, max_length=4000)

    # The file: server-chosen name in private storage; the user's name is display text only.
    file = models.FileField(storage=private_storage, upload_to="mou/")
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField(help_text="Bytes.")
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveSmallIntegerField()

    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    decision_note = models.TextField("message to the agency", blank=True, max_length=4000)

    history = HistoricalRecords()

    class Meta:
        ordering = ["award", "-version"]
        verbose_name = "MOU version"
        permissions = [("review_mouversion", "Can approve MOUs or request changes")]
        constraints = [
            models.UniqueConstraint(fields=["award", "version"], name="mou_version_unique"),
            # At most one version of an award waits for review at a time.
            models.UniqueConstraint(
                fields=["award"],
                condition=Q(status="submitted"),
                name="mou_one_awaiting_review",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award.number} MOU v{self.version}"


class MouElementCheck(models.Model):
    """The reviewer's finding on one required element of one version."""

    mou = models.ForeignKey(MouVersion, on_delete=models.CASCADE, related_name="checks")
    element = models.CharField(max_length=24, choices=Element.choices)
    present = models.BooleanField()
    comment = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["mou", "pk"]
        verbose_name = "MOU element check"
        constraints = [
            models.UniqueConstraint(fields=["mou", "element"], name="mou_element_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_element_display()}: {'present' if self.present else 'missing'}"


class MouReminder(models.Model):
    """A reminder email owed or sent for an award's MOU due date; the unique constraint makes
    each kind go out at most once per award, however often the beat task runs."""

    class Kind(models.TextChoices):
        DAYS_30 = "days_30", "30 days before the due date"
        DAYS_7 = "days_7", "7 days before the due date"
        OVERDUE = "overdue", "The day after the due date"

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="mou_reminders")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    due_date = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["award", "sent_at"]
        verbose_name = "MOU reminder"
        constraints = [
            models.UniqueConstraint(fields=["award", "kind"], name="mou_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.award.number}: {self.get_kind_display()}"
