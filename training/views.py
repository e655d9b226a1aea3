"""The agency's training pages: the catalogue of upcoming sessions and a session's page with its
enroll form (views_roster.py has the roster and each officer's record). Every page acts for one
of the user's active agencies: `?agency=<id>` when they have several; objects of other
agencies are 404s."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from applications.models import Agency, membership_or_404

from . import services
from .forms import EnrollForm
from .models import Course, CourseSession, Enrollment
from .services.errors import TrainingError


@dataclass
class AgencyChoice:
    """The agency a training page acts for, and whether it may enroll officers (and why not)."""

    agency: Agency | None
    agencies: list[Agency]
    eligible: bool = False
    reason: str = ""

    @property
    def query(self) -> str:
        """The query string that keeps the same agency on the next page."""
        return f"?agency={self.agency.pk}" if self.agency and len(self.agencies) > 1 else ""


def choose_agency(request: HttpRequest) -> AgencyChoice:
    agencies = list(Agency.objects.for_user(request.user).order_by("legal_name"))
    requested = request.GET.get("agency") or request.POST.get("agency")
    if requested:
        agency = membership_or_404(request.user, requested).agency
    elif len(agencies) == 1:
        agency = agencies[0]
    else:
        return AgencyChoice(agency=None, agencies=agencies)
    eligible, reason = services.eligibility(agency)
    return AgencyChoice(agency=agency, agencies=agencies, eligible=eligible, reason=reason)


def with_agency(name: str, choice: AgencyChoice, *args) -> str:
    return reverse(name, args=args) + choice.query


def agency_gate(request: HttpRequest, choice: AgencyChoice, title: str) -> HttpResponse | None:
    """The page to show instead when there is no agency to act for, or it may not train."""
    if choice.agency is not None and choice.eligible:
        return None
    return render(
        request,
        "training/choose_agency.html",
        {"choice": choice, "title": title, "next": request.path},
    )


def registration_state(session: CourseSession, now=None) -> str:
    """ "Open until ...", "Opens ..." or "Closed", for the catalogue and the session page."""
    now = now or timezone.now()
    if session.status != CourseSession.Status.SCHEDULED:
        return session.get_status_display()
    if now < session.registration_opens_at:
        return "opens"
    if now >= session.registration_closes_at:
        return "closed"
    return "open"


def _with_counts(sessions):
    return sessions.annotate(
        taken=Count("enrollments", filter=Q(enrollments__status__in=Enrollment.SEATED)),
        waiting=Count("enrollments", filter=Q(enrollments__status=Enrollment.Status.WAITLISTED)),
    )


def _decorate(session: CourseSession, now) -> CourseSession:
    session.seats_remaining = max(session.capacity - session.taken, 0)
    session.registration = registration_state(session, now)
    return session


def catalogue(request: HttpRequest) -> HttpResponse:
    choice = choose_agency(request)
    if gate := agency_gate(request, choice, "NASRO training"):
        return gate
    now = timezone.now()
    sessions = []
    for session in services.open_sessions():
        session.taken, session.waiting = session.seats_taken, session.waitlisted
        sessions.append(_decorate(session, now))
    courses = Course.objects.filter(is_active=True).prefetch_related("prerequisites")
    return render(
        request,
        "training/catalogue.html",
        {"choice": choice, "sessions": sessions, "courses": courses},
    )


def _session_page(request, choice, session, form, *, status=200) -> HttpResponse:
    registration_ok, registration_reason = services.registration_open(session)
    ours = list(
        session.enrollments.filter(officer__agency=choice.agency, status__in=Enrollment.ACTIVE)
        .select_related("officer")
        .order_by("queue_number")
    )
    for enrollment in ours:
        enrollment.position = services.waitlist_position(enrollment)
    return render(
        request,
        "training/session_detail.html",
        {
            "choice": choice,
            "session": session,
            "form": form,
            "registration_ok": registration_ok,
            "registration_reason": registration_reason,
            "prerequisites": list(session.course.prerequisites.all()),
            "ours": ours,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    choice = choose_agency(request)
    session = get_object_or_404(_with_counts(CourseSession.objects.select_related("course")), pk=pk)
    if gate := agency_gate(request, choice, str(session)):
        return gate
    _decorate(session, timezone.now())
    services.sync_roster(choice.agency)
    officers = choice.agency.officers.filter(is_active=True)
    form = EnrollForm(
        request.POST if request.method == "POST" else None, session=session, officers=officers
    )
    if request.method != "POST":
        return _session_page(request, choice, session, form)
    if not form.is_valid():
        return _session_page(request, choice, session, form, status=400)
    try:
        enrollments = services.enroll(
            session=session, officers=form.chosen_officers(), by=request.user
        )
    except TrainingError as exc:
        # Someone else changed things between the check and the save: say so on the form.
        form.add_error(None, str(exc))
        return _session_page(request, choice, session, form, status=400)
    messages.success(request, enrollment_message(enrollments))
    return redirect(with_agency("training:session_detail", choice, session.pk))


def enrollment_message(enrollments: list[Enrollment]) -> str:
    seated = [e.officer.name for e in enrollments if e.status != Enrollment.Status.WAITLISTED]
    parts = []
    if seated:
        parts.append(f"{_join(seated)} {'has' if len(seated) == 1 else 'have'} a seat.")
    for enrollment in enrollments:
        if enrollment.status == Enrollment.Status.WAITLISTED:
            position = services.waitlist_position(enrollment)
            parts.append(f"{enrollment.officer.name} is on the waitlist at position {position}.")
    return " ".join(parts)


def _join(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + f" and {names[-1]}"
