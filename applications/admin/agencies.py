"""Agencies (verification) and memberships (Authorized Representative designations) in the
admin. Staff change them only through actions that call the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from copsgrants.admin import AuditTrailMixin, format_eastern

from .. import services
from ..models import Agency, Membership
from .common import AgencyStateFilter, ObjectActionMixin, StateFilter, warning


class VerifyForm(forms.Form):
    note = forms.CharField(
        label="What did you check?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text="For example: ORI matches the FBI list; UEI active in SAM.gov under this "
        "legal name; chief confirmed by phone. Kept with the agency's record.",
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="Why is the designation revoked?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text="Sent by email to the person and to the agency's administrators.",
    )


def designation(membership: Membership) -> str:
    """Who made this person an Authorized Representative, with self-designation flagged."""
    if not membership.is_authorized_representative:
        return "-"
    if membership.is_self_designated_representative:
        return warning("themselves (self-designated)")
    if membership.representative_designated_by is None:
        return "not recorded"
    return str(membership.representative_designated_by)


class MembershipInline(admin.TabularInline):
    """Read-only: roles change through the agency's administrators or a staff action (which
    keep the last-administrator rule, the audit trail and the email), never by editing here."""

    model = Membership
    fk_name = "agency"
    extra = 0
    fields = ["user", "status", "is_administrator", "is_authorized_representative",
              "ar_designated_by", "requested"]  # fmt: skip
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "representative_designated_by")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="AR designated by")
    def ar_designated_by(self, obj: Membership) -> str:
        return designation(obj)

    @admin.display(description="requested")
    def requested(self, obj: Membership) -> str:
        return format_eastern(obj.requested_at)


@admin.register(Agency)
class AgencyAdmin(ObjectActionMixin, AuditTrailMixin, SimpleHistoryAdmin):
    # Fits 1280 px beside the filters: the ORI starts with the state's code; UEI and type are a
    # search and a filter away.
    list_display = ["legal_name", "ori", "verification", "population", "officers",
                    "member_count"]  # fmt: skip
    list_filter = ["verification_status", StateFilter, "agency_type"]
    ordering = ["verification_status", "legal_name"]  # pending verification first
    search_fields = ["legal_name", "ori", "uei", "city"]
    readonly_fields = ["created", "updated", "created_by", "audit_trail", "verification",
                       "verified", "verified_by", "verification_note"]  # fmt: skip
    inlines = [MembershipInline]
    actions = ["verify_agency"]
    change_form_template = "admin/applications/agency/change_form.html"
    fieldsets = (
        ("Verification", {"fields": ("verification", "verified", "verified_by",
                                     "verification_note")}),
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
        ("Record", {"fields": ("created", "updated", "created_by", "audit_trail")}),
    )  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.is_verified:
            # What COPS verified stays as verified; the agency's own profile edit (a service)
            # sends it back to pending verification instead.
            readonly += ["legal_name", "ori", "uei", "state"]
        return readonly

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

    @admin.display(description="population", ordering="jurisdiction_population")
    def population(self, obj: Agency) -> str:
        return f"{obj.jurisdiction_population:,}"

    @admin.display(description="officers", ordering="sworn_force_actual")
    def officers(self, obj: Agency) -> str:
        return f"{obj.sworn_force_actual:,}"

    @admin.display(description="created")
    def created(self, obj: Agency) -> str:
        return format_eastern(obj.created_at)

    @admin.display(description="updated")
    def updated(self, obj: Agency) -> str:
        return format_eastern(obj.updated_at)

    @admin.display(description="members", ordering="_member_count")
    def member_count(self, obj: Agency) -> int:
        return obj._member_count

    @admin.display(description="verification", ordering="verification_status")
    def verification(self, obj: Agency) -> str:
        if obj.is_verified:
            return "Verified"
        return warning("Pending verification")

    @admin.display(description="verified")
    def verified(self, obj: Agency) -> str:
        return format_eastern(obj.verified_at)

    def get_urls(self):
        verify = self.admin_site.admin_view(self.verify_view)
        return [path("<path:object_id>/verify/", verify, name="applications_agency_verify"),
                *super().get_urls()]  # fmt: skip

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_verify"] = (
            obj is not None and not obj.is_verified and self.has_change_permission(request, obj)
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def verify_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        agency = self.get_object_or_404(request, object_id)
        if not self.has_change_permission(request, agency):
            raise PermissionDenied
        if agency.is_verified:
            self.message_user(
                request, f"{agency.legal_name} is already verified.", messages.WARNING
            )
            return redirect("admin:applications_agency_change", agency.pk)
        return self.action_page(
            request,
            obj=agency,
            form_class=VerifyForm,
            title="Verify agency",
            intro="Once verified, the agency's Authorized Representatives can submit "
            "applications, and its administrators are told by email. Check the ORI against the "
            "FBI list, the UEI and legal name in SAM.gov, and the executives, then note what "
            "you checked.",
            submit="Verify agency",
            perform=lambda data: services.verify_agency(
                agency=agency, by=request.user, note=data["note"]
            ),
            done=f"{agency.legal_name} is verified.",
            error=services.AgencyError,
        )

    @admin.action(description="Verify agency", permissions=["change"])
    def verify_agency(self, request, queryset):
        return self._one_selected(
            request, queryset, "admin:applications_agency_verify",
            "Select one agency at a time: each needs its own note of what was checked.",
        )  # fmt: skip


class DesignationFilter(admin.SimpleListFilter):
    title = "AR designation"
    parameter_name = "designated"

    def lookups(self, request, model_admin):
        return [("self", "Self-designated"), ("other", "Designated by someone else")]

    def queryset(self, request, queryset):
        self_designated = Q(representative_designated_by=F("user"))
        if self.value() == "self":
            return queryset.filter(self_designated, is_authorized_representative=True)
        if self.value() == "other":
            return queryset.filter(is_authorized_representative=True).exclude(self_designated)
        return queryset


@admin.register(Membership)
class MembershipAdmin(ObjectActionMixin, AuditTrailMixin, SimpleHistoryAdmin):
    """Read-only. Staff change a membership only by revoking an Authorized Representative
    designation; everything else is the agency administrators' (through the services)."""

    list_display = ["person", "agency_name", "status", "administrator", "representative",
                    "requested"]  # fmt: skip
    list_filter = ["status", "is_administrator", "is_authorized_representative",
                   DesignationFilter, AgencyStateFilter]  # fmt: skip
    search_fields = ["user__email", "user__last_name", "agency__legal_name", "agency__ori"]
    list_select_related = ["user", "agency", "representative_designated_by"]
    actions = ["revoke_representative"]
    change_form_template = "admin/applications/membership/change_form.html"
    fields = ["user", "agency", "status", "is_administrator", "is_authorized_representative",
              "ar_designated_by", "requested", "decided", "decided_by", "audit_trail"]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False  # people ask to join, or register an agency, on the public site

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # an agency administrator removes members; the row stays as history

    def save_model(self, request, obj, form, change) -> None:
        pass  # nothing here is editable: a posted form must not even touch the row

    @admin.display(description="person", ordering="user__email")
    def person(self, obj: Membership) -> str:
        return format_html("{}<br>{}", obj.user, obj.user.email)

    @admin.display(description="agency", ordering="agency__legal_name")
    def agency_name(self, obj: Membership) -> str:
        return obj.agency.legal_name

    @admin.display(description="admin", boolean=True, ordering="is_administrator")
    def administrator(self, obj: Membership) -> bool:
        return obj.is_administrator

    @admin.display(description="AR", ordering="is_authorized_representative")
    def representative(self, obj: Membership) -> str:
        if not obj.is_authorized_representative:
            return "No"
        if obj.is_self_designated_representative:
            return warning("Self-designated")
        return f"Designated by {obj.representative_designated_by or '(not recorded)'}"

    @admin.display(description="AR designated by")
    def ar_designated_by(self, obj: Membership) -> str:
        return designation(obj)

    @admin.display(description="requested", ordering="requested_at")
    def requested(self, obj: Membership) -> str:
        return format_eastern(obj.requested_at)

    @admin.display(description="decided")
    def decided(self, obj: Membership) -> str:
        return format_eastern(obj.decided_at)

    def get_urls(self):
        revoke = self.admin_site.admin_view(self.revoke_view)
        return [path("<path:object_id>/revoke-representative/", revoke,
                     name="applications_membership_revoke_representative"),
                *super().get_urls()]  # fmt: skip

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Nothing on this page is editable: no Save buttons.
        context.update(show_save=False, show_save_and_continue=False,
                       show_save_and_add_another=False)  # fmt: skip
        context["can_revoke"] = (
            obj is not None
            and obj.is_authorized_representative
            and self.has_change_permission(request, obj)
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def revoke_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        membership = self.get_object_or_404(request, object_id)
        if not self.has_change_permission(request, membership):
            raise PermissionDenied
        if not membership.is_authorized_representative:
            self.message_user(
                request, f"{membership.user} is not an Authorized Representative.",
                messages.WARNING,
            )  # fmt: skip
            return redirect("admin:applications_membership_change", membership.pk)
        designated = (
            "They designated themselves when they registered the agency or changed their own "
            "roles; nobody else at the agency vouched for it. "
            if membership.is_self_designated_representative
            else ""
        )
        return self.action_page(
            request,
            obj=membership,
            form_class=RevokeForm,
            title="Revoke Authorized Representative designation",
            intro=f"{designated}{membership.user} stays a member of "
            f"{membership.agency.legal_name} but can no longer certify and submit applications. "
            "They and the agency's administrators are told by email, with your reason.",
            submit="Revoke designation",
            perform=lambda data: services.revoke_representative(
                membership=membership, by=request.user, reason=data["reason"]
            ),
            done=f"{membership.user} is no longer an Authorized Representative of "
            f"{membership.agency.legal_name}.",
            error=services.MembershipError,
        )

    @admin.action(description="Revoke Authorized Representative designation",
                  permissions=["change"])  # fmt: skip
    def revoke_representative(self, request, queryset):
        return self._one_selected(
            request, queryset, "admin:applications_membership_revoke_representative",
            "Select one membership at a time: each revocation needs its own reason.",
        )  # fmt: skip
