from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinLengthValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .budget import Budget, compute_budget
from .states import State
from .validators import ORI_RE, validate_ori, validate_phone, validate_uei, validate_zip

MAX_POPULATION = 50_000_000
MAX_SWORN_FORCE = 100_000


class AgencyType(models.TextChoices):
    MUNICIPAL = "municipal", "Municipal police department"
    COUNTY_SHERIFF = "county_sheriff", "County sheriff's office"
    COUNTY_POLICE = "county_police", "County police department"
    STATE = "state", "State police or highway patrol"
    TRIBAL = "tribal", "Tribal law enforcement agency"
    COLLEGE = "college", "College or university police"
    SCHOOL_DISTRICT = "school_district", "School district police"
    OTHER = "other", "Other law enforcement agency"


class AgencyQuerySet(models.QuerySet["Agency"]):
    def for_user(self, user) -> AgencyQuerySet:
        """Agencies the user is an active member of: the only agencies they may see."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            memberships__user=user, memberships__status=Membership.Status.ACTIVE
        ).distinct()


class Agency(models.Model):
    """A law-enforcement agency that applies for CHP funding."""

    legal_name = models.CharField(
        "legal name",
        max_length=200,
        validators=[MinLengthValidator(3)],
        help_text="As registered in SAM.gov, for example “City of Springfield Police Department”.",
    )
    ori = models.CharField(
        "ORI",
        max_length=9,
        unique=True,
        validators=[validate_ori],
        help_text="Your FBI Originating Agency Identifier: 2 state letters and 5 digits "
        "(WA03103) or the 9-character form (VA0010000).",
        error_messages={
            "unique": "An agency with this ORI is already registered. Ask to join it instead."
        },
    )
    uei = models.CharField(
        "UEI",
        max_length=12,
        unique=True,
        validators=[validate_uei],
        help_text="Unique Entity ID from SAM.gov: 12 letters and digits.",
        error_messages={
            "unique": "An agency with this UEI is already registered. Ask to join it instead."
        },
    )
    state = models.CharField(max_length=2, choices=State.choices)
    agency_type = models.CharField("agency type", max_length=32, choices=AgencyType.choices)
    jurisdiction_population = models.PositiveIntegerField(
        "jurisdiction population",
        validators=[MaxValueValidator(MAX_POPULATION)],
        help_text="Residents of the area your agency serves (most recent Census estimate).",
    )
    sworn_force_actual = models.PositiveIntegerField(
        "sworn officers (actual)",
        validators=[MaxValueValidator(MAX_SWORN_FORCE)],
        help_text="Full-time sworn officers employed today.",
    )
    sworn_force_budgeted = models.PositiveIntegerField(
        "sworn officers (budgeted)",
        validators=[MaxValueValidator(MAX_SWORN_FORCE)],
        help_text="Full-time sworn positions in the current fiscal year budget.",
    )
    address_line1 = models.CharField("street address", max_length=200)
    address_line2 = models.CharField("street address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    zip_code = models.CharField("ZIP code", max_length=10, validators=[validate_zip])

    le_executive_name = models.CharField("name", max_length=150)
    le_executive_title = models.CharField(
        "title", max_length=150, help_text="For example Chief of Police or Sheriff."
    )
    le_executive_email = models.EmailField("email", max_length=254)
    le_executive_phone = models.CharField("phone", max_length=32, validators=[validate_phone])

    gov_executive_name = models.CharField("name", max_length=150)
    gov_executive_title = models.CharField(
        "title", max_length=150, help_text="For example Mayor, City Manager or County Executive."
    )
    gov_executive_email = models.EmailField("email", max_length=254)
    gov_executive_phone = models.CharField("phone", max_length=32, validators=[validate_phone])

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()
    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["legal_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ori__regex=r"^[A-Z]{2}([0-9]{5}|[0-9A-Z]{7})$"),
                name="agency_ori_format",
            ),
            models.CheckConstraint(
                condition=Q(uei__regex=r"^[A-Z0-9]{12}$"), name="agency_uei_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.ori})"

    def clean(self) -> None:
        super().clean()
        # Only a well-formed ORI is compared with the state; a malformed one has its own error.
        if ORI_RE.match(self.ori or "") and self.state and self.ori[:2] != self.state:
            raise ValidationError(
                {
                    "ori": f"This ORI starts with {self.ori[:2]}, but the agency's state is "
                    f"{self.state}. The first two letters of an ORI are the state's code."
                }
            )

    @property
    def address_lines(self) -> list[str]:
        lines = [
            self.address_line1,
            self.address_line2,
            f"{self.city}, {self.state} {self.zip_code}",
        ]
        return [line for line in lines if line]


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(status=Membership.Status.ACTIVE)

    def pending(self) -> MembershipQuerySet:
        return self.filter(status=Membership.Status.PENDING)


class Membership(models.Model):
    """A person's place in an agency. A join request is a pending membership."""

    class Status(models.TextChoices):
        PENDING = "pending", "Requested"
        ACTIVE = "active", "Active"
        DECLINED = "declined", "Declined"
        REMOVED = "removed", "Removed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    is_authorized_representative = models.BooleanField(
        "Authorized Representative",
        default=False,
        help_text="Legally able to certify applications and accept awards for the agency.",
    )
    is_administrator = models.BooleanField(
        "agency administrator",
        default=False,
        help_text="Approves requests to join and manages the agency's profile.",
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["agency__legal_name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency"], name="membership_user_agency_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.agency.legal_name}"

    @property
    def role_labels(self) -> list[str]:
        labels = []
        if self.is_administrator:
            labels.append("Agency administrator")
        if self.is_authorized_representative:
            labels.append("Authorized Representative")
        return labels or ["Member"]


# Solicitations ----------------------------------------------------------------------------------

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


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
        "total_funds",
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
        default=36, validators=[MinValueValidator(12), MaxValueValidator(60)]
    )
    project_period_months = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(12), MaxValueValidator(120)]
    )
    retention_months = models.PositiveSmallIntegerField(
        default=12, validators=[MaxValueValidator(60)]
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
        help_text="Agencies with this many sworn officers or fewer may always request one.",
    )  # fmt: skip
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
        return max(1, -(-self.funded_months // 12))


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


# Applications -----------------------------------------------------------------------------------


class MatchWaiver(models.TextChoices):
    NONE = "none", "No: we will provide the local match"
    PARTIAL = "partial", "Yes: a partial waiver"
    FULL = "full", "Yes: a full waiver"


class ApplicationQuerySet(models.QuerySet["Application"]):
    def for_user(self, user) -> ApplicationQuerySet:
        """Applications of agencies the user is an active member of."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            agency__memberships__user=user,
            agency__memberships__status=Membership.Status.ACTIVE,
        )

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
        WITHDRAWN = "withdrawn", "Withdrawn"

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
        "We assure that each funded SRO will spend at least 75% of their time in and around "
        "K-12 schools.",
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
        help_text="How you will analyse the problem, respond and assess the result.",
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
        indexes = [models.Index(fields=["solicitation", "status"])]
        permissions = [("return_application", "Can return a submitted application for corrections")]

    def __str__(self) -> str:
        label = self.tracking_number or f"draft #{self.pk}"
        return f"{self.agency.legal_name}: {self.solicitation.code} ({label})"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

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
    def federal_percent(self) -> Decimal:
        return self.solicitation.federal_percent_for(self.match_waiver)

    @property
    def budget(self) -> Budget:
        years = self.solicitation.funded_years
        return compute_budget(
            positions=self.total_positions,
            salaries=[getattr(self, f"salary_year_{i}") for i in range(1, 4)][:years],
            fringes=[getattr(self, f"fringe_year_{i}") for i in range(1, 4)][:years],
            federal_percent=self.federal_percent,
            per_officer_cap=self.solicitation.per_officer_cap,
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
