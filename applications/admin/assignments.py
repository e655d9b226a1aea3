"""Assigning reviewers, from the applications list: the "Assign reviewers" bulk action, the
reviewer-only scope of the applications admin (assigned and certified applications only, answers
hidden otherwise) and the reviewers' home states that assignment avoids."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse

from .. import services
from ..models import Application, ReviewAssignment, ReviewerProfile
from ..services.reviews import eligible_reviewers, is_reviewer_only, short_of_reviewers

# On the applications list and page ----------------------------------------------------------


class ReviewerScopeMixin:
    """For ApplicationAdmin: a reviewer with no other staff role finds only the applications
    they are assigned and have certified no conflict with (any other is a 404, its history
    too); staff who may see answers see them, and nobody else does."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_reviewer_only(request.user):
            certified = ReviewAssignment.objects.for_reviewer(request.user).filter(
                coi_certified_at__isnull=False
            )
            queryset = queryset.filter(pk__in=certified.values("application"))
        return queryset

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not services.can_see_answers(request.user, obj)[0]:
            fieldsets = [(name, opts) for name, opts in fieldsets if name != "Answers"]
        return fieldsets

    def history_view(self, request, object_id, extra_context=None):
        self.get_object_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self.get_object_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_assign_reviewers_permission(self, request) -> bool:
        return request.user.has_perm("applications.assign_reviewers")


class ReviewerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user) -> str:
        profile = getattr(user, "reviewer_profile", None)
        state = profile.state if profile is not None and profile.state else "no home state"
        return f"{user} ({user.email}, {state})"


class AssignReviewersForm(forms.Form):
    reviewers = ReviewerChoiceField(
        queryset=eligible_reviewers(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Each seat goes to the chosen reviewer with the fewest applications under "
        "review.",
    )
    per_application = forms.IntegerField(
        label="Reviewers per application",
        min_value=1,
        max_value=10,
        help_text="Applications that already have reviewers only get the missing ones.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = eligible_reviewers()
        self.fields["per_application"].initial = settings.REVIEWERS_PER_APPLICATION
        if settings.REVIEWER_SAME_STATE_CONFLICT:
            self.fields[
                "reviewers"
            ].help_text += " A reviewer is never given an agency of their own home state."


@admin.action(description="Assign reviewers", permissions=["assign_reviewers"])
def assign_reviewers(modeladmin, request, queryset):
    """The applications list's bulk action: pick reviewers and a number per application."""
    not_ready = queryset.exclude(status=Application.Status.UNDER_REVIEW)
    if not_ready.exists():
        modeladmin.message_user(
            request,
            "Only applications screened eligible (under review) can be assigned. Deselect: "
            + ", ".join(str(a) for a in not_ready[:5]),
            messages.ERROR,
        )
        return None
    form = AssignReviewersForm(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        per_application = form.cleaned_data["per_application"]
        try:
            made = services.assign_reviewers(
                applications=list(queryset),
                reviewers=form.cleaned_data["reviewers"],
                by=request.user,
                per_application=per_application,
            )
        except services.ReviewError as exc:
            modeladmin.message_user(request, str(exc), messages.ERROR)
            return None
        modeladmin.message_user(
            request, f"Made {len(made)} assignment{pluralize(len(made))}.", messages.SUCCESS
        )
        short = short_of_reviewers(queryset, per_application)
        if short:
            modeladmin.message_user(
                request,
                f"{len(short)} application{pluralize(len(short))} still "
                f"need{pluralize(len(short), 's,')} reviewers (too few eligible reviewers "
                "chosen): " + ", ".join(str(a) for a in short[:5]),
                messages.WARNING,
            )
        return None
    return TemplateResponse(
        request,
        "admin/applications/review/assign_reviewers.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": "Assign reviewers",
            "applications": queryset.select_related("agency").order_by("pk"),
            "form": form,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        },
    )


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "state"]
    list_filter = ["state"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = eligible_reviewers()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
