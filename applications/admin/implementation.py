"""Implementation in the admin: drawdowns (program specialists approve or reject each one, from
its page or in bulk; every decision goes through services/implementation.py, which refuses it
while the award is withheld), a read-only list of reported officer hires, and the award list's
filter on the withholding MOU condition."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from copsgrants.admin import AuditTrailMixin, format_eastern, register_event_labels

from .. import services
from ..budget import format_dollars
from ..models import AwardCondition, Drawdown, OfficerHire
from ..services.implementation import DECIDE_DRAWDOWN
from .common import ObjectActionMixin

register_event_labels(
    {
        "hire.reported": "Officer hire reported",
        "drawdown.requested": "Drawdown requested",
        "drawdown.approved": "Drawdown approved",
        "drawdown.rejected": "Drawdown rejected",
        "condition.cleared": "Award condition met",
    }
)


class MouConditionFilter(admin.SimpleListFilter):
    """Awards by their withholding MOU condition (AwardCondition code sro_mou)."""

    title = "MOU condition"
    parameter_name = "mou_condition"
    SOON = 14  # days

    def lookups(self, request, model_admin):
        return [
            ("due_soon", f"Due in the next {self.SOON} days"),
            ("overdue", "Overdue"),
            ("met", "Met"),
            ("not_met", "Not met"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        mou = {"conditions__code": AwardCondition.Code.SRO_MOU}
        open_ = {**mou, "conditions__cleared_at__isnull": True}
        match self.value():
            case "due_soon":
                window = (today, today + timedelta(days=self.SOON))
                return queryset.filter(**open_, conditions__due_date__range=window)
            case "overdue":
                return queryset.filter(**open_, conditions__due_date__lt=today)
            case "met":
                return queryset.filter(**mou, conditions__cleared_at__isnull=False)
            case "not_met":
                return queryset.filter(**open_)
        return queryset


class ApproveForm(forms.Form):
    note = forms.CharField(
        label="Note",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Optional. The agency's members are emailed the decision with this note.",
    )


class RejectForm(forms.Form):
    note = forms.CharField(
        label="Why it is rejected",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="The agency's members are emailed the decision with this reason.",
        error_messages={"required": "Say why the drawdown is rejected."},
    )


@admin.register(Drawdown)
class DrawdownAdmin(ObjectActionMixin, AuditTrailMixin, admin.ModelAdmin):
    list_display = ["award_number", "agency", "period", "money", "status", "requested"]
    list_filter = ["status", "award__is_sro"]
    list_select_related = ["award__agency"]
    search_fields = ["award__number", "award__agency__legal_name"]
    ordering = ["status", "requested_at"]
    actions = ["approve_selected", "reject_selected"]
    change_form_template = "admin/applications/drawdown/change_form.html"
    fields = ["award", "number", "period", "money", "description", "status", "requested",
              "requested_by", "decided", "decided_by", "decision_note", "audit_trail"]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False  # the agency requests them

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # decided only through approve and reject

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_decide_permission(self, request) -> bool:
        return request.user.has_perm(DECIDE_DRAWDOWN)

    @admin.display(description="award", ordering="award__number")
    def award_number(self, obj: Drawdown) -> str:
        return obj.award.number

    @admin.display(description="agency", ordering="award__agency__legal_name")
    def agency(self, obj: Drawdown) -> str:
        return obj.award.agency.legal_name

    @admin.display(description="period", ordering="period_start")
    def period(self, obj: Drawdown) -> str:
        return f"{obj.period_start:%b} {obj.period_start.day}, {obj.period_start.year} to " \
               f"{obj.period_end:%b} {obj.period_end.day}, {obj.period_end.year}"  # fmt: skip

    @admin.display(description="amount", ordering="amount")
    def money(self, obj: Drawdown) -> str:
        return format_dollars(obj.amount)

    @admin.display(description="requested", ordering="requested_at")
    def requested(self, obj: Drawdown) -> str:
        return format_eastern(obj.requested_at)

    @admin.display(description="decided", ordering="decided_at")
    def decided(self, obj: Drawdown) -> str:
        return format_eastern(obj.decided_at)

    def get_urls(self):
        def view(function, action: str):
            return path(f"<path:object_id>/{action}/", self.admin_site.admin_view(function),
                        name=f"applications_drawdown_{action}")  # fmt: skip

        return [view(self.approve_view, "approve"), view(self.reject_view, "reject"),
                *super().get_urls()]  # fmt: skip

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["can_decide"] = services.can_decide_drawdown(request.user, obj)[0]
            context["withheld"] = services.implementation_blocked(obj.award)
        return super().render_change_form(request, context, add, change, form_url, obj)

    # One drawdown ----------------------------------------------------------------------------

    def _drawdown(self, request: HttpRequest, object_id: str) -> Drawdown:
        drawdown = self.get_object_or_404(request, object_id)
        if not self.has_decide_permission(request):
            raise PermissionDenied
        return drawdown

    def _intro(self, drawdown: Drawdown, request: HttpRequest, what: str) -> str:
        intro = (
            f"{what} drawdown {drawdown.number} of {format_dollars(drawdown.amount)} on award "
            f"{drawdown.award.number} ({drawdown.award.agency.legal_name}). The agency's "
            "members are emailed the decision."
        )
        allowed, reason = services.can_decide_drawdown(request.user, drawdown)
        blocked = services.implementation_blocked(drawdown.award) if what == "Approve" else ""
        if not allowed or blocked:
            intro += f" Not possible now: {reason or blocked}"
        return intro

    def approve_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        drawdown = self._drawdown(request, object_id)
        return self.action_page(
            request,
            obj=drawdown,
            form_class=ApproveForm,
            title="Approve drawdown",
            intro=self._intro(drawdown, request, "Approve"),
            submit="Approve",
            perform=lambda data: services.approve_drawdown(
                drawdown=drawdown, by=request.user, note=data["note"]
            ),
            done=f"Drawdown {drawdown.number} on {drawdown.award.number} is approved.",
            error=services.ImplementationError,
        )

    def reject_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        drawdown = self._drawdown(request, object_id)
        return self.action_page(
            request,
            obj=drawdown,
            form_class=RejectForm,
            title="Reject drawdown",
            intro=self._intro(drawdown, request, "Reject"),
            submit="Reject",
            perform=lambda data: services.reject_drawdown(
                drawdown=drawdown, by=request.user, note=data["note"]
            ),
            done=f"Drawdown {drawdown.number} on {drawdown.award.number} is rejected.",
            error=services.ImplementationError,
        )

    # Many drawdowns --------------------------------------------------------------------------

    def _decide_each(self, request, queryset: QuerySet[Drawdown], decide, verb: str) -> None:
        """Call the service for each row in turn; one refusal does not stop the others."""
        done = 0
        for drawdown in queryset.select_related("award__agency").order_by("pk"):
            try:
                decide(drawdown)
            except services.ImplementationError as exc:
                self.message_user(
                    request,
                    f"{drawdown.award.number} drawdown {drawdown.number} not {verb}: {exc}",
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(
                request, f"{done} drawdown{'s' if done != 1 else ''} {verb}.", messages.SUCCESS
            )

    @admin.action(description="Approve selected drawdowns", permissions=["decide"])
    def approve_selected(self, request, queryset):
        self._decide_each(
            request, queryset,
            lambda drawdown: services.approve_drawdown(drawdown=drawdown, by=request.user),
            "approved",
        )  # fmt: skip

    @admin.action(description="Reject selected drawdowns", permissions=["decide"])
    def reject_selected(self, request, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            note = form.cleaned_data["note"]
            self._decide_each(
                request, queryset,
                lambda drawdown: services.reject_drawdown(
                    drawdown=drawdown, by=request.user, note=note
                ),
                "rejected",
            )  # fmt: skip
            return None
        # First the reason, once for every selected drawdown.
        return TemplateResponse(
            request,
            "admin/applications/drawdown/reject_selected.html",
            {
                **self.admin_site.each_context(request),
                "title": "Reject drawdowns",
                "opts": self.model._meta,
                "drawdowns": queryset.select_related("award__agency"),
                "form": form,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(OfficerHire)
class OfficerHireAdmin(admin.ModelAdmin):
    """Read-only: the agency reports hires; staff read them."""

    list_display = ["name", "award_number", "agency", "hiring_category", "hire_date", "school",
                    "school_district", "reported"]  # fmt: skip
    list_filter = ["hiring_category", "award__is_sro"]
    list_select_related = ["award__agency"]
    search_fields = ["last_name", "first_name", "badge_number", "award__number",
                     "award__agency__legal_name", "school"]  # fmt: skip

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="award", ordering="award__number")
    def award_number(self, obj: OfficerHire) -> str:
        return obj.award.number

    @admin.display(description="agency", ordering="award__agency__legal_name")
    def agency(self, obj: OfficerHire) -> str:
        return obj.award.agency.legal_name

    @admin.display(description="reported", ordering="reported_at")
    def reported(self, obj: OfficerHire) -> str:
        return format_eastern(obj.reported_at)
