"""Screening in the admin: the program specialist's page for one submitted application (the
agency, the key figures, the data-check flags with a resolve form each, the match-waiver
decision and the eligibility decision), the flags on the application's own page, and a
read-only list of every flag."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from copsgrants.admin import format_eastern, register_event_labels

from .. import services
from ..flags import figures, number, peer_figures
from ..flags import median as median_of
from ..models import Application, DataFlag
from ..services.screening import OPEN_TO_CHECKS
from .common import warning

SCREEN_PERMISSION = "applications.screen_application"


class ScreenForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("eligible", "Eligible: send it to review"), ("ineligible", "Ineligible")],
        widget=forms.RadioSelect,
    )
    reason = forms.ChoiceField(
        label="Reason it is ineligible",
        choices=[("", "---------"), *Application.IneligibilityReason.choices],
        required=False,
    )
    note = forms.CharField(
        label="Note",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="Required when ineligible: the agency reads it when decisions are released.",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "ineligible":
            if not data.get("reason"):
                self.add_error("reason", "Choose the reason the application is ineligible.")
            if not (data.get("note") or "").strip():
                self.add_error("note", "Explain the decision to the agency.")
        return data


class WaiverForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[
            (Application.WaiverDecision.APPROVED_PARTIAL, "Approve a partial waiver"),
            (Application.WaiverDecision.APPROVED_FULL, "Approve a full waiver"),
            (Application.WaiverDecision.DENIED, "Deny the waiver"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="The agency sees the decision; a denial shows this reason.",
    )


class ResolveFlagForm(forms.Form):
    resolution = forms.ChoiceField(
        label="Resolution",
        choices=[
            (DataFlag.Resolution.VERIFIED, DataFlag.Resolution.VERIFIED.label),
            (DataFlag.Resolution.CORRECTED, DataFlag.Resolution.CORRECTED.label),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="How",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="The documentation seen, or what the agency corrected.",
    )


def key_figures(application: Application, own: dict, medians: dict) -> list[tuple[str, str, str]]:
    """(label, this application's figure, the solicitation's median) rows for the page."""
    budget = application.budget
    profile = application.agency_profile or {}
    agency = application.agency

    def fmt(value, suffix: str = "") -> str:
        return "-" if value is None else f"{number(value)}{suffix}"

    def count(name: str) -> str:
        value = profile.get(name, getattr(agency, name))
        return "-" if value is None else f"{value:,}"

    rows = [
        ("Jurisdiction population", count("jurisdiction_population"), ""),
        ("Sworn officers (actual)", count("sworn_force_actual"), ""),
        ("Positions requested", f"{application.total_positions:,}", ""),
        ("Federal share", f"{budget.federal_percent}%", ""),
        ("Federal request", f"${budget.total_federal:,.2f}", ""),
    ]
    for kind, suffix in (
        (DataFlag.Kind.CRIME_RATE, ""),
        (DataFlag.Kind.OFFICER_RATE, ""),
        (DataFlag.Kind.BUDGET_CHANGE, "%"),
        (DataFlag.Kind.UNEMPLOYMENT, "%"),
        (DataFlag.Kind.POVERTY, "%"),
    ):
        rows.append(
            (DataFlag.Kind(kind).label, fmt(own[kind], suffix), fmt(medians.get(kind), suffix))
        )
    return rows


def solicitation_medians(application: Application) -> dict:
    peers = peer_figures(application.solicitation_id, exclude=application.pk).values()
    medians = {}
    for kind in DataFlag.Kind.values:
        values = [p[kind] for p in peers if p[kind] is not None]
        medians[kind] = median_of(values) if values else None
    return medians


class ScreeningAdminMixin:
    """Adds the screening page (`<id>/screen/`) and the screening fields to ApplicationAdmin."""

    def has_screen_permission(self, request) -> bool:
        return request.user.has_perm(SCREEN_PERMISSION)

    def get_urls(self):
        screen = self.admin_site.admin_view(self.screen_view)
        return [
            path("<path:object_id>/screen/", screen, name="applications_application_screen"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        can_screen = (
            obj is not None and obj.status in OPEN_TO_CHECKS and self.has_screen_permission(request)
        )
        context["can_screen"] = can_screen
        context["screen_label"] = (
            "Screen"
            if obj is not None and obj.status == Application.Status.SUBMITTED
            else "Data checks and waiver"
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="screening")
    def screening_summary(self, obj: Application) -> str:
        parts = []
        if obj.screened_at:
            if obj.status == Application.Status.INELIGIBLE:
                parts.append(
                    format_html(
                        "Screened ineligible {} by {}: {}. {}",
                        format_eastern(obj.screened_at),
                        obj.screened_by or "COPS",
                        obj.get_ineligibility_reason_display(),
                        obj.ineligibility_note,
                    )
                )
            else:
                parts.append(
                    format_html(
                        "Screened eligible {} by {}.",
                        format_eastern(obj.screened_at),
                        obj.screened_by or "COPS",
                    )
                )
        else:
            parts.append(format_html("{}", "Not screened yet."))
        if obj.waiver_requested:
            if obj.waiver_decision:
                parts.append(
                    format_html(
                        "Match waiver ({} requested): {} {} by {}. {}",
                        obj.match_waiver,
                        obj.get_waiver_decision_display().lower(),
                        format_eastern(obj.waiver_decided_at),
                        obj.waiver_decided_by or "COPS",
                        obj.waiver_decision_reason,
                    )
                )
            else:
                parts.append(warning(f"Match waiver ({obj.match_waiver}) requested, not decided"))
        return format_html_join("", "<div>{}</div>", ((part,) for part in parts))

    @admin.display(description="data checks")
    def data_flags(self, obj: Application) -> str:
        flags = list(obj.flags.select_related("resolved_by"))
        if not flags:
            return "No flags raised."
        return format_html_join(
            "",
            "<div>{} {}</div>",
            (
                (
                    warning("Open:")
                    if flag.is_open
                    else format_html("<strong>{}:</strong>", flag.get_resolution_display()),
                    flag.message
                    if flag.is_open
                    else f"{flag.message} ({flag.resolved_by or 'COPS'}: {flag.resolution_note})",
                )
                for flag in flags
            ),
        )

    def screen_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        application = self.get_object_or_404(request, object_id)
        if not self.has_screen_permission(request):
            raise PermissionDenied
        change_url = reverse("admin:applications_application_change", args=[application.pk])
        if application.status not in OPEN_TO_CHECKS:
            self.message_user(
                request,
                f"Screening is for submitted applications and those under review; this one is "
                f"{application.get_status_display().lower()}.",
                messages.WARNING,
            )
            return redirect(change_url)
        screen_url = reverse("admin:applications_application_screen", args=[application.pk])
        action = request.POST.get("action", "") if request.method == "POST" else ""
        posted = request.POST if action else None
        screen_form = ScreenForm(posted if action == "screen" else None, prefix="screen")
        waiver_form = WaiverForm(posted if action == "waiver" else None, prefix="waiver")
        flag_forms: dict[int, ResolveFlagForm] = {}

        def attempt(form: forms.Form, perform, done: str, to: str) -> HttpResponse | None:
            if not form.is_valid():
                return None
            try:
                perform(form.cleaned_data)
            except services.ScreeningError as exc:
                form.add_error(None, str(exc))
                return None
            self.message_user(request, done, messages.SUCCESS)
            return redirect(to)

        response = None
        if action == "screen":
            response = attempt(
                screen_form,
                lambda data: services.screen_application(
                    application=application,
                    by=request.user,
                    eligible=data["decision"] == "eligible",
                    reason=data["reason"],
                    note=data["note"],
                ),
                f"Screened {application}.",
                change_url,
            )
        elif action == "waiver":
            response = attempt(
                waiver_form,
                lambda data: services.decide_match_waiver(
                    application=application,
                    by=request.user,
                    decision=data["decision"],
                    reason=data["reason"],
                ),
                "Match-waiver decision recorded.",
                screen_url,
            )
        elif action.startswith("flag-") and action.removeprefix("flag-").isdigit():
            flag = application.flags.filter(pk=int(action.removeprefix("flag-"))).first()
            if flag is not None:
                form = flag_forms[flag.pk] = ResolveFlagForm(posted, prefix=action)
                response = attempt(
                    form,
                    lambda data: services.resolve_flag(
                        flag=flag,
                        by=request.user,
                        resolution=data["resolution"],
                        note=data["note"],
                    ),
                    f"Flag resolved: {flag.get_kind_display()}.",
                    screen_url,
                )
        if response is not None:
            return response
        # The flags are derived data: opening the page brings them up to date with the
        # solicitation's current applications (resolutions of unchanged figures are kept).
        flags = services.refresh_flags(application=application)
        application.refresh_from_db()
        rows = []
        for flag in flags:
            form = None
            if flag.is_open:
                form = flag_forms.get(flag.pk) or ResolveFlagForm(prefix=f"flag-{flag.pk}")
            rows.append((flag, form))
        return TemplateResponse(
            request,
            "admin/applications/screening/screen.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Screen {application.tracking_number or application}",
                "subtitle": str(application),
                "application": application,
                "agency": application.agency,
                "agency_url": reverse(
                    "admin:applications_agency_change", args=[application.agency_id]
                ),
                "figures": key_figures(
                    application, figures(application), solicitation_medians(application)
                ),
                "flag_rows": rows,
                "open_flags": sum(1 for flag in flags if flag.is_open),
                "screen_form": screen_form,
                "waiver_form": waiver_form,
                "can_decide": application.status == Application.Status.SUBMITTED,
                "opts": self.model._meta,
                "object": application,
                "change_url": change_url,
            },
        )


class FlagStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", "Open"), ("no", "Resolved")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(resolution=DataFlag.Resolution.OPEN)
        if self.value() == "no":
            return queryset.exclude(resolution=DataFlag.Resolution.OPEN)
        return queryset


@admin.register(DataFlag)
class DataFlagAdmin(admin.ModelAdmin):
    """Every data-check flag, to see what is still open across a solicitation. Read-only:
    flags are resolved on the application's screening page."""

    list_display = ["application_link", "kind", "message", "status"]
    list_filter = [FlagStatusFilter, "kind", "application__solicitation"]
    list_select_related = ["application__agency", "application__solicitation"]
    search_fields = ["application__tracking_number", "application__agency__legal_name"]
    fields = [
        "application",
        "kind",
        "value",
        "message",
        "resolution",
        "resolution_note",
        "resolved_at",
        "resolved_by",
        "created_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="application", ordering="application__tracking_number")
    def application_link(self, obj: DataFlag) -> str:
        application = obj.application
        return format_html(
            '<a href="{}">{}</a> {}',
            reverse("admin:applications_application_change", args=[application.pk]),
            application.tracking_number or f"draft #{application.pk}",
            application.agency.legal_name,
        )

    @admin.display(description="status", ordering="resolution")
    def status(self, obj: DataFlag) -> str:
        return obj.get_resolution_display()


def _flag_resolved(event) -> str:
    resolution = DataFlag.Resolution(event.data.get("resolution", "")).label
    return f"Data flag resolved ({resolution.lower()}): {event.data.get('flag_message', '')}"


def _waiver_decided(event) -> str:
    decision = event.data.get("decision", "")
    label = Application.WaiverDecision(decision).label if decision else "decided"
    return f"Match waiver {label.lower()}; federal share {event.data.get('federal_percent')}%"


def _ineligible(event) -> str:
    reason = event.data.get("reason", "")
    label = dict(Application.IneligibilityReason.choices).get(reason, reason)
    return f"Screened ineligible: {label}"


register_event_labels(
    {
        "application.screened_eligible": "Screened eligible: sent to review",
        "application.screened_ineligible": _ineligible,
        "application.flag_resolved": _flag_resolved,
        "application.waiver_decided": _waiver_decided,
    }
)
