from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q
from simple_history.admin import SimpleHistoryAdmin

from copsgrants.admin import AuditTrailMixin

from .models import Agency, Membership


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
