"""Courses (editable by the training coordinator) and the read-only records: officers,
enrollments and certificates (a failed certificate can be retried)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html

from applications.admin.common import ObjectActionMixin
from copsgrants.admin import AuditTrailMixin, format_eastern, register_event_labels

from .. import services
from ..models import Certificate, Course, Enrollment, Officer
from ..services.errors import TrainingError

register_event_labels(
    {
        "training.enrolled": lambda e: f"Enrolled: {e.message}" if e.message else "Enrolled",
        "training.waitlisted": lambda e: f"Waitlisted: {e.message}" if e.message else "Waitlisted",
        "training.promoted": lambda e: (
            f"Promoted from the waitlist: {e.message}"
            if e.message
            else "Promoted from the waitlist"
        ),
        "training.cancelled": lambda e: (
            f"Enrollment cancelled: {e.message}" if e.message else "Enrollment cancelled"
        ),
        "training.session_cancelled": lambda e: (
            f"Session cancelled: {e.message}" if e.message else "Session cancelled"
        ),
        "training.session_completed": "Session completed",
        "training.session_scheduled": lambda e: f"Session scheduled: {e.message}",
        "training.attended": lambda e: f"Marked attended: {e.message}",
        "training.no_show": lambda e: f"Marked no-show: {e.message}",
        "training.completed": lambda e: f"Course completed: {e.message}",
        "training.certificate_issued": lambda e: f"Certificate issued: {e.message}",
        "training.certificate_failed": "Certificate rendering failed",
        "training.certificate_retried": "Certificate rendering retried",
        "training.officer_added": lambda e: (
            f"Officer added to the roster: {e.message}"
            if e.message
            else "Officer added to the roster"
        ),
        "training.officer_linked": lambda e: (
            f"Officer added from the hire report: {e.message}"
            if e.message
            else "Officer added from the hire report"
        ),
        "training.officer_updated": "Officer's details updated",
        "training.officer_removed": "Officer removed from the roster",
    }
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the services write; staff look, never edit here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Course)
class CourseAdmin(AuditTrailMixin, admin.ModelAdmin):
    list_display = ["title", "code", "hours", "prerequisite_list", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["title", "code"]
    filter_horizontal = ["prerequisites"]
    fields = ["title", "code", "hours", "description", "prerequisites", "is_active", "audit_trail"]
    readonly_fields = ["audit_trail"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("prerequisites")

    def get_readonly_fields(self, request, obj=None):
        # The code is how the seed and the prerequisite rules name a course.
        return ["code", "audit_trail"] if obj else ["audit_trail"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # sessions and completions refer to it: retire it ("offered" off) instead

    @admin.display(description="prerequisites")
    def prerequisite_list(self, obj: Course) -> str:
        return ", ".join(course.title for course in obj.prerequisites.all()) or "-"


@admin.register(Officer)
class OfficerAdmin(AuditTrailMixin, ReadOnlyAdmin):
    list_display = ["last_name", "first_name", "agency", "badge_number", "role", "is_active"]
    list_filter = ["role", "is_active"]
    list_select_related = ["agency"]
    search_fields = ["last_name", "first_name", "badge_number", "email", "agency__legal_name"]
    readonly_fields = ["audit_trail"]


@admin.register(Enrollment)
class EnrollmentAdmin(AuditTrailMixin, ReadOnlyAdmin):
    list_display = ["officer", "agency", "session", "status", "queue_number", "requested",
                    "completed_on"]  # fmt: skip
    list_filter = ["status", "session__course", "session__status"]
    list_select_related = ["officer__agency", "session__course"]
    search_fields = ["officer__last_name", "officer__first_name", "officer__agency__legal_name"]
    readonly_fields = ["audit_trail"]

    @admin.display(description="agency", ordering="officer__agency__legal_name")
    def agency(self, obj: Enrollment) -> str:
        return str(obj.officer.agency)

    @admin.display(description="requested", ordering="requested_at")
    def requested(self, obj: Enrollment) -> str:
        return format_eastern(obj.requested_at)


class ConfirmForm(forms.Form):
    """Nothing to fill in: the button is the decision."""


@admin.register(Certificate)
class CertificateAdmin(ObjectActionMixin, ReadOnlyAdmin):
    list_display = ["verification_code", "officer", "course", "state", "attempts", "rendered"]
    list_filter = ["status", "enrollment__session__course"]
    list_select_related = ["enrollment__officer__agency", "enrollment__session__course"]
    search_fields = ["verification_code", "enrollment__officer__last_name"]
    readonly_fields = ["download"]
    change_form_template = "admin/training/certificate/change_form.html"

    @admin.display(description="officer", ordering="enrollment__officer__last_name")
    def officer(self, obj: Certificate) -> str:
        return f"{obj.enrollment.officer} ({obj.enrollment.officer.agency})"

    @admin.display(description="course")
    def course(self, obj: Certificate) -> str:
        return str(obj.enrollment.session)

    @admin.display(description="status", ordering="status")
    def state(self, obj: Certificate) -> str:
        if obj.status == Certificate.Status.FAILED:
            return format_html("failed: {}", obj.error[:200])
        return obj.get_status_display()

    @admin.display(description="rendered", ordering="rendered_at")
    def rendered(self, obj: Certificate) -> str:
        return format_eastern(obj.rendered_at)

    @admin.display(description="PDF")
    def download(self, obj: Certificate) -> str:
        if obj.status != Certificate.Status.READY:
            return "-"
        url = reverse("training_certificates:certificate_download", args=[obj.pk])
        return format_html('<a href="{}">Download the certificate</a>', url)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/retry/",
                self.admin_site.admin_view(self.retry_view),
                name="training_certificate_retry",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return super().change_view(
            request,
            object_id,
            form_url,
            {**(extra_context or {}), "can_retry": services.can_record_attendance(request.user)[0]},
        )

    def retry_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        certificate = self.get_object(request, object_id)
        if certificate is None or not self.has_view_permission(request, certificate):
            raise Http404("No such certificate")
        if not services.can_record_attendance(request.user)[0]:
            raise PermissionDenied
        return self.action_page(
            request,
            obj=certificate,
            form_class=ConfirmForm,
            title="Retry the certificate",
            intro=f"Render this certificate again. It failed with: {certificate.error or '-'}",
            submit="Retry",
            perform=lambda data: services.retry_certificate(
                certificate=certificate, by=request.user
            ),
            done="The certificate is queued again.",
            error=TrainingError,
        )
