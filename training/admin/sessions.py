"""Course sessions in the admin: the list with seats taken and waitlisted, the change page with
"Cancel session" and "Complete session" buttons, and each session's roster (printable, CSV, and
bulk attendance: attended, no-show, completed). Every state change goes through the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from applications.admin.common import ObjectActionMixin
from applications.admin.ranking import stream_csv
from copsgrants.admin import AuditTrailMixin
from copsgrants.audit import record

from .. import services
from ..models import CourseSession, Enrollment
from ..services.errors import TrainingError

ROSTER_STATUSES = (*Enrollment.SEATED, Enrollment.Status.NO_SHOW, Enrollment.Status.WAITLISTED)


def with_seats(sessions):
    return sessions.annotate(
        seats_taken=Count("enrollments", filter=Q(enrollments__status__in=Enrollment.SEATED)),
        waitlisted=Count("enrollments", filter=Q(enrollments__status=Enrollment.Status.WAITLISTED)),
    )


def roster_rows(session: CourseSession) -> list[Enrollment]:
    """Seated officers (and no-shows) in request order, then the waitlist in queue order."""
    rows = list(
        session.enrollments.filter(status__in=ROSTER_STATUSES)
        .select_related("officer__agency", "certificate")
        .order_by("queue_number")
    )
    position = 0
    for row in rows:
        if row.status == Enrollment.Status.WAITLISTED:
            position += 1
            row.waitlist_position = position
        else:
            row.waitlist_position = None
    return sorted(rows, key=lambda row: (row.waitlist_position is not None, row.queue_number))


def certificate_of(row: Enrollment):
    try:
        return row.certificate
    except Enrollment.certificate.RelatedObjectDoesNotExist:
        return None


class SessionForm(forms.ModelForm):
    class Meta:
        model = CourseSession
        fields = ["course", "starts_on", "ends_on", "is_virtual", "city", "state", "capacity",
                  "registration_opens_at", "registration_closes_at"]  # fmt: skip

    def clean_state(self) -> str:
        return self.cleaned_data["state"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        capacity = cleaned.get("capacity")
        if self.instance.pk and capacity is not None:
            taken = self.instance.enrollments.filter(status__in=Enrollment.SEATED).count()
            if capacity < taken:
                self.add_error(
                    "capacity", f"{taken} officers already hold seats; the capacity cannot be less."
                )
        if not cleaned.get("is_virtual"):
            for field in ("city", "state"):
                if not cleaned.get(field) and field not in self.errors:
                    self.add_error(field, "Enter the place of an in-person session.")
        return cleaned


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="Sent to every agency with officers enrolled or waitlisted.",
    )


class ConfirmForm(forms.Form):
    """Nothing to fill in: the button is the decision."""


class AttendanceForm(forms.Form):
    completed_on = forms.DateField(
        label="Completion date",
        required=False,
        help_text="For completions; the session's last day if left blank.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


@admin.register(CourseSession)
class CourseSessionAdmin(ObjectActionMixin, AuditTrailMixin, admin.ModelAdmin):
    form = SessionForm
    list_display = ["course", "starts_on", "ends_on", "where", "capacity", "seats", "waiting",
                    "status"]  # fmt: skip
    list_filter = ["status", "course", "is_virtual", "state"]
    list_select_related = ["course"]
    date_hierarchy = "starts_on"
    search_fields = ["course__title", "city"]
    readonly_fields = ["status", "cancelled_at", "cancel_reason", "created_by", "audit_trail"]
    change_form_template = "admin/training/coursesession/change_form.html"

    def get_queryset(self, request):
        return with_seats(super().get_queryset(request))

    def get_fields(self, request, obj=None):
        fields = list(SessionForm.Meta.fields)
        return [*fields, *self.readonly_fields] if obj else fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # cancel it instead: agencies are told

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != CourseSession.Status.SCHEDULED:
            # A cancelled or completed session is a record: agencies were told what it was.
            return [*SessionForm.Meta.fields, *self.readonly_fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if change and "capacity" in form.changed_data:
            # More seats: the waitlist moves up now, not at the next cancellation.
            promoted = services.fill_from_waitlist(session=obj, by=request.user)
            if promoted:
                names = ", ".join(e.officer.name for e in promoted)
                self.message_user(request, f"Moved from the waitlist to a seat: {names}.")
        if not change:
            record(
                verb="training.session_scheduled",
                target=obj,
                actor=request.user,
                message=f"{obj.location}, capacity {obj.capacity}",
            )

    @admin.display(description="location", ordering="city")
    def where(self, obj: CourseSession) -> str:
        return obj.location

    @admin.display(description="seats taken", ordering="seats_taken")
    def seats(self, obj: CourseSession) -> int:
        return obj.seats_taken

    @admin.display(description="waitlisted", ordering="waitlisted")
    def waiting(self, obj: CourseSession) -> int:
        return obj.waitlisted

    def get_urls(self):
        def view(function, route: str, name: str):
            return path(route, self.admin_site.admin_view(function),
                        name=f"training_coursesession_{name}")  # fmt: skip

        return [
            view(self.roster_view, "<path:object_id>/roster/", "roster"),
            view(self.roster_csv_view, "<path:object_id>/roster.csv", "roster_csv"),
            view(self.cancel_view, "<path:object_id>/cancel/", "cancel"),
            view(self.complete_view, "<path:object_id>/complete/", "complete"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        session = self.get_object(request, object_id)
        if session is not None:
            extra["can_cancel"] = services.can_cancel_session(request.user, session)[0]
            extra["can_complete"] = (
                services.can_record_attendance(request.user)[0]
                and session.status == CourseSession.Status.SCHEDULED
                and session.ends_on <= timezone.localdate()
            )
        return super().change_view(request, object_id, form_url, extra)

    # Roster ----------------------------------------------------------------------------------

    def _session(self, request: HttpRequest, object_id: str) -> CourseSession:
        session = self.get_object_or_404(request, object_id)
        if not self.has_view_permission(request, session):
            raise PermissionDenied
        return session

    def roster_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        session = self._session(request, object_id)
        form = AttendanceForm(request.POST if request.method == "POST" else None)
        if request.method == "POST":
            response = self._record(request, session, form)
            if response is not None:
                return response
        rows = roster_rows(session)
        for row in rows:
            row.certificate_row = certificate_of(row)
        can_record, record_reason = services.can_record_attendance(request.user)
        return TemplateResponse(
            request,
            "admin/training/coursesession/roster.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Roster: {session}",
                "session": session,
                "opts": self.model._meta,
                "rows": rows,
                "seated": sum(1 for row in rows if row.status in Enrollment.SEATED),
                "waitlisted": sum(1 for row in rows if row.waitlist_position),
                "form": form,
                "can_record": can_record and session.starts_on <= timezone.localdate(),
                "record_reason": record_reason
                or (
                    ""
                    if session.starts_on <= timezone.localdate()
                    else "Attendance can be recorded once the session starts."
                ),
                "change_url": reverse("admin:training_coursesession_change", args=[session.pk]),
            },
            status=400 if form.is_bound and form.errors else 200,
        )

    def _record(self, request, session, form) -> HttpResponse | None:
        outcome = request.POST.get("outcome", "")
        # ASCII digits of a sane length only: anything else is not one of this roster's rows.
        ids = [
            int(value)
            for value in request.POST.getlist("enrollment")
            if value.isascii() and value.isdigit() and len(value) < 12
        ]
        if outcome not in services.OUTCOMES:
            form.add_error(None, "Choose attended, no-show or completed.")
            return None
        if not form.is_valid():
            return None
        enrollments = list(session.enrollments.filter(pk__in=ids))
        try:
            changed = services.record_attendance(
                enrollments=enrollments,
                outcome=outcome,
                by=request.user,
                completed_on=form.cleaned_data.get("completed_on"),
            )
        except TrainingError as exc:
            form.add_error(None, str(exc))
            return None
        label = Enrollment.Status(services.OUTCOMES[outcome]).label.lower()
        officers = "1 officer" if changed == 1 else f"{changed} officers"
        self.message_user(request, f"{officers} marked {label}.", messages.SUCCESS)
        return redirect(reverse("admin:training_coursesession_roster", args=[session.pk]))

    def roster_csv_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        session = self._session(request, object_id)

        def rows():
            yield ["Position", "Last name", "First name", "Badge or ID", "Role", "Agency",
                   "Email", "Status", "Completed on", "Certificate"]  # fmt: skip
            for row in roster_rows(session):
                certificate = certificate_of(row)
                yield [
                    f"Waitlist {row.waitlist_position}" if row.waitlist_position else "Seat",
                    row.officer.last_name,
                    row.officer.first_name,
                    row.officer.badge_number,
                    row.officer.get_role_display(),
                    row.officer.agency.legal_name,
                    row.officer.email,
                    row.get_status_display(),
                    row.completed_on.isoformat() if row.completed_on else "",
                    certificate.verification_code if certificate else "",
                ]

        filename = f"roster-{session.course.code}-{session.starts_on.isoformat()}.csv"
        return stream_csv(filename, rows())

    # Actions ---------------------------------------------------------------------------------

    def cancel_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        session = self._session(request, object_id)
        allowed, reason = services.can_cancel_session(request.user, session)
        if not request.user.has_perm("training.cancel_coursesession"):
            raise PermissionDenied(reason)
        return self.action_page(
            request,
            obj=session,
            form_class=CancelForm,
            title="Cancel session",
            intro=(
                "Cancel this session: every seat and waitlist place is cancelled and each agency "
                "with officers in it is emailed the reason."
                + ("" if allowed else f" Not possible now: {reason}")
            ),
            submit="Cancel session",
            perform=lambda data: services.cancel_session(
                session=session, by=request.user, reason=data["reason"]
            ),
            done="The session is cancelled; the agencies are being emailed.",
            error=TrainingError,
        )

    def complete_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        session = self._session(request, object_id)
        if not services.can_record_attendance(request.user)[0]:
            raise PermissionDenied
        return self.action_page(
            request,
            obj=session,
            form_class=ConfirmForm,
            title="Complete session",
            intro=(
                "Mark this session completed. Every seated officer's attendance must be "
                "recorded first."
            ),
            submit="Complete session",
            perform=lambda data: services.complete_session(session=session, by=request.user),
            done="The session is completed.",
            error=TrainingError,
        )
