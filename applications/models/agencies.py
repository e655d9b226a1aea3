"""Agencies and the people in them. A join request is a pending membership; an active membership
is the one rule that grants access to an agency's records (`Membership.objects.active_for`)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinLengthValidator
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from simple_history.models import HistoricalRecords

from ..states import State
from ..validators import ORI_RE, validate_ori, validate_phone, validate_uei, validate_zip

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
        return self.filter(pk__in=Membership.objects.active_for(user).values("agency_id"))


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

    class Verification(models.TextChoices):
        PENDING = "pending_verification", "Pending verification"
        VERIFIED = "verified", "Verified"

    verification_status = models.CharField(
        "verification", max_length=24, choices=Verification.choices, default=Verification.PENDING
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    verification_note = models.TextField(
        "what was checked", blank=True, max_length=2000,
        help_text="e.g. ORI matches the FBI list; UEI active in SAM.gov; chief confirmed by phone.",
    )  # fmt: skip

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
        # The admin lists' state filter asks, state by state, whether any agency has rows.
        indexes = [models.Index(fields=["state"], name="agency_state")]
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

    @property
    def is_verified(self) -> bool:
        return self.verification_status == self.Verification.VERIFIED

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

    def active_for(self, user) -> MembershipQuerySet:
        """The access rule, written once: a user reaches an agency's records only through an
        active membership. Every scoped queryset and `membership_or_404` build on this."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.active().filter(user=user)

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
    representative_designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name="Authorized Representative designated by",
        help_text="Who made this person an Authorized Representative; themselves when they "
        "ticked the box while registering the agency.",
    )  # fmt: skip
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
    def is_self_designated_representative(self) -> bool:
        return (
            self.is_authorized_representative
            and self.representative_designated_by_id is not None
            and self.representative_designated_by_id == self.user_id
        )

    @property
    def role_labels(self) -> list[str]:
        labels = []
        if self.is_administrator:
            labels.append("Agency administrator")
        if self.is_authorized_representative:
            labels.append("Authorized Representative")
        return labels or ["Member"]


def active_membership(user, agency: Agency) -> Membership | None:
    """The user's active membership of this agency, if any (for permission helpers)."""
    # At most one row: ordered by pk, not by the model's ordering (a join to agencies and users).
    return Membership.objects.active_for(user).filter(agency_id=agency.pk).order_by("pk").first()


def membership_or_404(user, agency_id: object) -> Membership:
    """The signed-in user's active membership of the agency, or a 404: another agency's records
    look exactly like records that do not exist."""
    # ASCII digits only: "²".isdigit() is true but int("²") fails.
    text = str(agency_id)
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 2**63:
        raise Http404("No such agency")
    return get_object_or_404(
        Membership.objects.active_for(user).select_related("agency"), agency_id=int(text)
    )


def require_agency_role(
    user, agency: Agency, *, action: str, administrator: bool = False, representative: bool = False
) -> Membership:
    """The user's active membership of the agency when it holds one of the roles asked for
    (agency administrator, Authorized Representative). A member without the role is refused
    with a 403 that says why, before any form is read; anyone else gets a 404."""
    membership = active_membership(user, agency)
    if membership is None:
        raise Http404("No such agency")
    if (administrator and membership.is_administrator) or (
        representative and membership.is_authorized_representative
    ):
        return membership
    if administrator and representative:
        who = "an Authorized Representative or agency administrator"
    elif representative:
        who = "an Authorized Representative of the agency"
    else:
        who = "an agency administrator"
    reason = f"Only {who} can {action}."
    if representative and not administrator:
        reason += " Ask your agency administrator who holds that role."
    raise PermissionDenied(reason)
