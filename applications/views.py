from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from copsgrants.audit import AuditEvent
from copsgrants.models import User
from copsgrants.prepared import Prepared

from . import services
from .dashboard_rows import memberships_and_applications
from .decisions import next_step_after_review
from .forms import (
    AGENCY_FIELDS,
    AgencyForm,
    AgencyRegistrationForm,
    CertifyForm,
    FindAgencyForm,
)
from .models import (
    Agency,
    Application,
    Award,
    Membership,
    Solicitation,
    membership_or_404,
    require_agency_role,
)
from .panels import dashboard_panels
from .presentation import section_answers
from .sections import (
    SECTIONS_BY_SLUG,
    SectionStatus,
    neighbors,
    outstanding,
    task_list,
)
from .validators import normalize_identifier


def next_action(application: Application, *, lines: dict, plans: dict) -> str:
    """What the agency should do next, in a few words, for the dashboard. `lines` holds the
    released plan lines of the page's applications (as `released_lines` gives them; the dashboard
    reads them with its rows, applications/dashboard_rows.py), `plans` each plan's facts."""
    status = application.status
    if status == Application.Status.WITHDRAWN:
        return "None: withdrawn"
    if status in Application.EDITABLE and not application.is_before_deadline():
        return "None: the deadline has passed"
    if status == Application.Status.RETURNED:
        return "Make the corrections COPS asked for and resubmit"
    if status == Application.Status.DRAFT and not application.agency.is_verified:
        return "Complete the sections; you can submit once COPS verifies your agency"
    if status == Application.Status.DRAFT:
        return "Complete the sections, then certify and submit"
    if status == Application.Status.SUBMITTED:
        return "Wait for COPS to review it"
    return next_step_after_review(application, line=lines.get(application.pk), plans=plans)


# What the dashboard shows of an award and its solicitation (its agency is one the memberships
# loaded; those and the applications: applications/dashboard_rows.py).
DASHBOARD_AWARD_COLUMNS = (
    "number", "status", "fiscal_year", "acceptance_deadline", "accepted_at", "is_sro",
    "agency", "solicitation", "solicitation__title",
)  # fmt: skip
# The awards of the user's agencies (the access rule, as `awards_for`), with their signature
# count, built and compiled once per process (copsgrants.prepared).
DASHBOARD_AWARDS = Prepared(
    lambda user: (
        Award.objects.filter(
            agency__in=Membership.objects.active_for(User(pk=user)).values("agency_id")
        )
        .select_related("solicitation")
        .only(*DASHBOARD_AWARD_COLUMNS)
        .annotate(signed=Count("signatures"))
    ),
    "user",
)


def loaded_awards(agencies: list[Agency], awards: list[Award]) -> None:
    """Each agency's `awards` as `prefetch_related("awards")` leaves them (`agency.awards.all()`
    reads them without a query), from `awards` read already."""
    by_agency: dict[int, list[Award]] = {agency.pk: [] for agency in agencies}
    agency_of = {agency.pk: agency for agency in agencies}
    for award in awards:
        if award.agency_id in by_agency:
            award.agency = agency_of[award.agency_id]  # as the prefetch sets it
            by_agency[award.agency_id].append(award)
    for agency in agencies:
        # What prefetch_related_objects leaves on each instance (prefetch_one_level).
        queryset = agency.awards.all()
        queryset._result_cache, queryset._prefetch_done = by_agency[agency.pk], True
        agency.__dict__.setdefault("_prefetched_objects_cache", {})["awards"] = queryset


def dashboard(request: HttpRequest) -> HttpResponse:
    # Agencies the user belongs to, and requests still waiting, with the applications of the
    # active ones' agencies: the access rule (Membership.objects.active_for) applied to the
    # memberships loaded, in one query (the same rows as `for_user` and `awards_for`).
    # Each released decision's plan line comes with them; each plan's facts worked out once.
    memberships, applications, lines = memberships_and_applications(request.user)
    agencies = [m.agency for m in memberships if m.status == Membership.Status.ACTIVE]
    plans = {}
    for application in applications:
        application.next_action = next_action(application, lines=lines, plans=plans)
    # The user's agencies' awards, with their signature count, by fiscal year (latest first)
    # then agency name (the agencies are in name order), in one query; the panels may read
    # them too (training: an accepted SRO award).
    loaded_awards(agencies, DASHBOARD_AWARDS.instances(user=request.user.pk))
    rank = {agency.pk: i for i, agency in enumerate(agencies)}
    awards = sorted(
        (award for agency in agencies for award in agency.awards.all()),
        key=lambda award: (-award.fiscal_year, rank[award.agency_id]),
    )
    return render(
        request,
        "applications/dashboard.html",
        {
            "memberships": memberships,
            "applications": applications,
            "awards": awards,
            "open_solicitations": (
                Solicitation.objects.open().only("title", "closes_at") if agencies else []
            ),
            # COPS staff work in the admin; one who signs in here has nothing to file.
            "staff_only": request.user.is_staff and not memberships,
            "panels": dashboard_panels(request, agencies),
        },
    )


def agency_create(request: HttpRequest) -> HttpResponse:
    form = AgencyRegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            agency = services.register_agency(
                by=request.user,
                fields={name: form.cleaned_data[name] for name in AGENCY_FIELDS},
                is_authorized_representative=form.cleaned_data["is_authorized_representative"],
            )
        except services.DuplicateAgency as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"{agency.legal_name} is registered. You are its administrator."
            )
            return redirect("applications:agency_detail", pk=agency.pk)
    return render(request, "applications/agency_form.html", {"form": form, "creating": True})


def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agency = membership_or_404(request.user, pk).agency
    can_edit, edit_reason = services.can_edit_agency(request.user, agency)
    can_manage, _ = services.can_manage_members(request.user, agency)
    members = agency.memberships.select_related("user").order_by("status", "user__email")
    context = {
        "agency": agency,
        "can_edit": can_edit,
        "edit_reason": edit_reason,
        "can_manage": can_manage,
        "active_members": [m for m in members if m.status == Membership.Status.ACTIVE],
        "pending_members": [m for m in members if m.status == Membership.Status.PENDING]
        if can_manage
        else [],
        "applications": agency.applications.select_related("solicitation").order_by(
            "-solicitation__closes_at"
        ),
        "events": AuditEvent.objects.for_object(agency).select_related("actor")[:10],
    }
    return render(request, "applications/agency_detail.html", context)


def agency_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agency = membership_or_404(request.user, pk).agency
    require_agency_role(
        request.user, agency, administrator=True, action="change the agency's profile"
    )
    form = AgencyForm(
        request.POST if request.method == "POST" else None,
        instance=Agency.objects.get(pk=agency.pk),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_agency(
                agency=agency,
                by=request.user,
                fields={name: form.cleaned_data[name] for name in AGENCY_FIELDS},
            )
        except services.DuplicateAgency as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The agency's profile is saved.")
            return redirect("applications:agency_detail", pk=agency.pk)
    return render(
        request,
        "applications/agency_form.html",
        {"form": form, "agency": agency, "creating": False},
    )


def agency_find(request: HttpRequest) -> HttpResponse:
    form = FindAgencyForm(request.GET or None)
    agency = None
    searched = form.is_bound and form.is_valid()
    if searched:
        agency = form.find()
    return render(
        request,
        "applications/agency_find.html",
        {"form": form, "agency": agency, "searched": searched},
    )


@require_POST
def agency_join(request: HttpRequest, pk: int) -> HttpResponse:
    # Only someone who knows the agency's ORI or UEI (typed on the find page) may ask to join it:
    # walking ids would otherwise list every agency's name. What it holds stays hidden until an
    # administrator approves the request.
    identifier = normalize_identifier(request.POST.get("identifier", ""))
    agency = get_object_or_404(Agency, pk=pk)
    if not identifier or identifier not in (agency.ori, agency.uei):
        raise Http404("No such agency")
    try:
        services.request_membership(user=request.user, agency=agency)
    except services.MembershipError as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(
            request,
            f"Your request to join {agency.legal_name} is sent. Its administrators will review it; "
            "we will email you their decision.",
        )
    return redirect("applications:dashboard")


# Solicitations and applications -----------------------------------------------------------------


@login_not_required
def solicitation_list(request: HttpRequest) -> HttpResponse:
    solicitations = Solicitation.objects.published().order_by("-closes_at")
    return render(request, "applications/solicitation_list.html", {"solicitations": solicitations})


@login_not_required
def solicitation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    solicitation = get_object_or_404(Solicitation.objects.published(), pk=pk)
    agencies = Agency.objects.for_user(request.user).order_by("legal_name")
    existing = {
        app.agency_id: app
        for app in Application.objects.live().filter(solicitation=solicitation, agency__in=agencies)
    }
    return render(
        request,
        "applications/solicitation_detail.html",
        {
            "solicitation": solicitation,
            "agencies": [(agency, existing.get(agency.pk)) for agency in agencies],
            "is_open": solicitation.is_open(),
        },
    )


@require_POST
def application_start(request: HttpRequest, pk: int) -> HttpResponse:
    solicitation = get_object_or_404(Solicitation.objects.published(), pk=pk)
    agency = membership_or_404(request.user, request.POST.get("agency", "")).agency
    try:
        application = services.start_application(
            agency=agency, solicitation=solicitation, by=request.user
        )
    except services.ApplicationError as exc:
        messages.error(request, str(exc))
        return redirect("applications:solicitation_detail", pk=solicitation.pk)
    return redirect("applications:application_overview", pk=application.pk)


# Built and compiled once per process (copsgrants.prepared): the access rule's subquery and
# ~120 columns of three tables took Django longer to build than PostgreSQL to answer.
_APPLICATION = Prepared(
    lambda user, pk: (
        Application.objects.for_user(User(pk=user))
        .select_related("agency", "solicitation")
        .filter(pk=pk)
    ),
    "user",
    "pk",
)


def _application(request: HttpRequest, pk: int) -> Application:
    """The application, if the user is an active member of its agency (else a 404)."""
    if request.user.is_authenticated:
        for application in _APPLICATION.instances(user=request.user.pk, pk=pk):
            return application
    raise Http404("No application matches the given query.")


def ineligibility(application: Application) -> list[str]:
    """Why the agency cannot apply, once it has answered the eligibility questions."""
    if not application.section_version("eligibility"):
        return []
    return [message for _, message in SECTIONS_BY_SLUG["eligibility"].check.rules(application)]


def main_action(application: Application, statuses: list[SectionStatus]) -> tuple[str, str]:
    """The overview's one button on an editable application: (label, url). Start at the first
    section, continue with the first unfinished one, or review and submit once all are done."""
    unfinished = next((s for s in statuses if s.state != "complete"), None)
    if unfinished is None:
        review = reverse("applications:application_review", args=[application.pk])
        return "Review and submit", review
    url = reverse(
        "applications:application_section", args=[application.pk, unfinished.section.slug]
    )
    if not any(application.section_version(s.section.slug) for s in statuses):
        return "Start", url
    return f"Continue with {unfinished.section.title}", url


def application_overview(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    statuses = task_list(application)
    can_edit, edit_reason = services.can_edit_application(request.user, application)
    can_withdraw, _ = services.can_withdraw_application(request.user, application)
    action_label, action_url = main_action(application, statuses)
    return render(
        request,
        "applications/application_overview.html",
        {
            "application": application,
            "statuses": statuses,
            "complete_count": sum(1 for s in statuses if s.state == "complete"),
            "can_edit": can_edit,
            "edit_reason": edit_reason,
            "can_withdraw": can_withdraw,
            "action_label": action_label,
            "action_url": action_url,
            "ineligible": ineligibility(application),
            "budget": application.budget,
        },
    )


def application_section(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    application = _application(request, pk)
    section = SECTIONS_BY_SLUG.get(slug)
    if section is None:
        raise Http404("No such section")
    if section.has_partners:
        # The partner forms and the section's checks read the same rows: one query for both.
        prefetch_related_objects([application], "school_partners")
    # `_application` found it through the user's active membership: no need to read it again.
    can_edit, edit_reason = services.can_edit_application(request.user, application, member=True)
    if request.method == "POST" and not can_edit:
        messages.error(request, edit_reason)
        return redirect("applications:application_overview", pk=application.pk)
    before, after = neighbors(slug)
    form = section.form(application, request.POST if request.method == "POST" else None)
    if request.method == "POST" and "add_partner" in request.POST and section.has_partners:
        form.add_blank_partner()  # "Add another partner" without JavaScript: nothing is saved
    elif request.method == "POST" and form.is_valid():
        try:
            saved = services.save_section(
                application=application,
                slug=slug,
                data=form.section_data(),
                version=form.cleaned_data.get("version"),
                partners=form.partner_data() if hasattr(form, "partner_data") else None,
                by=request.user,
            )
        except services.StaleSection as exc:
            form.add_error(None, str(exc))
            # Their answers stay on the page; saving again now replaces the newer ones.
            fresh = Application.objects.get(pk=application.pk)
            form.data = form.data.copy()
            form.data["version"] = fresh.section_version(slug)
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
            return redirect("applications:application_overview", pk=application.pk)
        else:
            if section.decides_eligibility and ineligibility(saved):
                # Say at once that the agency cannot apply (the page lists why), not "saved".
                return redirect("applications:application_section", pk=pk, slug=slug)
            messages.success(request, f"{section.title} is saved.")
            if "continue" not in request.POST:
                return redirect("applications:application_overview", pk=pk)
            if after is not None:
                return redirect("applications:application_section", pk=pk, slug=after.slug)
            return redirect("applications:application_review", pk=pk)
    problems = section.problems(application) if application.section_version(slug) else []
    ineligible = ineligibility(application) if section.decides_eligibility else []
    return render(
        request,
        "applications/application_section.html",
        {
            "application": application,
            "section": section,
            "form": form,
            "can_edit": can_edit,
            "edit_reason": edit_reason,
            "previous": before,
            "next": after,
            # The reasons an agency cannot apply have their own alert.
            "problems": [] if ineligible else [p for p in problems if not p.missing],
            "ineligible": ineligible,
            "budget": application.budget if section.shows_budget else None,
        },
    )


def _review(request: HttpRequest, application: Application, certify_form: CertifyForm):
    statuses = task_list(application)
    can_submit, submit_reason = services.can_submit_application(request.user, application)
    return render(
        request,
        "applications/application_review.html",
        {
            "application": application,
            "statuses": statuses,
            "answers": [(s, section_answers(s.section, application)) for s in statuses],
            "problems": outstanding(statuses),
            "budget": application.budget,
            "can_submit": can_submit,
            "submit_reason": submit_reason,
            "certify_form": certify_form,
        },
    )


def application_review(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    return _review(request, application, CertifyForm(user=request.user))


@require_POST
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    require_agency_role(
        request.user, application.agency, representative=True, action="certify and submit"
    )
    form = CertifyForm(request.POST, user=request.user)
    if not form.is_valid():
        return _review(request, application, form)
    try:
        application = services.submit_application(
            application=application,
            by=request.user,
            certified_name=form.cleaned_data["certified_name"],
        )
    except services.ApplicationError as exc:
        messages.error(request, str(exc))
        return redirect("applications:application_review", pk=application.pk)
    messages.success(
        request,
        f"Your application is submitted. Tracking number: {application.tracking_number}. "
        "A receipt is on its way by email.",
    )
    return redirect("applications:application_overview", pk=application.pk)


def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    allowed, reason = services.can_withdraw_application(request.user, application)
    if request.method == "POST":
        require_agency_role(
            request.user,
            application.agency,
            administrator=True,
            representative=True,
            action="withdraw",
        )
        try:
            services.withdraw_application(application=application, by=request.user)
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "The application is withdrawn.")
        return redirect("applications:application_overview", pk=application.pk)
    return render(
        request,
        "applications/application_withdraw.html",
        {"application": application, "allowed": allowed, "reason": reason},
    )
