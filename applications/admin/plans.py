"""Funding plans in the admin: draft one from a solicitation's page, read it (totals, each
state's share against its minimum, the lines, the adjustments and their memos), adjust a draft
line with a memo, approve it (a second grants manager), release the decisions, and download the
solicitation's audit bundle. Every change goes through applications/services/plans.py."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from copsgrants.admin import AuditTrailMixin, format_eastern, register_event_labels

from .. import planning, services
from ..audit_bundle import build_audit_bundle
from ..budget import format_dollars
from ..decisions import plan_candidates
from ..models import Application, FundingPlan, PlanAdjustment, PlanLine, Solicitation
from ..services.plans import states_with_eligible
from .common import ObjectActionMixin

register_event_labels(
    {
        "plan.drafted": lambda event: f"Funding plan drafted: {event.message}",
        "plan.discarded": "Stale draft funding plan discarded",
        "plan.adjusted": lambda event: (
            f"Plan adjusted ({event.data.get('kind', '').replace('_', ' ')}): {event.message}"
        ),
        "plan.approved": "Funding plan approved",
        "plan.released": lambda event: f"Decisions released: {event.message}",
        "application.recommended": lambda event: f"Recommended for funding: {event.message}",
        "application.not_selected": lambda event: f"Not selected: {event.message}",
        "application.decision_released": lambda event: f"Decision released ({event.message})",
    }
)

BUNDLE_PERMISSIONS = (
    "applications.compute_scores",
    "applications.draft_funding_plan",
    "applications.approve_funding_plan",
)


class AdjustForm(forms.Form):
    kind = forms.ChoiceField(label="Adjustment", choices=PlanAdjustment.Kind.choices)
    positions = forms.IntegerField(
        label="Positions to fund",
        required=False,
        min_value=1,
        help_text="Only when reducing: fewer than the application requested.",
    )
    memo = forms.CharField(
        label="Memo",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text="Why: recorded on the plan and in the audit bundle.",
    )


class ConfirmForm(forms.Form):
    """Nothing to fill in: the button is the decision."""


def can_download_bundle(user) -> bool:
    return any(user.has_perm(p) for p in BUNDLE_PERMISSIONS)


@admin.register(FundingPlan)
class FundingPlanAdmin(ObjectActionMixin, AuditTrailMixin, admin.ModelAdmin):
    list_display = ["solicitation", "status", "drafted", "drafted_by", "approved_by",
                    "released", "line_count"]  # fmt: skip
    list_filter = ["status", "solicitation"]
    list_select_related = ["solicitation", "drafted_by", "approved_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_lines=Count("lines"))

    def has_add_permission(self, request) -> bool:
        return False  # drafted from the solicitation's page, from its current scores

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # lines change only through adjustments

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="drafted", ordering="drafted_at")
    def drafted(self, obj: FundingPlan) -> str:
        return format_eastern(obj.drafted_at)

    @admin.display(description="released", ordering="released_at")
    def released(self, obj: FundingPlan) -> str:
        return format_eastern(obj.released_at)

    @admin.display(description="lines", ordering="_lines")
    def line_count(self, obj: FundingPlan) -> int:
        return obj._lines

    def get_urls(self):
        def view(function, route: str, name: str):
            return path(route, self.admin_site.admin_view(function),
                        name=f"applications_fundingplan_{name}")  # fmt: skip

        return [
            view(self.draft_view, "draft/<int:solicitation_id>/", "draft"),
            view(self.bundle_view, "audit-bundle/<int:solicitation_id>/", "audit_bundle"),
            view(self.adjust_view, "<path:object_id>/adjust/<int:application_id>/", "adjust"),
            view(self.approve_view, "<path:object_id>/approve/", "approve"),
            view(self.release_view, "<path:object_id>/release/", "release"),
            *super().get_urls(),
        ]

    # The plan page ------------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        plan = self.get_object_or_404(request, object_id)
        if not self.has_view_permission(request, plan):
            raise PermissionDenied
        lines = list(plan.lines.select_related("application__agency").order_by("rank"))
        adjustments = list(plan.adjustments.select_related("application__agency", "made_by"))
        adjusted = {a.application_id for a in adjustments}
        candidates = plan_candidates(plan)
        allocations = [
            planning.Allocation(key=line.application_id, positions_funded=line.positions_funded,
                                federal_funded=line.federal_funded, basis=line.basis)
            for line in lines
        ]  # fmt: skip
        shares = planning.state_shares(
            candidates=candidates,
            allocations=allocations,
            appropriation=plan.appropriation,
            state_minimum_percent=plan.state_minimum_percent,
            states_with_eligible=states_with_eligible(plan.solicitation),
        )
        funded = sum((line.federal_funded for line in lines), planning.ZERO)
        can_draft, draft_reason = services.can_draft_plan(request.user)
        can_approve, approve_reason = services.can_approve_plan(request.user, plan)
        can_release, release_reason = services.can_release_decisions(request.user, plan)
        can_award, award_reason = services.can_make_awards(request.user, plan)
        is_draft = plan.status == FundingPlan.Status.DRAFT
        return TemplateResponse(
            request,
            "admin/applications/plan/plan.html",
            {
                **self.admin_site.each_context(request),
                "title": str(plan),
                "plan": plan,
                "opts": self.model._meta,
                "lines": [(line, line.application_id in adjusted) for line in lines],
                "adjustments": adjustments,
                "shares": shares,
                "minimum": planning.state_minimum(plan.appropriation, plan.state_minimum_percent),
                "funded": funded,
                "remainder": plan.appropriation - funded,
                "positions_funded": sum(line.positions_funded for line in lines),
                "funded_count": sum(1 for line in lines if line.positions_funded),
                "funding_line": planning.funds_ran_out_at(candidates, allocations),
                "can_adjust": is_draft and can_draft,
                "adjust_reason": draft_reason if is_draft else "",
                "can_approve": can_approve,
                "approve_reason": approve_reason,
                "can_release": can_release and plan.status == FundingPlan.Status.APPROVED,
                "release_reason": release_reason,
                "can_download_bundle": can_download_bundle(request.user),
                "can_make_awards": can_award,
                "award_reason": award_reason,
                "has_awards": plan.awards.exists(),
                "audit_trail": self.audit_trail(plan),
            },
        )

    # Actions ------------------------------------------------------------------------------

    def draft_view(self, request: HttpRequest, solicitation_id: int) -> HttpResponse:
        solicitation = get_object_or_404(Solicitation, pk=solicitation_id)
        allowed, reason = services.can_draft_plan(request.user)
        if not allowed:
            raise PermissionDenied(reason)
        form = ConfirmForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                plan = services.draft_funding_plan(solicitation=solicitation, by=request.user)
            except services.PlanError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, f"Drafted {plan}.", messages.SUCCESS)
                return redirect("admin:applications_fundingplan_change", plan.pk)
        return TemplateResponse(
            request,
            "admin/applications/action_form.html",
            {
                **self.admin_site.each_context(request),
                "title": "Draft funding plan",
                "intro": (
                    f"Fund the ranked applications of the current scores from the "
                    f"appropriation of {format_dollars(solicitation.total_funds)}: each state's "
                    "0.5% minimum first, then national rank order. You can adjust the draft; "
                    "another grants manager approves it."
                ),
                "submit": "Draft funding plan",
                "form": form,
                "object": solicitation,
                "opts": Solicitation._meta,
                "change_url": reverse("admin:applications_solicitation_change",
                                      args=[solicitation.pk]),
            },
        )  # fmt: skip

    def bundle_view(self, request: HttpRequest, solicitation_id: int) -> HttpResponse:
        solicitation = get_object_or_404(Solicitation, pk=solicitation_id)
        if not can_download_bundle(request.user):
            raise PermissionDenied
        response = HttpResponse(build_audit_bundle(solicitation), content_type="application/zip")
        filename = f"{solicitation.code}-audit-bundle.zip"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def _plan(self, request: HttpRequest, object_id: str) -> FundingPlan:
        plan = self.get_object_or_404(request, object_id)
        if not self.has_view_permission(request, plan):
            raise PermissionDenied
        return plan

    def adjust_view(self, request: HttpRequest, object_id: str, application_id: int):
        plan = self._plan(request, object_id)
        allowed, reason = services.can_draft_plan(request.user)
        if not allowed:
            raise PermissionDenied(reason)
        line = get_object_or_404(PlanLine.objects.select_related("application__agency"),
                                 plan=plan, application_id=application_id)  # fmt: skip
        application: Application = line.application

        def perform(data):
            return services.adjust_plan(
                plan=plan, application=application, by=request.user, kind=data["kind"],
                memo=data["memo"], positions=data["positions"],
            )  # fmt: skip

        return self.action_page(
            request,
            obj=plan,
            form_class=AdjustForm,
            title=f"Adjust rank {line.rank}: {application.agency.legal_name}",
            intro=(
                f"Requested {line.positions_requested} positions "
                f"({format_dollars(line.federal_requested)}); the draft funds "
                f"{line.positions_funded} ({format_dollars(line.federal_funded)}). "
                "The plan is recomputed with every adjustment."
            ),
            submit="Adjust the plan",
            perform=perform,
            done=f"Adjusted the plan for {application.agency.legal_name}.",
            error=services.PlanError,
        )

    def approve_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        plan = self._plan(request, object_id)
        if not request.user.has_perm("applications.approve_funding_plan"):
            raise PermissionDenied
        totals = plan.lines.aggregate(federal=Sum("federal_funded"), funded=Count("pk"))
        return self.action_page(
            request,
            obj=plan,
            form_class=ConfirmForm,
            title="Approve funding plan",
            intro=(
                f"Funded applications become recommended and the others not selected "
                f"({format_dollars(totals['federal'] or 0)} of "
                f"{format_dollars(plan.appropriation)}). Agencies are told only when you "
                "release the decisions."
            ),
            submit="Approve funding plan",
            perform=lambda data: services.approve_plan(plan=plan, by=request.user),
            done=f"Approved {plan.solicitation.code}'s funding plan.",
            error=services.PlanError,
        )

    def release_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        plan = self._plan(request, object_id)
        if not request.user.has_perm("applications.approve_funding_plan"):
            raise PermissionDenied
        return self.action_page(
            request,
            obj=plan,
            form_class=ConfirmForm,
            title="Release decisions",
            intro=(
                "Email every agency of the solicitation its decision: recommended (positions "
                "and federal amount), not selected (with its rank and the funding line), or "
                "ineligible (with the screening reason). Their dashboards show it from now on."
            ),
            submit="Release decisions",
            perform=lambda data: services.release_decisions(plan=plan, by=request.user),
            done="Decisions released to the agencies.",
            error=services.PlanError,
        )


def plan_tools(user, solicitation: Solicitation) -> dict:
    """The funding-plan links on a solicitation's admin page."""
    plan = solicitation.funding_plans.first()
    return {
        "plan": plan,
        "can_draft": services.can_draft_plan(user)[0]
        and (plan is None or plan.status == FundingPlan.Status.DRAFT),
        "solicitation": solicitation,
        "can_download_bundle": can_download_bundle(user),
    }
