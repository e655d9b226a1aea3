"""Applications in the admin: staff find and read them (never edit) and return submitted ones
for corrections."""

from __future__ import annotations

import html

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin

from copsgrants.admin import AuditTrailMixin, format_eastern

from .. import services
from ..models import (
    CORRECTION_DAYS,
    MAX_CORRECTION_DAYS,
    MIN_CORRECTION_DAYS,
    Application,
    SchoolPartner,
)
from ..presentation import section_answers, waiver_status
from ..sections import SECTIONS
from .agencies import designation
from .assignments import ReviewerScopeMixin, assign_reviewers
from .changelist import CountWithRange, light_results
from .common import AgencyStateFilter, ObjectActionMixin, warning
from .screening import ScreeningAdminMixin

CHECKBOX_NAME = escape(helpers.ACTION_CHECKBOX_NAME)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="What must the agency correct?",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text="Sent to the agency by email and shown on the application.",
    )
    days_to_correct = forms.IntegerField(
        label="Days to correct and resubmit",
        required=False,
        min_value=MIN_CORRECTION_DAYS,
        max_value=MAX_CORRECTION_DAYS,
        initial=CORRECTION_DAYS,
        help_text=f"Counted from today, ending 11:59 PM Eastern; never before the solicitation's "
        f"own deadline. Empty means {CORRECTION_DAYS}.",
    )


class SchoolPartnerInline(admin.TabularInline):
    model = SchoolPartner
    extra = 0
    can_delete = False
    fields = ["district_name", "schools", "contact_name", "contact_email", "contact_phone"]
    readonly_fields = fields


class ApplicationChangeList(ChangeList):
    """The list reads only the columns it shows (of ~97: the JSON answers and profiles are most
    of a row). Actions still get whole rows: they use a queryset of their own."""

    COLUMNS = ("tracking_number", "status", "sro_commitment", "submitted_at", "created_at",
               "agency", "agency__legal_name", "agency__state", "solicitation",
               "solicitation__code")  # fmt: skip

    def get_results(self, request):
        queryset = self.queryset.only(*self.COLUMNS)
        # The count reads the date hierarchy's first and last dates too: one query, not two.
        counting = CountWithRange(queryset, self.date_hierarchy) if self.date_hierarchy else None
        self.queryset = queryset if counting is None else counting
        try:
            super().get_results(request)
        finally:
            self.queryset = queryset
        self.date_range = None if counting is None else counting.range
        if not self.list_editable:  # a formset needs whole instances
            self.result_list = light_results(self.result_list, self.COLUMNS)


class SroCommitmentFilter(admin.BooleanFieldListFilter):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.title = "SRO commitment"


@admin.register(Application)
class ApplicationAdmin(
    ReviewerScopeMixin, ScreeningAdminMixin, ObjectActionMixin, AuditTrailMixin, SimpleHistoryAdmin
):
    # Fits 1280 px without scrolling: the ORI is one search away (and on the agency's page).
    list_display = ["tracking_or_draft", "agency_name", "solicitation_code", "status", "sro",
                    "submitted"]  # fmt: skip
    list_filter = [
        "solicitation",
        "status",
        AgencyStateFilter,
        ("sro_commitment", SroCommitmentFilter),
    ]
    search_fields = ["agency__legal_name", "agency__ori", "agency__uei", "tracking_number"]
    list_select_related = ["agency", "solicitation"]
    # "N of 10,000 selected" needs no second COUNT of every application.
    show_full_result_count = False
    date_hierarchy = "submitted_at"
    actions = ["return_for_corrections", assign_reviewers]
    inlines = [SchoolPartnerInline]
    change_form_template = "admin/applications/application/change_form.html"
    fieldsets = (
        (None, {"fields": ("agency", "solicitation", "status", "tracking_number",
                           "submitted", "submitted_by", "certified_name",
                           "returned_reason", "corrections_due")}),
        ("Who may sign for the agency", {"fields": ("agency_verification",
                                                    "authorized_representatives")}),
        ("Screening", {"fields": ("screening_summary", "data_flags")}),
        ("Answers", {"fields": ("answers",)}),
        ("Budget", {"fields": ("budget_summary",)}),
        ("Record", {"fields": ("audit_trail",)}),
    )  # fmt: skip
    readonly_fields = ["agency", "solicitation", "status", "tracking_number", "submitted",
                       "submitted_by", "certified_name", "returned_reason",
                       "corrections_due", "agency_verification", "authorized_representatives",
                       "answers", "budget_summary", "audit_trail", "screening_summary",
                       "data_flags"]  # fmt: skip

    def get_changelist(self, request, **kwargs):
        return ApplicationChangeList

    def action_checkbox(self, obj):
        """Django's row checkbox, the same markup, without rendering a widget template for
        each of the list's rows (a fifth of the page's time)."""
        # html.escape is what django.utils.html.escape does, without its lazy-text wrapper.
        label = gettext("Select this object for an action - {}").format(html.escape(str(obj)))
        return mark_safe(  # nosec B308 B703: every value escaped
            f'<input type="checkbox" name="{CHECKBOX_NAME}" value="{html.escape(str(obj.pk))}" '
            f'class="action-select" aria-label="{label}">'
        )

    def has_add_permission(self, request) -> bool:
        return False  # agencies file applications on the public site

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # staff never edit an agency's answers; they return it for corrections

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_return_permission(self, request) -> bool:
        return request.user.has_perm("applications.return_application")

    @admin.display(description="tracking no.", ordering="tracking_number")
    def tracking_or_draft(self, obj: Application) -> str:
        return obj.tracking_number or f"(draft #{obj.pk})"

    @admin.display(description="solicitation", ordering="solicitation__code")
    def solicitation_code(self, obj: Application) -> str:
        return obj.solicitation.code

    @admin.display(description="submitted", ordering="submitted_at")
    def submitted(self, obj: Application) -> str:
        return format_eastern(obj.submitted_at)

    @admin.display(description="corrections due")
    def corrections_due(self, obj: Application) -> str:
        return format_eastern(obj.corrections_due_at)

    @admin.display(description="agency verification")
    def agency_verification(self, obj: Application) -> str:
        agency = obj.agency
        if agency.is_verified:
            return format_html(
                "Verified {} by {}: {}",
                format_eastern(agency.verified_at),
                agency.verified_by or "COPS",
                agency.verification_note,
            )
        return format_html(
            '{}: the agency cannot submit until COPS <a href="{}">verifies it</a>.',
            warning("Pending verification"),
            reverse("admin:applications_agency_change", args=[agency.pk]),
        )

    @admin.display(description="Authorized Representatives")
    def authorized_representatives(self, obj: Application) -> str:
        """Who can certify for the agency today and who made them so; self-designation is
        flagged, since nobody else at the agency vouched for it."""
        representatives = (
            obj.agency.memberships.active()
            .filter(is_authorized_representative=True)
            .select_related("user", "representative_designated_by")
            .order_by("user__email")
        )
        if not representatives:
            return "None: nobody at the agency can certify and submit."
        return format_html_join(
            "",
            '<div><a href="{}">{}</a> ({}), designated by {}</div>',
            (
                (
                    reverse("admin:applications_membership_change", args=[m.pk]),
                    m.user,
                    m.user.email,
                    designation(m),
                )
                for m in representatives
            ),
        )

    @admin.display(description="SRO", boolean=True, ordering="sro_commitment")
    def sro(self, obj: Application) -> bool | None:
        return obj.sro_commitment

    @admin.display(description="agency", ordering="agency__legal_name")
    def agency_name(self, obj: Application) -> str:
        return f"{obj.agency.legal_name}, {obj.agency.state}"

    @admin.display(description="answers")
    def answers(self, obj: Application) -> str:
        return format_html_join(
            "",
            "<h3>{}. {}</h3><dl>{}</dl>",
            (
                (
                    section.number,
                    section.title,
                    format_html_join(
                        "",
                        "<dt><strong>{}</strong></dt><dd>{}</dd>",
                        section_answers(section, obj),
                    ),
                )
                for section in SECTIONS
            ),
        )

    @admin.display(description="budget")
    def budget_summary(self, obj: Application) -> str:
        budget = obj.budget
        cap = (
            f"cap ${budget.per_officer_cap:,.0f}"
            if budget.per_officer_cap is not None
            else "no per-officer cap: lifted by the "
            + ("requested waiver" if obj.waiver_pending else "approved waiver")
        )
        waiver = f"; match waiver {waiver_status(obj)}" if obj.waiver_requested else ""
        return format_html(
            "{} positions; cost per position ${}; federal share {}% = ${} per position "
            "({}); total federal ${}; local match ${}{}",
            budget.positions, f"{budget.cost_per_position:,.2f}", budget.federal_percent,
            f"{budget.federal_per_position:,.2f}", cap,
            f"{budget.total_federal:,.2f}", f"{budget.total_local:,.2f}", waiver,
        )  # fmt: skip

    @admin.action(description="Return for corrections", permissions=["return"])
    def return_for_corrections(self, request, queryset):
        not_submitted = queryset.exclude(status=Application.Status.SUBMITTED)
        if not_submitted.exists():
            self.message_user(
                request,
                "Only submitted applications can be returned. Deselect: "
                + ", ".join(str(a) for a in not_submitted[:5]),
                messages.ERROR,
            )
            return None
        form = ReturnForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            count = queryset.count()
            for application in queryset:
                services.return_application(
                    application=application,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    days_to_correct=form.cleaned_data["days_to_correct"] or CORRECTION_DAYS,
                )
            self.message_user(
                request, f"Returned {count} application{pluralize(count)} for corrections.",
                messages.SUCCESS,
            )  # fmt: skip
            return None
        return TemplateResponse(
            request,
            "admin/applications/application/return_for_corrections.html",
            {
                **self.admin_site.each_context(request),
                "title": "Return for corrections",
                "applications": queryset.select_related("agency", "solicitation"),
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_return"] = (
            obj is not None
            and obj.status == Application.Status.SUBMITTED
            and self.has_return_permission(request)
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        return_view = self.admin_site.admin_view(self.return_view)
        return [path("<path:object_id>/return/", return_view,
                     name="applications_application_return"),
                *super().get_urls()]  # fmt: skip

    def return_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        application = self.get_object_or_404(request, object_id)
        if not self.has_return_permission(request):
            raise PermissionDenied
        if application.status != Application.Status.SUBMITTED:
            self.message_user(
                request,
                f"Only a submitted application can be returned; this one is "
                f"{application.get_status_display().lower()}.",
                messages.WARNING,
            )
            return redirect("admin:applications_application_change", application.pk)
        return self.action_page(
            request,
            obj=application,
            form_class=ReturnForm,
            title="Return for corrections",
            intro="The application goes back to the agency, unlocked, with your reason by "
            "email to its members.",
            submit="Return for corrections",
            perform=lambda data: services.return_application(
                application=application,
                by=request.user,
                reason=data["reason"],
                days_to_correct=data["days_to_correct"] or CORRECTION_DAYS,
            ),
            done=f"Returned {application} for corrections.",
            error=services.ApplicationError,
        )
