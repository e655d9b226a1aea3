"""The demo's MOUs (run by `seed_demo` after the applications' demo has made and accepted the
FY25 awards):

- Springfield (applicant@demo.test): its accepted SRO award is withheld, with MOU version 1
  uploaded by Alex Rivera and awaiting review, so specialist@demo.test has one to review.
- Oconee Falls (representative@ga07302.example): its two Authorized Representatives accept its
  SRO award, the MOU is uploaded and approved (every element present), two officers' hires are
  reported and two drawdowns requested, the first approved and the second awaiting a decision.

Everything goes through the services, with one exception: `make_awards` starts every project
period on the first of next month, and hires and drawdowns can only be reported for days that
have passed, so the demo moves Oconee Falls' project period back three months first (a
"started" award). Each step is skipped when its result is already there: running `seed_demo`
again changes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from applications import services as app_services
from applications.models import Award, Drawdown, HiringCategory, Membership
from applications.services.awards import add_months
from applications.services.implementation import school_partners
from copsgrants.demo import demo_password
from copsgrants.models import User
from copsgrants.pdf import render_pdf

from . import services
from .models import Element, MouVersion

SPRINGFIELD = "IL08401"
STARTED = "GA07302"  # Oconee Falls Police Department
STARTED_SECOND_REPRESENTATIVE = ("chief@ga07302.example", "Terrence", "Holloway")
DEMO_IP = "192.0.2.11"  # TEST-NET-1: a documentation address, never a real one
HIRES = [("Jordan", "Mills", "OF-2211", 14), ("Priya", "Raman", "OF-2214", 30)]
DRAWDOWNS = [
    (Decimal("18450.00"), "Salary and fringe of the first SRO, first month of service."),
    (Decimal("36900.00"), "Salary and fringe of both SROs, second month of service."),
]


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _fy25_award(ori: str) -> Award | None:
    return (
        Award.objects.filter(agency__ori=ori, is_sro=True, fiscal_year=2025)
        .select_related("agency")
        .order_by("-pk")
        .first()
    )


def _representatives(award: Award) -> list[User]:
    return [
        membership.user
        for membership in Membership.objects.active()
        .filter(agency=award.agency, is_authorized_representative=True)
        .select_related("user")
        .order_by("pk")
    ]


def _upload(award: Award, by: User, signed_on: date) -> MouVersion:
    """Version 1 of the award's MOU: a real PDF naming the application's school partner."""
    district, schools = next(iter(school_partners(award).items()))
    agency_signatory = f"{by.get_full_name()}, for {award.agency.legal_name}"
    school_signatory = "Dr. Renee Castillo, Superintendent"
    pdf = render_pdf(
        "pdf/mou_demo.html",
        {
            "award": award, "agency": award.agency, "district": district, "schools": schools,
            "agency_signatory": agency_signatory, "agency_signed_on": signed_on,
            "school_signatory": school_signatory, "school_signed_on": signed_on,
        },
    )  # fmt: skip
    return services.upload_mou(
        award=award, by=by, file=ContentFile(pdf, name=f"MOU {district}.pdf"),
        school_district=district, schools="\n".join(schools),
        agency_signatory=agency_signatory, agency_signed_on=signed_on,
        school_signatory=school_signatory, school_signed_on=signed_on,
        note="Signed by both parties; the school board approved it at its last meeting.",
    )  # fmt: skip


def awaiting_review(award: Award) -> None:
    """Springfield: one MOU version uploaded by Alex Rivera, awaiting the specialist."""
    if award.status == Award.Status.ACCEPTED and not award.mou_versions.exists():
        _upload(award, _user("applicant@demo.test"), timezone.localdate() - timedelta(days=2))


def _accept(award: Award) -> Award:
    """Both Authorized Representatives sign: the agency's own and a second one who joins."""
    first = _representatives(award)[0]
    email, first_name, last_name = STARTED_SECOND_REPRESENTATIVE
    second = User.objects.filter(email=email).first()
    if second is None:
        second = User.objects.create_user(
            email=email, password=demo_password(), first_name=first_name, last_name=last_name
        )
    if not Membership.objects.filter(user=second, agency=award.agency).exists():
        membership = app_services.request_membership(user=second, agency=award.agency)
        app_services.approve_membership(
            membership=membership, by=first, authorized_representative=True
        )
    for user in (first, second):
        award.refresh_from_db()
        if award.status == Award.Status.OFFERED and not award.signatures.filter(user=user):
            app_services.sign_acceptance(
                award=award, by=user, typed_name=user.get_full_name(), ip=DEMO_IP
            )
    award.refresh_from_db()
    return award


def _start_project(award: Award) -> None:
    """Move a not-yet-started project period back three months (see the module docstring);
    save() keeps the change in the award's field history."""
    today = timezone.localdate()
    if award.project_start <= today - timedelta(days=62) or award.hires.exists():
        return
    start = add_months(today.replace(day=1), -3)
    months = (award.project_end.year - award.project_start.year) * 12 + (
        award.project_end.month - award.project_start.month
    )
    award.project_start = award.budget_start = start
    award.project_end = award.budget_end = add_months(start, months + 1) - timedelta(days=1)
    award.save(update_fields=["project_start", "budget_start", "project_end", "budget_end"])


def started(award: Award) -> None:
    """Oconee Falls: accepted, MOU approved, two hires, one approved and one pending drawdown."""
    if award.status == Award.Status.OFFERED:
        award = _accept(award)
    if award.status != Award.Status.ACCEPTED:
        return
    _start_project(award)
    reporter = _representatives(award)[0]
    specialist = _user("specialist@demo.test")
    if not award.mou_versions.exists():
        mou = _upload(award, reporter, award.project_start + timedelta(days=5))
        services.approve_mou(
            mou=mou,
            by=specialist,
            checks={element.value: (True, "") for element in Element},
            note="All five elements are present. Thank you.",
        )
    district, schools = next(iter(school_partners(award).items()))
    for (first_name, last_name, badge, day), school in zip(HIRES, schools * 2, strict=False):
        if not award.hires.filter(badge_number=badge).exists():
            app_services.report_hire(
                award=award, by=reporter, first_name=first_name, last_name=last_name,
                hire_date=award.project_start + timedelta(days=day),
                hiring_category=HiringCategory.NEW_HIRE, badge_number=badge,
                school_district=district, school=school,
            )  # fmt: skip
    if not Drawdown.objects.filter(award=award).exists():
        for month, (amount, description) in enumerate(DRAWDOWNS):
            period_start = add_months(award.project_start, month)
            drawdown = app_services.request_drawdown(
                award=award, by=reporter, period_start=period_start,
                period_end=add_months(period_start, 1) - timedelta(days=1), amount=amount,
                description=description,
            )  # fmt: skip
            if month == 0:
                app_services.approve_drawdown(drawdown=drawdown, by=specialist)


def seed(*, stdout) -> None:
    springfield, oconee = _fy25_award(SPRINGFIELD), _fy25_award(STARTED)
    if springfield is None or oconee is None:
        stdout.write("MOUs: no FY25 SRO awards for Springfield and Oconee Falls; skipped")
        return
    awaiting_review(springfield)
    started(oconee)
    stdout.write(
        f"MOUs: {MouVersion.objects.filter(status=MouVersion.Status.SUBMITTED).count()} "
        f"awaiting review, {MouVersion.objects.filter(status=MouVersion.Status.APPROVED).count()}"
        " approved"
    )
