"""NASRO training for CHP SRO grantees (DOMAIN.md): the course catalogue, scheduled sessions,
each agency's officer roster, enrollments with a waitlist, and completion certificates rendered
by a Celery worker (one row per certificate, like award letters)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from applications.models import Agency, OfficerHire
from applications.models.awards import private_storage


class Course(models.Model):
    """A NASRO course; seeded by a data migration, editable by the training coordinator."""

    code = models.SlugField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    hours = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    description = models.TextField(max_length=4000)
    prerequisites = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="required_for",
        help_text="Courses an officer must have completed before enrolling.",
    )  # fmt: skip
    is_active = models.BooleanField("offered", default=True)

    history = HistoricalRecords(m2m_fields=[prerequisites])

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class CourseSession(models.Model):
    """One delivery of a course: dates, place (or virtual), seats and the registration window."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"
        COMPLETED = "completed", "Completed"

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    starts_on = models.DateField()
    ends_on = models.DateField()
    is_virtual = models.BooleanField("virtual", default=False)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True, help_text="Two-letter postal code.")
    capacity = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    registration_opens_at = models.DateTimeField()
    registration_closes_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_on", "course__title", "pk"]
        verbose_name = "course session"
        permissions = [
            ("cancel_coursesession", "Can cancel a course session"),
            ("record_attendance", "Can record attendance and completions"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="session_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__gt=F("registration_opens_at")),
                name="session_registration_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(is_virtual=True) | (~Q(city="") & ~Q(state="")),
                name="session_in_person_has_place",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.course.title}, {self.starts_on:%b} {self.starts_on.day}, {self.starts_on.year}"
        )

    @property
    def location(self) -> str:
        return "Virtual" if self.is_virtual else f"{self.city}, {self.state}"


class Officer(models.Model):
    """A sworn officer on an agency's training roster: one reported as hired under an award
    (`hire`), or one the agency adds."""

    class Role(models.TextChoices):
        SRO = "sro", "School Resource Officer"
        SUPERVISOR = "supervisor", "SRO supervisor"
        PATROL = "patrol", "Patrol officer"
        OTHER = "other", "Other sworn officer"

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="officers")
    hire = models.OneToOneField(
        OfficerHire, null=True, blank=True, on_delete=models.PROTECT, related_name="officer"
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254, blank=True)
    badge_number = models.CharField("badge or ID number", max_length=32, blank=True)
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.SRO)
    is_active = models.BooleanField("on the roster", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["agency", "last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "badge_number"],
                condition=~Q(badge_number=""),
                name="officer_badge_unique_per_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Enrollment(models.Model):
    """An officer's place in a session: a seat, or a place on its waitlist (`queue_number`
    orders the waitlist; taken under the session's row lock)."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", "Enrolled"
        WAITLISTED = "waitlisted", "Waitlisted"
        ATTENDED = "attended", "Attended"
        COMPLETED = "completed", "Completed"
        NO_SHOW = "no_show", "No-show"
        CANCELLED = "cancelled", "Cancelled"

    # Statuses that hold a seat; ACTIVE adds the waitlist (an officer can be in one of these
    # per session at a time).
    SEATED = (Status.ENROLLED, Status.ATTENDED, Status.COMPLETED)
    ACTIVE = (*SEATED, Status.WAITLISTED)

    session = models.ForeignKey(CourseSession, on_delete=models.PROTECT, related_name="enrollments")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="enrollments")
    status = models.CharField(max_length=12, choices=Status.choices)
    queue_number = models.PositiveIntegerField(help_text="Order of the request within the session.")
    requested_at = models.DateTimeField(auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    completed_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["session", "queue_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "officer"],
                condition=~Q(status="cancelled"),
                name="enrollment_once_per_session",
            ),
            models.UniqueConstraint(
                fields=["session", "queue_number"], name="enrollment_queue_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer} in {self.session}"


class Certificate(models.Model):
    """A completion certificate: the row commits with the completion; a worker renders the PDF
    (at least once, idempotently) through copsgrants.pdf.render_pdf."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.PROTECT, related_name="certificate"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    verification_code = models.CharField(max_length=32, unique=True)
    file = models.FileField(storage=private_storage, upload_to="certificates/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True, max_length=4000)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-queued_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="ready") | ~Q(sha256=""), name="certificate_ready_has_hash"
            ),
        ]

    def __str__(self) -> str:
        return f"Certificate {self.verification_code}"
