"""Applications and the school partners named in their SRO commitment."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ..budget import Budget, compute_budget
from ..validators import validate_phone
from .agencies import Agency, Membership
from .solicitations import PERCENT, MatchWaiver, Solicitation

# How long staff may give an agency to correct a returned application, in days.
CORRECTION_DAYS = 14
MIN_CORRECTION_DAYS = 1
MAX_CORRECTION_DAYS = 90


class ApplicationQuerySet(models.QuerySet["Application"]):
    def for_user(self, user) -> ApplicationQuerySet:
        """Applications of agencies the user is an active member of."""
        return self.filter(agency_id__in=Membership.objects.active_for(user).values("agency_id"))

    def live(self) -> ApplicationQuerySet:
        return self.exclude(status=Application.Status.WITHDRAWN)


class Application(models.Model):
    """An agency's CHP application to one solicitation. Each section's answers are columns here;
    `section_versions` counts saves per section so a stale form cannot overwrite newer answers."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned for corrections"
        UNDER_REVIEW = "under_review", "Under review"
        SCORED = "scored", "Scored"
        RECOMMENDED = "recommended", "Recommended for funding"
        NOT_SELECTED = "not_selected", "Not selected"
        INELIGIBLE = "ineligible", "Ineligible"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class IneligibilityReason(models.TextChoices):
        NO_AUTHORITY = "no_authority", "No primary law enforcement authority"
        STARTUP_OR_CONSORTIUM = "startup_or_consortium", "Start-up agency or consortium"
        NO_SAM = "no_sam", "No active SAM.gov registration"
        NO_SWORN_FORCE = "no_sworn_force", "No sworn officers"
        SUPPLANTING = "supplanting", "Funds would supplant local funds"
        LATE = "late", "Received after the deadline"
        OTHER = "other", "Other (see the note)"

    class WaiverDecision(models.TextChoices):
        UNDECIDED = "", "Not decided"
        APPROVED_PARTIAL = "approved_partial", "Approved: partial waiver"
        APPROVED_FULL = "approved_full", "Approved: full waiver"
        DENIED = "denied", "Denied"

    EDITABLE = (Status.DRAFT, Status.RETURNED)
    WITHDRAWABLE = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)

    solicitation = models.ForeignKey(
        Solicitation, on_delete=models.PROTECT, related_name="applications"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    tracking_number = models.CharField(max_length=24, unique=True, null=True, blank=True)
    section_versions = models.JSONField(default=dict, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    certified_name = models.CharField(max_length=150, blank=True)
    returned_reason = models.TextField(blank=True, max_length=4000)
    corrections_due_at = models.DateTimeField(
        "corrections due", null=True, blank=True,
        help_text="When returned for corrections: the resubmission deadline COPS set.",
    )  # fmt: skip
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    # Screening (program specialist) and decisions (grants manager).
    screened_at = models.DateTimeField(null=True, blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    ineligibility_reason = models.CharField(
        max_length=32, choices=IneligibilityReason.choices, blank=True
    )
    ineligibility_note = models.TextField(blank=True, max_length=4000)
    waiver_decision = models.CharField(
        "match-waiver decision", max_length=24, choices=WaiverDecision.choices, blank=True
    )
    waiver_decision_reason = models.TextField(blank=True, max_length=4000)
    waiver_decided_at = models.DateTimeField(null=True, blank=True)
    waiver_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    decision_released_at = models.DateTimeField(
        null=True, blank=True, help_text="When the agency was told the outcome."
    )

    # 1. Eligibility
    has_law_enforcement_authority = models.BooleanField(
        "Does your agency have primary law enforcement authority?", null=True, blank=True
    )
    is_startup_or_consortium = models.BooleanField(
        "Is your agency a start-up agency or a consortium?", null=True, blank=True
    )
    has_active_sam_registration = models.BooleanField(
        "Does your agency have an active SAM.gov registration and a UEI?", null=True, blank=True
    )

    # 2. Agency and executives: a snapshot of the agency profile, editable for this application.
    agency_profile = models.JSONField(default=dict, blank=True)

    # 3. Officer request
    positions_new_hire = models.PositiveSmallIntegerField(
        "new hire positions", null=True, blank=True, validators=[MaxValueValidator(500)],
        help_text="New officers, including filling a vacancy that is no longer funded.",
    )  # fmt: skip
    positions_rehire_laid_off = models.PositiveSmallIntegerField(
        "rehire positions (already laid off)", null=True, blank=True,
        validators=[MaxValueValidator(500)],
        help_text="Officers laid off for budget reasons before this application.",
    )  # fmt: skip
    positions_rehire_scheduled = models.PositiveSmallIntegerField(
        "rehire positions (scheduled for layoff)", null=True, blank=True,
        validators=[MaxValueValidator(500)],
        help_text="Officers your agency will lay off on a specific future date.",
    )  # fmt: skip
    layoff_date = models.DateField(
        "scheduled layoff date", null=True, blank=True,
        help_text="Required for positions scheduled for layoff. For example 2027-06-30.",
    )  # fmt: skip
    layoff_explanation = models.TextField(
        "why the layoffs are scheduled", blank=True, max_length=2000,
        help_text="Name the budget action (council vote, budget ordinance) that schedules them.",
    )  # fmt: skip
    salary_year_1 = models.DecimalField(
        "year 1 salary", max_digits=10, decimal_places=2, null=True, blank=True
    )
    salary_year_2 = models.DecimalField(
        "year 2 salary", max_digits=10, decimal_places=2, null=True, blank=True
    )
    salary_year_3 = models.DecimalField(
        "year 3 salary", max_digits=10, decimal_places=2, null=True, blank=True
    )
    fringe_year_1 = models.DecimalField(
        "year 1 fringe benefits", max_digits=10, decimal_places=2, null=True, blank=True
    )
    fringe_year_2 = models.DecimalField(
        "year 2 fringe benefits", max_digits=10, decimal_places=2, null=True, blank=True
    )
    fringe_year_3 = models.DecimalField(
        "year 3 fringe benefits", max_digits=10, decimal_places=2, null=True, blank=True
    )
    salary_year_4 = models.DecimalField(
        "year 4 salary", max_digits=10, decimal_places=2, null=True, blank=True
    )
    fringe_year_4 = models.DecimalField(
        "year 4 fringe benefits", max_digits=10, decimal_places=2, null=True, blank=True
    )
    salary_year_5 = models.DecimalField(
        "year 5 salary", max_digits=10, decimal_places=2, null=True, blank=True
    )
    fringe_year_5 = models.DecimalField(
        "year 5 fringe benefits", max_digits=10, decimal_places=2, null=True, blank=True
    )

    # 4. SRO commitment
    sro_commitment = models.BooleanField(
        "Will your agency deploy the funded officers as School Resource Officers?",
        null=True, blank=True,
    )  # fmt: skip
    sro_positions = models.PositiveSmallIntegerField(
        "SRO positions", null=True, blank=True, validators=[MaxValueValidator(500)],
        help_text="How many of the requested positions will be deployed as SROs.",
    )  # fmt: skip
    sro_time_assurance = models.BooleanField(
        "We assure that each funded SRO will spend at least 75% of their time on youth-related "
        "activities in and around K-12 schools, in addition to the time our agency already gives "
        "to schools.",
        default=False,
    )

    # 5. Other commitments
    veteran_commitment = models.BooleanField(
        "Will your agency hire at least one military veteran with the funded positions?",
        null=True, blank=True,
    )  # fmt: skip

    # 6. Community policing strategy
    cp_problem = models.TextField(
        "the crime and disorder problem", blank=True, max_length=4000,
        help_text="Name the specific problem the officers will address and the data showing it.",
    )  # fmt: skip
    cp_partners = models.TextField(
        "community partners", blank=True, max_length=4000,
        help_text="Who will work with you on it, and what each partner will do.",
    )  # fmt: skip
    cp_problem_solving = models.TextField(
        "problem-solving approach", blank=True, max_length=4000,
        help_text="How you will analyze the problem, respond and assess the result.",
    )  # fmt: skip
    cp_organizational_changes = models.TextField(
        "organizational changes", blank=True, max_length=4000,
        help_text="Changes in management, structure, personnel or technology that support it.",
    )  # fmt: skip

    # 7. Fiscal need and crime data
    budget_change_percent = models.DecimalField(
        "change in the agency's operating budget (%)", max_digits=6, decimal_places=2,
        null=True, blank=True,
        validators=[MinValueValidator(Decimal("-100")), MaxValueValidator(Decimal("1000"))],
        help_text="From the previous fiscal year to this one; a cut is negative, e.g. -4.5.",
    )  # fmt: skip
    unemployment_rate = models.DecimalField(
        "unemployment rate (%)", max_digits=5, decimal_places=2, null=True, blank=True,
        validators=PERCENT, help_text="Jurisdiction's most recent annual rate, e.g. 5.2.",
    )  # fmt: skip
    poverty_rate = models.DecimalField(
        "poverty rate (%)", max_digits=5, decimal_places=2, null=True, blank=True,
        validators=PERCENT, help_text="Share of residents below the poverty line, e.g. 14.8.",
    )  # fmt: skip
    violent_crimes = models.PositiveIntegerField(
        "reported violent crimes per year", null=True, blank=True,
        validators=[MaxValueValidator(5_000_000)],
        help_text="Part I violent crimes reported to the FBI for the most recent full year.",
    )  # fmt: skip
    property_crimes = models.PositiveIntegerField(
        "reported property crimes per year", null=True, blank=True,
        validators=[MaxValueValidator(20_000_000)],
        help_text="Part I property crimes reported to the FBI for the most recent full year.",
    )  # fmt: skip

    # 8. Retention
    retention_plan = models.TextField(
        "retention plan", blank=True, max_length=4000,
        help_text="How you will pay for every funded position with local money for at least the "
        "retention period after federal funding ends.",
    )  # fmt: skip
    retention_assurance = models.BooleanField(
        "We will retain every funded position with local funds for the full retention period, "
        "in addition to the positions we would have had without this award.",
        default=False,
    )

    # 9. Match
    match_waiver = models.CharField(
        "Are you requesting a waiver of the local match?", max_length=8,
        choices=MatchWaiver.choices, blank=True,
    )  # fmt: skip
    match_source = models.TextField(
        "source of the local match", blank=True, max_length=2000,
        help_text="e.g. General fund appropriation approved by the city council.",
    )  # fmt: skip
    waiver_justification = models.TextField(
        "waiver justification", blank=True, max_length=4000,
        help_text="Document the severe fiscal distress: budget cuts, layoffs, credit downgrades.",
    )  # fmt: skip
    match_not_budgeted = models.BooleanField(
        "We assure that the local match is not money already budgeted for law enforcement.",
        default=False,
    )
    match_not_federal = models.BooleanField(
        "We assure that the local match does not come from federal funds.", default=False
    )

    history = HistoricalRecords(excluded_fields=["section_versions", "updated_at"])
    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "solicitation"],
                condition=~Q(status="withdrawn"),
                name="application_one_live_per_agency_and_solicitation",
            ),
        ]
        indexes = [
            models.Index(fields=["solicitation", "status"]),
            # The admin list of one solicitation's applications, newest first (the ordering
            # above, then -id): 100 rows read from the index, not a sort of 10,000 wide rows.
            models.Index(
                fields=["solicitation", "created_at", "id"], name="application_sol_created"
            ),
            # The same list's date hierarchy: MIN/MAX and the years of submitted_at.
            models.Index(fields=["solicitation", "submitted_at"], name="application_sol_submitted"),
        ]
        permissions = [
            ("return_application", "Can return a submitted application for corrections"),
            ("screen_application", "Can screen applications and decide match waivers"),
            ("assign_reviewers", "Can assign reviewers and reopen reviews"),
            ("review_application", "Can review assigned applications"),
            ("compute_scores", "Can compute scores and rankings"),
            ("draft_funding_plan", "Can draft and adjust funding plans"),
            ("approve_funding_plan", "Can approve funding plans and release decisions"),
            ("make_awards", "Can make awards and issue award letters"),
        ]

    def __str__(self) -> str:
        label = self.tracking_number or f"draft #{self.pk}"
        return f"{self.agency.legal_name}: {self.solicitation.code} ({label})"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def can_be_withdrawn(self) -> bool:
        """Before a decision, an agency may take its application back."""
        return self.status in self.WITHDRAWABLE

    @staticmethod
    def format_tracking_number(*, fiscal_year: int, pk: int) -> str:
        """The number on the receipt, e.g. CHP26-000042: the fiscal year and the record's id."""
        return f"CHP{fiscal_year % 100:02d}-{pk:06d}"

    @property
    def deadline(self) -> datetime:
        """When this application must be (re)submitted by: the solicitation's deadline, or the
        corrections deadline COPS set when it returned the application."""
        if self.status == self.Status.RETURNED and self.corrections_due_at:
            return self.corrections_due_at
        return self.solicitation.closes_at

    def is_before_deadline(self, at: datetime | None = None) -> bool:
        at = at or timezone.now()
        if self.status == self.Status.RETURNED and self.corrections_due_at:
            return at < self.corrections_due_at
        return self.solicitation.is_open(at)

    @property
    def total_positions(self) -> int:
        return sum(
            n or 0
            for n in (
                self.positions_new_hire,
                self.positions_rehire_laid_off,
                self.positions_rehire_scheduled,
            )
        )

    @property
    def waiver_requested(self) -> bool:
        return self.match_waiver in (MatchWaiver.PARTIAL, MatchWaiver.FULL)

    @property
    def waiver_pending(self) -> bool:
        """A waiver was asked for and COPS has not decided it: the money is costed as asked."""
        return self.waiver_requested and not self.waiver_decision

    @property
    def decided_waiver(self) -> str:
        """The match waiver the money is computed with (a MatchWaiver value): COPS's decision
        once made, until then the agency's request. A decision only ever answers a request, so
        an application that no longer asks for a waiver has none."""
        if not self.waiver_requested:
            return self.match_waiver
        return {
            self.WaiverDecision.APPROVED_PARTIAL: MatchWaiver.PARTIAL,
            self.WaiverDecision.APPROVED_FULL: MatchWaiver.FULL,
            self.WaiverDecision.DENIED: MatchWaiver.NONE,
        }.get(self.waiver_decision, self.match_waiver)

    @property
    def federal_percent(self) -> Decimal:
        return self.solicitation.federal_percent_for(self.decided_waiver)

    @property
    def budget(self) -> Budget:
        years = self.solicitation.funded_years
        return compute_budget(
            positions=self.total_positions,
            salaries=[getattr(self, f"salary_year_{i}") for i in range(1, years + 1)],
            fringes=[getattr(self, f"fringe_year_{i}") for i in range(1, years + 1)],
            federal_percent=self.federal_percent,
            per_officer_cap=self.solicitation.per_officer_cap_for(self.decided_waiver),
        )

    def section_version(self, slug: str) -> int:
        return int(self.section_versions.get(slug, 0))


class SchoolPartner(models.Model):
    """A school district the SROs will serve, named in the SRO commitment."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="school_partners"
    )
    district_name = models.CharField("school district", max_length=200)
    schools = models.TextField("schools served", max_length=2000, help_text="One school per line.")
    contact_name = models.CharField("contact name", max_length=150)
    contact_title = models.CharField("contact title", max_length=150, blank=True)
    contact_email = models.EmailField("contact email", max_length=254)
    contact_phone = models.CharField("contact phone", max_length=32, validators=[validate_phone])

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.district_name
