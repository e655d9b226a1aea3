"""Reviews in the admin (assigning reviewers is in assignments.py). Reviewers see only their own
assignments ("My reviews"), each with a review page: first the conflict-of-interest step, then
the application's answers and the rubric. Managers read every assignment and review and may
reopen a submitted one."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from copsgrants.admin import AuditTrailMixin, format_eastern, register_event_labels
from copsgrants.models import AuditEvent

from .. import services
from ..models import Review, ReviewAssignment
from ..presentation import section_answers
from ..sections import SECTIONS
from ..services.reviews import is_reviewer_only, other_submitted_totals, rules_in_force
from .common import ObjectActionMixin


def _with_reviewer(words: str):
    def label(event: AuditEvent) -> str:
        return f"{words}: {event.data.get('reviewer', '')}"

    return label


register_event_labels(
    {
        "review.assigned": lambda event: (
            "Reviewers assigned: " + ", ".join(event.data.get("reviewers", []))
        ),
        "review.no_conflict_certified": _with_reviewer("No conflict of interest certified"),
        "review.conflict_declared": _with_reviewer("Conflict of interest declared"),
        "review.submitted": lambda event: f"Review submitted, total {event.data.get('total')}",
        "review.reopened": "Review reopened",
    }
)


# Assignments and reviews ----------------------------------------------------------------------


class ReviewStatusFilter(admin.ChoicesFieldListFilter):
    """The review's own state, titled apart from the assignment's status."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.title = "review"


class CertifyForm(forms.Form):
    no_conflict = forms.BooleanField(label="I have no conflict of interest with this agency")


class DeclareForm(forms.Form):
    reason = forms.CharField(
        label="Describe the conflict of interest",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="The assignment ends and the grants managers are asked to reassign it.",
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why reopen this review?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="Recorded, and sent to the reviewer by email.",
    )


class RubricForm(forms.Form):
    """One score select and one comment per criterion of the rubric."""

    def __init__(self, *args, rubric: list[dict], saved: dict, locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.rubric = rubric
        for criterion in rubric:
            key, label = criterion["key"], criterion.get("label", criterion["key"])
            entry = saved.get(key) or {}
            score = entry.get("score")
            self.fields[f"score_{key}"] = forms.ChoiceField(
                label=f"{label} ({criterion['min']}-{criterion['max']})",
                choices=[("", "Not scored")]
                + [
                    (str(n), str(n))
                    for n in range(int(criterion["min"]), int(criterion["max"]) + 1)
                ],
                required=False,
                initial="" if score is None else str(score),
                help_text=criterion.get("guidance", ""),
                disabled=locked,
            )
            self.fields[f"comment_{key}"] = forms.CharField(
                label=f"Comment on {label.lower()}",
                required=False,
                max_length=services.reviews.MAX_COMMENT,
                widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
                initial=entry.get("comment", ""),
                disabled=locked,
            )

    def criteria(self):
        for criterion in self.rubric:
            key = criterion["key"]
            yield criterion, self[f"score_{key}"], self[f"comment_{key}"]

    def scores(self) -> dict[str, dict]:
        return {
            c["key"]: {
                "score": self.cleaned_data[f"score_{c['key']}"] or None,
                "comment": self.cleaned_data[f"comment_{c['key']}"],
            }
            for c in self.rubric
        }

    def add_rubric_errors(self, errors: dict[str, str]) -> None:
        for key, message in errors.items():
            field = f"score_{key}"
            self.add_error(field if field in self.fields else None, message)


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ObjectActionMixin, AuditTrailMixin, admin.ModelAdmin):
    list_display = ["application_link", "agency", "reviewer", "status", "conflict_check",
                    "review_status"]  # fmt: skip
    list_select_related = ["application__agency", "reviewer", "review"]
    search_fields = ["application__tracking_number", "application__agency__legal_name",
                     "reviewer__email"]  # fmt: skip
    change_form_template = "admin/applications/review/assignment_change_form.html"
    fields = ["application_link", "reviewer", "status", "assigned", "coi_certified_at",
              "coi_declared_at", "coi_reason", "review_scores"]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False  # through the applications list's "Assign reviewers"

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_reviewer_only(request.user):
            return queryset.for_reviewer(request.user)
        return queryset

    def get_list_filter(self, request):
        if is_reviewer_only(request.user):
            return []
        return ["status", "application__solicitation", ("review__status", ReviewStatusFilter)]

    def changelist_view(self, request, extra_context=None):
        if is_reviewer_only(request.user):
            extra_context = {**(extra_context or {}), "title": "My reviews"}
        return super().changelist_view(request, extra_context=extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        assignment = self.get_object_or_404(request, object_id)
        if is_reviewer_only(request.user):
            return redirect("admin:applications_reviewassignment_review", assignment.pk)
        review = Review.objects.filter(assignment=assignment).first()
        extra_context = {
            **(extra_context or {}),
            "can_reopen": review is not None
            and review.status == Review.Status.SUBMITTED
            and request.user.has_perm("applications.assign_reviewers"),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="application", ordering="application__tracking_number")
    def application_link(self, obj: ReviewAssignment) -> str:
        return obj.application.tracking_number or str(obj.application)

    @admin.display(description="agency", ordering="application__agency__legal_name")
    def agency(self, obj: ReviewAssignment) -> str:
        return f"{obj.application.agency.legal_name}, {obj.application.agency.state}"

    @admin.display(description="conflict of interest")
    def conflict_check(self, obj: ReviewAssignment) -> str:
        if obj.coi_declared_at:
            return "Declared"
        return "None, certified" if obj.coi_certified_at else "Not yet certified"

    @admin.display(description="review")
    def review_status(self, obj: ReviewAssignment) -> str:
        review = getattr(obj, "review", None)
        label = review.get_status_display() if review else "Not started"
        if obj.status != ReviewAssignment.Status.ASSIGNED:
            return label
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:applications_reviewassignment_review", args=[obj.pk]),
            label,
        )

    @admin.display(description="assigned")
    def assigned(self, obj: ReviewAssignment) -> str:
        return f"{format_eastern(obj.assigned_at)} by {obj.assigned_by or 'COPS'}"

    @admin.display(description="review")
    def review_scores(self, obj: ReviewAssignment) -> str:
        review = getattr(obj, "review", None)
        if review is None:
            return "Not started"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (c.get("label", c["key"]), (review.scores.get(c["key"]) or {}).get("score", "-"),
                 (review.scores.get(c["key"]) or {}).get("comment", ""))
                for c in review.rules.rubric
            ),
        )  # fmt: skip
        reopened = (
            format_html(
                "<p>Reopened {} by {}: {}</p>",
                format_eastern(review.reopened_at),
                review.reopened_by,
                review.reopen_reason,
            )
            if review.reopened_at
            else ""
        )
        return format_html(
            "<p>{} (rules v{}), submitted {}; total {}</p>"
            "<table><tr><th>Criterion</th><th>Score</th><th>Comment</th></tr>{}</table>{}",
            review.get_status_display(),
            review.rules.version,
            format_eastern(review.submitted_at),
            review.total,
            rows,
            reopened,
        )

    def get_urls(self):
        review_view = self.admin_site.admin_view(self.review_view)
        reopen_view = self.admin_site.admin_view(self.reopen_view)
        return [path("<path:object_id>/review/", review_view,
                     name="applications_reviewassignment_review"),
                path("<path:object_id>/reopen/", reopen_view,
                     name="applications_reviewassignment_reopen"),
                *super().get_urls()]  # fmt: skip

    def reopen_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        assignment = self.get_object_or_404(request, object_id)
        if not request.user.has_perm("applications.assign_reviewers"):
            raise PermissionDenied
        review = Review.objects.filter(assignment=assignment).first()
        if review is None:
            raise Http404("No review yet")
        return self.action_page(
            request,
            obj=assignment,
            form_class=ReopenForm,
            title="Reopen the review",
            intro=f"{assignment.reviewer} may then change their review of {assignment.application} "
            "and must submit it again.",
            submit="Reopen the review",
            perform=lambda data: services.reopen_review(
                review=review, by=request.user, reason=data["reason"]
            ),
            done=f"Reopened the review by {assignment.reviewer}.",
            error=services.ReviewError,
        )

    def _own_assignment(self, request: HttpRequest, object_id: str) -> ReviewAssignment:
        """The signed-in reviewer's own active assignment; anyone else's is a 404."""
        if not object_id.isdigit():
            raise Http404("No such assignment")
        assignment = (
            ReviewAssignment.objects.for_reviewer(request.user)
            .select_related("application__agency", "application__solicitation")
            .filter(pk=int(object_id))
            .first()
        )
        if assignment is None or not request.user.has_perm("applications.review_application"):
            raise Http404("No such assignment")
        return assignment

    def review_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        assignment = self._own_assignment(request, object_id)
        here = reverse("admin:applications_reviewassignment_review", args=[assignment.pk])
        certify_form = CertifyForm(request.POST if "certify" in request.POST else None)
        declare_form = DeclareForm(request.POST if "declare" in request.POST else None)
        if "certify" in request.POST and certify_form.is_valid():
            try:
                services.certify_no_conflict(assignment=assignment, by=request.user)
            except services.ReviewError as exc:
                certify_form.add_error(None, str(exc))
            else:
                return redirect(here)
        if "declare" in request.POST and declare_form.is_valid():
            try:
                services.declare_conflict(
                    assignment=assignment,
                    by=request.user,
                    reason=declare_form.cleaned_data["reason"],
                )
            except services.ReviewError as exc:
                declare_form.add_error(None, str(exc))
            else:
                self.message_user(
                    request,
                    f"Conflict of interest declared: {assignment.application} is no longer "
                    "assigned to you, and the grants managers will reassign it.",
                    messages.SUCCESS,
                )
                return redirect("admin:applications_reviewassignment_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Review of {assignment.application}",
            "assignment": assignment,
            "application": assignment.application,
            "certify_form": certify_form,
            "declare_form": declare_form,
            "opts": self.model._meta,
        }
        if assignment.coi_certified_at is not None:
            response = self._rubric_step(request, assignment, context)
            if response is not None:
                return response
        return TemplateResponse(request, "admin/applications/review/review.html", context)

    def _rubric_step(self, request, assignment: ReviewAssignment, context: dict):
        review = Review.objects.filter(assignment=assignment).select_related("rules").first()
        locked = review is not None and review.status == Review.Status.SUBMITTED
        try:
            rubric = (
                review.rules.rubric if locked else rules_in_force(assignment.application).rubric
            )
        except services.ReviewError as exc:
            context["rules_missing"] = str(exc)
            rubric = []
        saving = request.method == "POST" and ("save" in request.POST or "submit" in request.POST)
        form = RubricForm(
            request.POST if saving and not locked else None,
            rubric=rubric,
            saved=review.scores if review else {},
            locked=locked,
        )
        if saving and not locked and form.is_valid():
            try:
                review = services.save_review(
                    assignment=assignment, by=request.user, scores=form.scores()
                )
                if "submit" in request.POST:
                    services.submit_review(review=review, by=request.user)
            except services.RubricError as exc:
                form.add_rubric_errors(exc.errors)
            except services.ReviewError as exc:
                form.add_error(None, str(exc))
            else:
                done = "Review submitted." if "submit" in request.POST else "Draft saved."
                self.message_user(request, done, messages.SUCCESS)
                return redirect("admin:applications_reviewassignment_review", assignment.pk)
        application = assignment.application
        context.update(
            {
                "sections": [
                    (section, section_answers(section, application)) for section in SECTIONS
                ],
                "review": review,
                "locked": locked,
                "form": form,
                "others": other_submitted_totals(assignment),
            }
        )
        return None
