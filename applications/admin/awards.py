"""Awards in the admin: make them from a released plan's page, follow a batch's letters (a
progress bar that static/js/letter-progress.js refreshes from a JSON endpoint), list the awards
with their letter's state, retry a failed letter and re-issue a corrected one. Every change goes
through applications/services/awards.py."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from copsgrants.admin import AuditTrailMixin, format_eastern, register_event_labels

from .. import services
from ..budget import format_dollars
from ..models import Award, AwardLetter, FundingPlan
from .common import ObjectActionMixin
from .implementation import MouConditionFilter

register_event_labels(
    {
        "award.made": lambda event: f"Award made: {event.message}",
        "plan.awards_made": lambda event: f"Awards made: {event.message}",
        "letter.retried": lambda event: f"Letter rendering retried: {event.message}",
        "letter.reissued": lambda event: f"Letter re-issued: {event.message}",
    }
)

LETTER_STATES = [status.value for status in AwardLetter.Status]


def latest_letter(field: str) -> Subquery:
    return Subquery(
        AwardLetter.objects.filter(award=OuterRef("pk")).order_by("-version").values(field)[:1]
    )


def with_letter_state(awards: QuerySet[Award]) -> QuerySet[Award]:
    """Each award with its latest letter's version, state and error."""
    return awards.annotate(
        letter_version=latest_letter("version"),
        letter_status=latest_letter("status"),
        letter_error=latest_letter("error"),
    )


def batch_progress(plan: FundingPlan) -> dict:
    """How far the letters of a plan's awards are: the latest version of each award's letter."""
    rows = (
        with_letter_state(Award.objects.filter(plan=plan))
        .order_by()
        .values("letter_status")
        .annotate(n=Count("pk"))
    )
    counts = dict.fromkeys(LETTER_STATES, 0)
    for row in rows:
        counts[row["letter_status"]] = row["n"]
    total = sum(counts.values())
    ready = counts[AwardLetter.Status.READY]
    return {
        **counts,
        "total": total,
        "label": f"{ready} of {total} letters ready",
        "done": counts["pending"] + counts["rendering"] == 0,
    }


class ConfirmForm(forms.Form):
    """Nothing to fill in: the button is the decision."""


class ReissueForm(forms.Form):
    reason = forms.CharField(
        label="Why a new letter",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="The correction made. The earlier letter is kept in the award's record.",
    )


def require_manager(user) -> None:
    allowed, reason = services.can_manage_letters(user)
    if not allowed:
        raise PermissionDenied(reason)


@admin.register(Award)
class AwardAdmin(ObjectActionMixin, AuditTrailMixin, admin.ModelAdmin):
    list_display = ["number", "agency", "federal", "positions", "is_sro", "status", "letter",
                    "deadline"]  # fmt: skip
    list_filter = ["status", "is_sro", MouConditionFilter, "plan"]
    list_select_related = ["agency"]
    search_fields = ["number", "agency__legal_name"]

    def get_queryset(self, request):
        return with_letter_state(super().get_queryset(request))

    def has_add_permission(self, request) -> bool:
        return False  # made from a released plan

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # letters change only through retry and re-issue

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="federal amount", ordering="federal_amount")
    def federal(self, obj: Award) -> str:
        return format_dollars(obj.federal_amount)

    @admin.display(description="letter", ordering="letter_status")
    def letter(self, obj: Award) -> str:
        if obj.letter_status is None:
            return "-"
        state = AwardLetter.Status(obj.letter_status).label
        if obj.letter_status == AwardLetter.Status.FAILED:
            return format_html(
                '<span class="letter-state letter-failed">v{} failed: {}</span>',
                obj.letter_version,
                obj.letter_error[:200],
            )
        return format_html(
            '<span class="letter-state letter-{}">v{} {}</span>',
            obj.letter_status,
            obj.letter_version,
            state.lower(),
        )

    @admin.display(description="acceptance deadline", ordering="acceptance_deadline")
    def deadline(self, obj: Award) -> str:
        return format_eastern(obj.acceptance_deadline)

    def changelist_view(self, request, extra_context=None):
        batches = [
            (plan, batch_progress(plan))
            for plan in FundingPlan.objects.filter(awards__isnull=False)
            .distinct()
            .select_related("solicitation")
            .order_by("-released_at")[:5]
        ]
        return super().changelist_view(request, {**(extra_context or {}), "batches": batches})

    def get_urls(self):
        def view(function, route: str, name: str):
            return path(route, self.admin_site.admin_view(function),
                        name=f"applications_award_{name}")  # fmt: skip

        return [
            view(self.make_view, "make/<int:plan_id>/", "make"),
            view(self.batch_view, "batch/<int:plan_id>/", "batch"),
            view(self.progress_view, "batch/<int:plan_id>/progress.json", "progress"),
            view(self.retry_view, "<path:object_id>/letters/<int:version>/retry/", "retry"),
            view(self.reissue_view, "<path:object_id>/reissue/", "reissue"),
            *super().get_urls(),
        ]

    # Pages ---------------------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        award = self._award(request, object_id)
        can_reissue, reissue_reason = services.can_reissue_letter(request.user, award)
        return TemplateResponse(
            request,
            "admin/applications/award/award.html",
            {
                **self.admin_site.each_context(request),
                "title": str(award),
                "award": award,
                "opts": self.model._meta,
                "conditions": list(award.conditions.all()),
                "letters": list(award.letters.all()),
                "signatures": list(award.signatures.all()),
                "hires": list(award.hires.all()),
                "drawdowns": list(award.drawdowns.order_by("number")),
                "can_manage": services.can_manage_letters(request.user)[0],
                "can_reissue": can_reissue,
                "reissue_reason": reissue_reason,
                "audit_trail": self.audit_trail(award),
            },
        )

    def batch_view(self, request: HttpRequest, plan_id: int) -> HttpResponse:
        plan = self._plan(request, plan_id)
        return TemplateResponse(
            request,
            "admin/applications/award/batch.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Award letters: {plan.solicitation.code}",
                "plan": plan,
                "opts": self.model._meta,
                "progress": batch_progress(plan),
                "failed": with_letter_state(plan.awards.select_related("agency")).filter(
                    letter_status=AwardLetter.Status.FAILED
                ),
                "can_manage": services.can_manage_letters(request.user)[0],
            },
        )

    def progress_view(self, request: HttpRequest, plan_id: int) -> JsonResponse:
        return JsonResponse(batch_progress(self._plan(request, plan_id)))

    # Actions -------------------------------------------------------------------------------

    def make_view(self, request: HttpRequest, plan_id: int) -> HttpResponse:
        plan = get_object_or_404(FundingPlan.objects.select_related("solicitation"), pk=plan_id)
        allowed, reason = services.can_make_awards(request.user, plan)
        if not request.user.has_perm("applications.make_awards"):
            raise PermissionDenied(reason)
        recommended = plan.lines.filter(positions_funded__gt=0).count()
        response = self.action_page(
            request,
            obj=plan,
            form_class=ConfirmForm,
            title="Make awards",
            intro=(
                f"Make {recommended} awards from this plan, numbered in FY"
                f"{plan.solicitation.fiscal_year}'s sequence with the plan's amounts. Each "
                "award's letter is then rendered by a worker and its agency is emailed a link."
                + ("" if allowed else f" Not possible now: {reason}")
            ),
            submit="Make awards",
            perform=lambda data: services.make_awards(plan=plan, by=request.user),
            done="Awards made; their letters are being rendered.",
            error=services.AwardError,
        )
        if response.status_code == 302:
            response["Location"] = reverse("admin:applications_award_batch", args=[plan.pk])
        return response

    def retry_view(self, request: HttpRequest, object_id: str, version: int) -> HttpResponse:
        award = self._award(request, object_id)
        require_manager(request.user)
        letter = get_object_or_404(AwardLetter, award=award, version=version)
        return self.action_page(
            request,
            obj=award,
            form_class=ConfirmForm,
            title=f"Retry letter v{version}",
            intro=f"Render letter v{version} again. It failed with: {letter.error or '-'}",
            submit="Retry",
            perform=lambda data: services.retry_letter(letter=letter, by=request.user),
            done=f"Letter v{version} queued again.",
            error=services.AwardError,
        )

    def reissue_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        award = self._award(request, object_id)
        require_manager(request.user)
        return self.action_page(
            request,
            obj=award,
            form_class=ReissueForm,
            title="Re-issue the letter",
            intro=(
                "Render a new version of the letter from the award as it is now; the agency "
                "is emailed a link. Earlier versions stay in the award's record."
            ),
            submit="Re-issue letter",
            perform=lambda data: services.reissue_letter(
                award=award, by=request.user, reason=data["reason"]
            ),
            done="A new letter version is being rendered.",
            error=services.AwardError,
        )

    def _award(self, request: HttpRequest, object_id: str) -> Award:
        award = self.get_object_or_404(request, object_id)
        if not self.has_view_permission(request, award):
            raise PermissionDenied
        return award

    def _plan(self, request: HttpRequest, plan_id: int) -> FundingPlan:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(FundingPlan.objects.select_related("solicitation"), pk=plan_id)
