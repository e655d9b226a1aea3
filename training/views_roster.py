"""The agency's officer roster, each officer's training record, and cancelling an enrollment.
Officers and enrollments are reached only through the user's agencies: anyone else's are 404s."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from applications.models import Agency

from . import services
from .forms import OfficerForm
from .models import CourseSession, Enrollment, Officer
from .services.errors import TrainingError
from .views import AgencyChoice, agency_gate, choose_agency, with_agency


def officers_for(user):
    """Officers of the agencies the user is an active member of (the one access rule)."""
    return Officer.objects.filter(agency__in=Agency.objects.for_user(user))


def enrollments_for(user):
    return Enrollment.objects.filter(officer__agency__in=Agency.objects.for_user(user))


def _choice_for(request: HttpRequest, agency: Agency) -> AgencyChoice:
    """The page acts for the object's agency; links keep it when the user has several."""
    agencies = list(Agency.objects.for_user(request.user).order_by("legal_name"))
    eligible, reason = services.eligibility(agency)
    return AgencyChoice(agency=agency, agencies=agencies, eligible=eligible, reason=reason)


def _officer(request: HttpRequest, pk: int, *, active: bool = False) -> Officer:
    officers = officers_for(request.user).select_related("agency")
    if active:
        officers = officers.filter(is_active=True)
    return get_object_or_404(officers, pk=pk)


def _upcoming(today):
    return Prefetch(
        "enrollments",
        queryset=Enrollment.objects.filter(
            status__in=Enrollment.ACTIVE,
            session__status=CourseSession.Status.SCHEDULED,
            session__ends_on__gte=today,
        ).select_related("session__course"),
        to_attr="upcoming",
    )


def roster(request: HttpRequest) -> HttpResponse:
    choice = choose_agency(request)
    if gate := agency_gate(request, choice, "Officer roster"):
        return gate
    added = services.sync_roster(choice.agency)
    if added:
        messages.info(
            request,
            f"{added} officer{'s' if added != 1 else ''} reported as hired under your SRO award "
            f"{'were' if added != 1 else 'was'} added to the roster.",
        )
    officers = (
        choice.agency.officers.filter(is_active=True)
        .annotate(
            hours=Sum(
                "enrollments__session__course__hours",
                filter=Q(enrollments__status=Enrollment.Status.COMPLETED),
                default=0,
            )
        )
        .prefetch_related(_upcoming(timezone.localdate()))
    )
    return render(request, "training/roster.html", {"choice": choice, "officers": officers})


@require_http_methods(["GET", "POST"])
def officer_add(request: HttpRequest) -> HttpResponse:
    choice = choose_agency(request)
    if gate := agency_gate(request, choice, "Add an officer"):
        return gate
    form = OfficerForm(request.POST if request.method == "POST" else None, agency=choice.agency)
    if request.method == "POST" and form.is_valid():
        try:
            officer = services.add_officer(
                agency=choice.agency, by=request.user, **form.cleaned_data
            )
        except TrainingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{officer.name} is on the roster.")
            return redirect(with_agency("training:roster", choice))
    return render(
        request,
        "training/officer_form.html",
        {"choice": choice, "form": form, "officer": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def officer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    officer = _officer(request, pk, active=True)
    choice = _choice_for(request, officer.agency)
    # The form edits its own copy: the service compares the new values with the saved ones.
    form = OfficerForm(
        request.POST if request.method == "POST" else None,
        instance=Officer.objects.get(pk=officer.pk),
        agency=officer.agency,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_officer(officer=officer, by=request.user, **form.cleaned_data)
        except TrainingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{officer.name}'s details are saved.")
            return redirect(with_agency("training:officer_detail", choice, officer.pk))
    return render(
        request,
        "training/officer_form.html",
        {"choice": choice, "form": form, "officer": officer},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def officer_remove(request: HttpRequest, pk: int) -> HttpResponse:
    officer = _officer(request, pk, active=True)
    choice = _choice_for(request, officer.agency)
    if request.method == "POST":
        try:
            services.remove_officer(officer=officer, by=request.user)
        except TrainingError as exc:
            messages.error(request, str(exc))
            return redirect(with_agency("training:officer_detail", choice, officer.pk))
        messages.success(request, f"{officer.name} is no longer on the roster.")
        return redirect(with_agency("training:roster", choice))
    return render(request, "training/officer_remove.html", {"choice": choice, "officer": officer})


def officer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    officer = _officer(request, pk)
    choice = _choice_for(request, officer.agency)
    today = timezone.localdate()
    enrollments = list(
        officer.enrollments.select_related("session__course", "certificate").order_by(
            "-session__starts_on", "-pk"
        )
    )
    for enrollment in enrollments:
        enrollment.position = (
            services.waitlist_position(enrollment)
            if enrollment.status == Enrollment.Status.WAITLISTED
            else None
        )
        enrollment.cancellable = _cancellable(enrollment, today)
        enrollment.ready_certificate = _ready_certificate(enrollment)
    return render(
        request,
        "training/officer_detail.html",
        {
            "choice": choice,
            "officer": officer,
            "enrollments": enrollments,
            "hours": services.officer_hours(officer),
        },
    )


def _cancellable(enrollment: Enrollment, today) -> bool:
    return (
        enrollment.status in (Enrollment.Status.ENROLLED, Enrollment.Status.WAITLISTED)
        and enrollment.session.status == CourseSession.Status.SCHEDULED
        and enrollment.session.starts_on > today
    )


def _ready_certificate(enrollment: Enrollment):
    certificate = getattr(enrollment, "certificate", None)
    if certificate is not None and certificate.status == certificate.Status.READY:
        return certificate
    return None


@require_http_methods(["GET", "POST"])
def enrollment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = get_object_or_404(
        enrollments_for(request.user).select_related("officer__agency", "session__course"), pk=pk
    )
    officer = enrollment.officer
    choice = _choice_for(request, officer.agency)
    back = with_agency("training:officer_detail", choice, officer.pk)
    if request.method == "POST":
        was_seated = enrollment.status == Enrollment.Status.ENROLLED
        try:
            services.cancel_enrollment(enrollment=enrollment, by=request.user)
        except TrainingError as exc:
            messages.error(request, str(exc))
        else:
            text = f"{officer.name}'s place in {enrollment.session} is cancelled."
            if was_seated:
                text += " The seat goes to the first officer on the waitlist, if there is one."
            messages.success(request, text)
        return redirect(back)
    allowed = _cancellable(enrollment, timezone.localdate())
    return render(
        request,
        "training/enrollment_cancel.html",
        {"choice": choice, "enrollment": enrollment, "allowed": allowed, "back": back},
    )
