from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from copsgrants.admin import AuditTrailMixin

from . import services
from .models import (
    CORRECTION_DAYS,
    MAX_CORRECTION_DAYS,
    MIN_CORRECTION_DAYS,
    Agency,
    Application,
    Membership,
    SchoolPartner,
    ScoringRules,
    Solicitation,
)
from .presentation import section_answers
from .sections import SECTIONS


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "agency"
    extra = 0
    fields = ["user", "status", "is_administrator", "is_authorized_representative", "requested_at"]
    readonly_fields = ["user", "status", "requested_at"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Agency)
class AgencyAdmin(AuditTrailMixin, SimpleHistoryAdmin):
    list_display = [
        "legal_name", "ori", "uei", "state", "agency_type",
        "jurisdiction_population", "sworn_force_actual", "member_count",
    ]  # fmt: skip
    list_filter = ["state", "agency_type"]
    search_fields = ["legal_name", "ori", "uei", "city"]
    readonly_fields = ["created_at", "updated_at", "created_by", "audit_trail"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("legal_name", "ori", "uei", "agency_type", "state")}),
        (
            "Size",
            {"fields": ("jurisdiction_population", "sworn_force_actual", "sworn_force_budgeted")},
        ),
        ("Address", {"fields": ("address_line1", "address_line2", "city", "zip_code")}),
        (
            "Law enforcement executive",
            {"fields": ("le_executive_name", "le_executive_title",
                        "le_executive_email", "le_executive_phone")},
        ),
        (
            "Government executive",
            {"fields": ("gov_executive_name", "gov_executive_title",
                        "gov_executive_email", "gov_executive_phone")},
        ),
        ("Record", {"fields": ("created_at", "updated_at", "created_by", "audit_trail")}),
    )  # fmt: skip

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _member_count=Count(
                    "memberships", filter=Q(memberships__status=Membership.Status.ACTIVE)
                )
            )
        )

    @admin.display(description="members", ordering="_member_count")
    def member_count(self, obj: Agency) -> int:
        return obj._member_count


@admin.register(Membership)
class MembershipAdmin(AuditTrailMixin, SimpleHistoryAdmin):
    list_display = [
        "user", "user__email", "agency", "status", "is_administrator",
        "is_authorized_representative",
        "requested_at",
    ]  # fmt: skip
    list_filter = ["status", "is_administrator", "is_authorized_representative", "agency__state"]
    search_fields = ["user__email", "user__last_name", "agency__legal_name", "agency__ori"]
    list_select_related = ["user", "agency"]
    autocomplete_fields = ["user", "agency"]
    readonly_fields = ["status", "requested_at", "decided_at", "decided_by", "audit_trail"]


# Solicitations -----------------------------------------------------------------------------------


class ScoringRulesInline(admin.TabularInline):
    model = ScoringRules
    extra = 0
    can_delete = False
    fields = ["version", "fiscal_need_weight", "crime_weight", "community_policing_weight",
              "sro_bonus_points", "veteran_bonus_points", "in_force", "created_at"]  # fmt: skip
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Solicitation)
class SolicitationAdmin(AuditTrailMixin, SimpleHistoryAdmin):
    list_display = ["code", "title", "fiscal_year", "opens_at", "closes_at", "is_published",
                    "application_count"]  # fmt: skip
    list_filter = ["fiscal_year", "is_published"]
    search_fields = ["code", "title"]
    inlines = [ScoringRulesInline]
    fieldsets = (
        (None, {"fields": ("code", "title", "fiscal_year", "summary", "is_published")}),
        ("Dates (U.S. Eastern time)", {"fields": ("opens_at", "closes_at")}),
        ("Money", {"fields": ("total_funds", "federal_share_percent", "per_officer_cap",
                              "partial_waiver_federal_percent", "full_waiver_federal_percent",
                              "award_ceiling")}),
        ("Periods", {"fields": ("funded_months", "project_period_months", "retention_months")}),
        ("Officer cap", {"fields": ("officer_cap_percent", "officer_cap_max",
                                    "officer_cap_max_large", "large_population_threshold",
                                    "small_force_threshold")}),
        ("Record", {"fields": ("audit_trail",)}),
    )  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_applications=Count("applications"))

    @admin.display(description="applications", ordering="_applications")
    def application_count(self, obj: Solicitation) -> int:
        return obj._applications

    def get_readonly_fields(self, request, obj=None):
        readonly = ["audit_trail"]
        if obj is not None and obj.rules_frozen:
            # Published and open: the rules applicants rely on are fixed.
            readonly += [*Solicitation.RULE_FIELDS, "is_published"]
        return readonly


@admin.register(ScoringRules)
class ScoringRulesAdmin(admin.ModelAdmin):
    list_display = ["solicitation", "version", "fiscal_need_weight", "crime_weight",
                    "community_policing_weight", "sro_bonus_points", "veteran_bonus_points",
                    "in_force", "created_at"]  # fmt: skip
    list_filter = ["solicitation", "in_force"]
    list_select_related = ["solicitation"]
    actions = ["put_in_force"]
    readonly_fields = ["version", "in_force", "created_at", "created_by"]

    def has_change_permission(self, request, obj=None) -> bool:
        # A version is never edited: add a new one instead.
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        services.add_scoring_rules(rules=obj, by=request.user)

    @admin.action(description="Put the selected version in force", permissions=["add"])
    def put_in_force(self, request, queryset) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one version.", messages.ERROR)
            return
        rules = queryset.get()
        services.put_scoring_rules_in_force(rules=rules, by=request.user)
        self.message_user(request, f"{rules} is now in force.", messages.SUCCESS)


# Applications ------------------------------------------------------------------------------------


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


class SroCommitmentFilter(admin.BooleanFieldListFilter):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.title = "SRO commitment"


@admin.register(Application)
class ApplicationAdmin(AuditTrailMixin, SimpleHistoryAdmin):
    list_display = ["tracking_or_draft", "agency_name", "agency__ori", "agency__state",
                    "solicitation__code", "status", "sro", "submitted_at"]  # fmt: skip
    list_filter = [
        "solicitation",
        "status",
        "agency__state",
        ("sro_commitment", SroCommitmentFilter),
    ]
    search_fields = ["agency__legal_name", "agency__ori", "agency__uei", "tracking_number"]
    list_select_related = ["agency", "solicitation"]
    date_hierarchy = "submitted_at"
    actions = ["return_for_corrections"]
    inlines = [SchoolPartnerInline]
    fieldsets = (
        (None, {"fields": ("agency", "solicitation", "status", "tracking_number",
                           "submitted_at", "submitted_by", "certified_name",
                           "returned_reason", "corrections_due_at")}),
        ("Answers", {"fields": ("answers",)}),
        ("Budget", {"fields": ("budget_summary",)}),
        ("Record", {"fields": ("audit_trail",)}),
    )  # fmt: skip
    readonly_fields = ["agency", "solicitation", "status", "tracking_number", "submitted_at",
                       "submitted_by", "certified_name", "returned_reason",
                       "corrections_due_at", "answers",
                       "budget_summary", "audit_trail"]  # fmt: skip

    def has_add_permission(self, request) -> bool:
        return False  # agencies file applications on the public site

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # staff never edit an agency's answers; they return it for corrections

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_return_permission(self, request) -> bool:
        return request.user.has_perm("applications.return_application")

    @admin.display(description="tracking number", ordering="tracking_number")
    def tracking_or_draft(self, obj: Application) -> str:
        return obj.tracking_number or f"(draft #{obj.pk})"

    @admin.display(description="SRO", boolean=True, ordering="sro_commitment")
    def sro(self, obj: Application) -> bool | None:
        return obj.sro_commitment

    @admin.display(description="agency", ordering="agency__legal_name")
    def agency_name(self, obj: Application) -> str:
        return obj.agency.legal_name

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
        return format_html(
            "{} positions; cost per position ${}; federal share {}% = ${} per position "
            "(cap ${}); total federal ${}; local match ${}",
            budget.positions, f"{budget.cost_per_position:,.2f}", budget.federal_percent,
            f"{budget.federal_per_position:,.2f}", f"{budget.per_officer_cap:,.0f}",
            f"{budget.total_federal:,.2f}", f"{budget.total_local:,.2f}",
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
            for application in queryset:
                services.return_application(
                    application=application,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    days_to_correct=form.cleaned_data["days_to_correct"] or CORRECTION_DAYS,
                )
            self.message_user(
                request, f"Returned {queryset.count()} application(s) for corrections.",
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
