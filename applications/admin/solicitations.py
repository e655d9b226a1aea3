"""Solicitations and their versioned scoring rules in the admin."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count
from simple_history.admin import SimpleHistoryAdmin

from copsgrants.admin import AuditTrailMixin

from .. import services
from ..models import ScoringRules, Solicitation
from .ranking import ComputeScoresMixin


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
class SolicitationAdmin(ComputeScoresMixin, AuditTrailMixin, SimpleHistoryAdmin):
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
                              "award_ceiling", "waiver_lifts_officer_cap")}),
        ("Periods", {"fields": ("funded_months", "project_period_months", "retention_months")}),
        ("Officer cap", {"fields": ("officer_cap_percent", "officer_cap_max",
                                    "officer_cap_max_large", "large_population_threshold",
                                    "small_force_threshold", "all_positions_sro")}),
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
