"""MOU versions in the admin: the program specialist's list (filter by status, by due in 14
days or overdue) and review screen for one version: the metadata, the file, the award's earlier
versions and a checklist of the five required elements, each present or missing with a comment,
then Approve or Request changes. Nothing is edited here: decisions go through
mou/services/review.py."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from applications.models import AwardCondition
from copsgrants.admin import AuditTrailMixin, format_eastern, register_event_labels

from . import services
from .models import Element, MouReminder, MouVersion


def _version(event) -> str:
    return f"v{event.data.get('version', '?')}"


def _approved(event) -> str:
    superseded = event.data.get("superseded_version")
    tail = f", replacing v{superseded}" if superseded else ""
    return f"MOU {_version(event)} approved{tail}"


def _changes_requested(event) -> str:
    missing = event.data.get("missing") or []
    return f"MOU {_version(event)}: changes requested" + (
        f" (missing: {'; '.join(missing)})" if missing else ""
    )


def _reminder(event) -> str:
    kind = event.data.get("kind", "")
    label = MouReminder.Kind(kind).label if kind in MouReminder.Kind.values else kind
    return f"MOU reminder sent: {label} ({event.data.get('due_date', '')})"


register_event_labels(
    {
        "mou.uploaded": lambda event: f"MOU {_version(event)} uploaded",
        "mou.approved": _approved,
        "mou.changes_requested": _changes_requested,
        "mou.reminder": _reminder,
    }
)

PRESENCE = [("present", "Present"), ("missing", "Missing")]
# The review screen's two submit buttons (their value is their label).
ACTIONS = {"Approve": "approve", "Request changes": "request_changes"}


class ReviewForm(forms.Form):
    """For each required element, present or missing and a comment; an overall note."""

    note = forms.CharField(
        label="Message to the agency",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="Emailed with the decision. Required to request changes when every element "
        "is present.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for element in Element:
            self.fields[f"{element.value}_present"] = forms.ChoiceField(
                label=element.label,
                choices=PRESENCE,
                widget=forms.RadioSelect(attrs={"class": "radiolist inline"}),
            )
            self.fields[f"{element.value}_comment"] = forms.CharField(
                label="Comment",
                max_length=2000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
            )
        self.order_fields([*(name for name in self.fields if name != "note"), "note"])

    def elements(self) -> list[tuple[Element, forms.BoundField, forms.BoundField]]:
        return [
            (element, self[f"{element.value}_present"], self[f"{element.value}_comment"])
            for element in Element
        ]

    def checks(self) -> dict[str, tuple[bool, str]]:
        data = self.cleaned_data
        return {
            element.value: (
                data[f"{element.value}_present"] == "present",
                data[f"{element.value}_comment"],
            )
            for element in Element
        }


def long_date(day: date) -> str:
    """ "January 12, 2027"."""
    return f"{day:%B} {day.day}, {day.year}"


def sro_condition(field: str) -> Subquery:
    return Subquery(
        AwardCondition.objects.filter(
            award=OuterRef("award"), code=AwardCondition.Code.SRO_MOU
        ).values(field)[:1]
    )


class DueFilter(admin.SimpleListFilter):
    """By the award's MOU due date, while the condition is not met."""

    title = "MOU due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("14", "Due in 14 days"), ("overdue", "Overdue")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        open_condition = {
            "award__conditions__code": AwardCondition.Code.SRO_MOU,
            "award__conditions__cleared_at__isnull": True,
        }
        if self.value() == "14":
            return queryset.filter(
                **open_condition,
                award__conditions__due_date__range=(today, today + timedelta(days=14)),
            )
        if self.value() == "overdue":
            return queryset.filter(**open_condition, award__conditions__due_date__lt=today)
        return queryset


@admin.register(MouVersion)
class MouVersionAdmin(AuditTrailMixin, admin.ModelAdmin):
    list_display = ["award_number", "agency", "version", "status", "uploaded", "due_date",
                    "decided_by"]  # fmt: skip
    list_filter = ["status", DueFilter]
    ordering = ["-uploaded_at"]
    list_select_related = ["award__agency", "decided_by"]
    search_fields = ["award__number", "award__agency__legal_name"]
    change_form_template = "admin/mou/mouversion/change_form.html"
    fieldsets = (
        (None, {"fields": ("award_link", "version", "status", "file_link", "uploaded",
                           "uploaded_by")}),
        ("The MOU", {"fields": ("school_district", "schools", "agency_signatory",
                                "agency_signed", "school_signatory", "school_signed",
                                "note")}),
        ("Review", {"fields": ("decision", "checklist")}),
        ("Record", {"fields": ("audit_trail",)}),
    )  # fmt: skip
    readonly_fields = ["award_link", "version", "status", "file_link", "uploaded", "uploaded_by",
                       "school_district", "schools", "agency_signatory", "agency_signed",
                       "school_signatory", "school_signed", "note", "decision", "checklist",
                       "audit_trail"]  # fmt: skip

    def get_queryset(self, request) -> QuerySet[MouVersion]:
        return (
            super()
            .get_queryset(request)
            .annotate(mou_due=sro_condition("due_date"), mou_cleared=sro_condition("cleared_at"))
        )

    def has_add_permission(self, request) -> bool:
        return False  # agencies upload on the public site

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # decided on the review screen only

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm(services.REVIEW_PERMISSION)

    def get_urls(self):
        review = self.admin_site.admin_view(self.review_view)
        return [
            path("<path:object_id>/review/", review, name="mou_mouversion_review"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_review"] = (
            obj is not None
            and self.has_review_permission(request)
            and obj.status == MouVersion.Status.SUBMITTED
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Columns and fields -------------------------------------------------------------------

    @admin.display(description="award", ordering="award__number")
    def award_number(self, obj: MouVersion) -> str:
        return obj.award.number

    @admin.display(description="agency", ordering="award__agency__legal_name")
    def agency(self, obj: MouVersion) -> str:
        return obj.award.agency.legal_name

    @admin.display(description="uploaded", ordering="uploaded_at")
    def uploaded(self, obj: MouVersion) -> str:
        return format_eastern(obj.uploaded_at)

    @admin.display(description="date the agency signed")
    def agency_signed(self, obj: MouVersion) -> str:
        return long_date(obj.agency_signed_on)

    @admin.display(description="date the school official signed")
    def school_signed(self, obj: MouVersion) -> str:
        return long_date(obj.school_signed_on)

    @admin.display(description="MOU due", ordering="mou_due")
    def due_date(self, obj: MouVersion) -> str:
        due = getattr(obj, "mou_due", None)
        if due is None:
            return "-"
        text = long_date(due)
        if getattr(obj, "mou_cleared", None):
            return f"{text} (met)"
        if due < timezone.localdate():
            return format_html("<strong>{} (overdue)</strong>", text)
        return text

    @admin.display(description="award")
    def award_link(self, obj: MouVersion) -> str:
        award = obj.award
        return format_html(
            '<a href="{}">{}</a>, {}',
            reverse("admin:applications_award_change", args=[award.pk]),
            award.number,
            award.agency.legal_name,
        )

    @admin.display(description="file")
    def file_link(self, obj: MouVersion) -> str:
        return format_html(
            '<a href="{}">{}</a> ({} page{}, {} KB, SHA-256 {})',
            download_url(obj),
            obj.original_name,
            obj.pages,
            "" if obj.pages == 1 else "s",
            max(1, round(obj.size / 1024)),
            obj.sha256[:12],
        )

    @admin.display(description="decision")
    def decision(self, obj: MouVersion) -> str:
        if obj.decided_at is None:
            return obj.get_status_display()
        return format_html(
            "{} {} by {}{}",
            obj.get_status_display(),
            format_eastern(obj.decided_at),
            obj.decided_by or "COPS",
            f": {obj.decision_note}" if obj.decision_note else ".",
        )

    @admin.display(description="checklist")
    def checklist(self, obj: MouVersion) -> str:
        checks = list(obj.checks.all())
        if not checks:
            return "Not reviewed yet."
        return format_html_join(
            "",
            '<div data-element="{}"><strong>{}</strong>: {}{}</div>',
            (
                (
                    check.element,
                    check.get_element_display(),
                    "present" if check.present else "missing",
                    f" ({check.comment})" if check.comment else "",
                )
                for check in checks
            ),
        )

    # The review screen --------------------------------------------------------------------

    def review_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.has_review_permission(request):
            raise PermissionDenied
        mou = self.get_object_or_404(request, object_id)
        change_url = reverse("admin:mou_mouversion_change", args=[mou.pk])
        allowed, reason = services.can_review_mou(request.user, mou)
        if not allowed:
            self.message_user(request, reason, messages.WARNING)
            return redirect(change_url)
        action = ACTIONS.get(request.POST.get("action", "")) if request.method == "POST" else None
        form = ReviewForm(request.POST if action else None)
        if action is not None and form.is_valid():
            decide = services.approve_mou if action == "approve" else services.request_mou_changes
            try:
                decide(
                    mou=mou,
                    by=request.user,
                    checks=form.checks(),
                    note=form.cleaned_data["note"],
                )
            except services.MouError as exc:
                form.add_error(None, str(exc))
            else:
                done = (
                    f"Approved {mou}; the agency has been emailed."
                    if action == "approve"
                    else f"Changes requested for {mou}; the agency has been emailed."
                )
                self.message_user(request, done, messages.SUCCESS)
                return redirect(change_url)
        award = mou.award
        return TemplateResponse(
            request,
            "admin/mou/mouversion/review.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Review {mou}",
                "subtitle": award.agency.legal_name,
                "mou": mou,
                "award": award,
                "award_url": reverse("admin:applications_award_change", args=[award.pk]),
                "download_url": download_url(mou),
                "condition": award.conditions.filter(code=AwardCondition.Code.SRO_MOU).first(),
                "earlier": list(
                    award.mou_versions.exclude(pk=mou.pk)
                    .select_related("decided_by")
                    .order_by("-version")
                ),
                "form": form,
                "audit_trail": self.audit_trail(mou),
                "opts": self.model._meta,
                "object": mou,
                "change_url": change_url,
            },
        )


def download_url(mou: MouVersion) -> str:
    """The permission-checked download of the version's file (mou/views)."""
    return reverse("mou:mou_download", args=[mou.award_id, mou.version])


@admin.register(MouReminder)
class MouReminderAdmin(admin.ModelAdmin):
    """Every MOU reminder sent, read-only (the beat task writes them)."""

    list_display = ["award", "kind", "due_date", "sent"]
    list_filter = ["kind"]
    list_select_related = ["award"]
    search_fields = ["award__number", "award__agency__legal_name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="sent", ordering="sent_at")
    def sent(self, obj: MouReminder) -> str:
        return format_eastern(obj.sent_at)
