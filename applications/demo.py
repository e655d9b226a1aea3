"""Demo agencies, memberships and applications (run by `manage.py seed_demo`).

Everything is built through the services, so the demo carries the same audit trail and email as
real use, with one exception: the FY25 solicitation closed long ago, and nothing can be submitted
to a closed solicitation, so its applications are written directly and recorded as imported from
the FY25 system. Safe to run again: each step is skipped when its result is already there.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from copsgrants.audit import record
from copsgrants.models import User

from . import services
from .checks import profile_from_agency
from .demo_awards import fy25_awarded
from .demo_cycle import (
    FY25_APPROPRIATION,
    FY26_SUBMITTED,
    fy25_decided,
    fy26_mid_review,
    peer_agencies,
)
from .models import (
    Agency,
    AgencyType,
    Application,
    MatchWaiver,
    Membership,
    SchoolPartner,
    ScoringRules,
    Solicitation,
)
from .sections import SECTIONS, SECTIONS_BY_SLUG

SPRINGFIELD = {
    "legal_name": "Springfield Police Department",
    "ori": "IL08401",
    "uei": "SPRNGFLDPD26",
    "state": "IL",
    "agency_type": AgencyType.MUNICIPAL,
    "jurisdiction_population": 114_394,
    "sworn_force_actual": 212,
    "sworn_force_budgeted": 230,
    "address_line1": "800 E Monroe St",
    "address_line2": "",
    "city": "Springfield",
    "zip_code": "62701",
    "le_executive_name": "Dana Whitfield",
    "le_executive_title": "Chief of Police",
    "le_executive_email": "chief@springfield.example",
    "le_executive_phone": "217-555-0100",
    "gov_executive_name": "Pat Okafor",
    "gov_executive_title": "Mayor",
    "gov_executive_email": "mayor@springfield.example",
    "gov_executive_phone": "217-555-0101",
}

RIVERTON = {
    "legal_name": "Riverton County Sheriff's Office",
    "ori": "WY01300",
    "uei": "RVRTNCSO2026",
    "state": "WY",
    "agency_type": AgencyType.COUNTY_SHERIFF,
    "jurisdiction_population": 39_234,
    "sworn_force_actual": 41,
    "sworn_force_budgeted": 45,
    "address_line1": "450 N 2nd St",
    "address_line2": "",
    "city": "Lander",
    "zip_code": "82520",
    "le_executive_name": "Ray Castillo",
    "le_executive_title": "Sheriff",
    "le_executive_email": "sheriff@riverton.example",
    "le_executive_phone": "307-555-0150",
    "gov_executive_name": "Lynn Harper",
    "gov_executive_title": "Chair, Board of County Commissioners",
    "gov_executive_email": "commission@riverton.example",
    "gov_executive_phone": "307-555-0151",
}


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _agency(fields: dict, admin_email: str) -> tuple[Agency, bool]:
    agency = Agency.objects.filter(ori=fields["ori"]).first()
    if agency is not None:
        return agency, False
    # The registrant ticks "I am an Authorized Representative": a self-designation staff see.
    agency = services.register_agency(
        by=_user(admin_email), fields=fields, is_authorized_representative=True
    )
    return agency, True


def _verify(agency: Agency, note: str) -> None:
    if not agency.is_verified:
        services.verify_agency(agency=agency, by=_user("specialist@demo.test"), note=note)


def _member(agency: Agency, email: str, approver_email: str) -> None:
    """A colleague asks to join and an administrator approves: the real way in."""
    user = _user(email)
    if Membership.objects.filter(user=user, agency=agency).exists():
        return
    membership = services.request_membership(user=user, agency=agency)
    services.approve_membership(membership=membership, by=_user(approver_email))


def seed(*, stdout) -> None:
    springfield, new_springfield = _agency(SPRINGFIELD, "applicant@demo.test")
    riverton, new_riverton = _agency(RIVERTON, "other@demo.test")
    lakeside, new_lakeside = _agency(LAKESIDE, "other@demo.test")
    _verify(springfield, "ORI IL08401 matches the FBI list; UEI SPRNGFLDPD26 active in SAM.gov "
            "under this legal name; Chief Whitfield confirmed Alex Rivera by phone.")  # fmt: skip
    _verify(riverton, "ORI WY01300 matches the FBI list; UEI RVRTNCSO2026 active in SAM.gov; "
            "Sheriff Castillo's office confirmed Olivia Grant by email.")  # fmt: skip
    # Lakeside stays pending verification: the demo shows an agency that drafts but cannot submit.
    _member(springfield, "member@demo.test", approver_email="applicant@demo.test")
    stdout.write(f"agencies: {sum([new_springfield, new_riverton, new_lakeside])} created")
    seed_applications(springfield=springfield, riverton=riverton, lakeside=lakeside)
    stdout.write(f"applications: {Application.objects.count()} in the database")


# A complete, valid SRO application: 3 positions, 2 deployed as SROs.
COMPLETE_ANSWERS = {
    "has_law_enforcement_authority": True,
    "is_startup_or_consortium": False,
    "has_active_sam_registration": True,
    "positions_new_hire": 2,
    "positions_rehire_laid_off": 1,
    "positions_rehire_scheduled": 0,
    "salary_year_1": Decimal("52000.00"),
    "salary_year_2": Decimal("53560.00"),
    "salary_year_3": Decimal("55166.80"),
    "fringe_year_1": Decimal("18200.00"),
    "fringe_year_2": Decimal("18746.00"),
    "fringe_year_3": Decimal("19308.38"),
    "sro_commitment": True,
    "sro_positions": 2,
    "sro_time_assurance": True,
    "veteran_commitment": True,
    "cp_problem": "Vandalism and fights around the two middle schools after dismissal.",
    "cp_partners": "Springfield School District 186; the Boys & Girls Club.",
    "cp_problem_solving": "SARA: scan incident data, analyze hot spots, respond, assess.",
    "cp_organizational_changes": "A school safety unit reporting to the patrol captain.",
    "budget_change_percent": Decimal("-3.50"),
    "unemployment_rate": Decimal("5.20"),
    "poverty_rate": Decimal("14.80"),
    "violent_crimes": 640,
    "property_crimes": 3120,
    "retention_plan": "The general fund absorbs each position in the budget after funding.",
    "retention_assurance": True,
    "match_waiver": MatchWaiver.NONE,
    "match_source": "General fund appropriation approved by the city council.",
    "match_not_budgeted": True,
    "match_not_federal": True,
}
SCHOOL_PARTNER = {
    "district_name": "Springfield School District 186",
    "schools": "Washington Middle School\nLincoln Middle School",
    "contact_name": "Jordan Ellis",
    "contact_title": "Director of School Safety",
    "contact_email": "safety@sd186.example",
    "contact_phone": "217-555-0199",
}
ALL_SECTIONS = [section.slug for section in SECTIONS]

# The other demo agencies' own answers where Springfield's would not fit them.
RIVERTON_ANSWERS = COMPLETE_ANSWERS | {
    "cp_partners": "Fremont County School District 1; the Wind River youth center.",
}
RIVERTON_PARTNER = SCHOOL_PARTNER | {
    "district_name": "Fremont County School District 1",
    "schools": "Lander Valley High School\nLander Middle School",
    "contact_name": "Casey Running Wolf",
    "contact_email": "safety@fremont1.example",
    "contact_phone": "307-555-0170",
}
# A force under 20 officers may ask for one position.
LAKESIDE_ANSWERS = COMPLETE_ANSWERS | {
    "positions_new_hire": 1,
    "positions_rehire_laid_off": 0,
    "sro_positions": 1,
    "cp_partners": "Danbury Local School District; the Lakeside Chautauqua association.",
}
LAKESIDE_PARTNER = SCHOOL_PARTNER | {
    "district_name": "Danbury Local School District",
    "schools": "Danbury High School",
    "contact_name": "Pat Novak",
    "contact_email": "safety@danbury.example",
    "contact_phone": "419-555-0160",
}

LAKESIDE = {
    "legal_name": "Lakeside Police Department",
    "ori": "OH01807",
    "uei": "LKSDPD2026OH",
    "state": "OH",
    "agency_type": AgencyType.MUNICIPAL,
    "jurisdiction_population": 18_200,
    "sworn_force_actual": 19,
    "sworn_force_budgeted": 22,
    "address_line1": "315 W Second St",
    "address_line2": "",
    "city": "Lakeside",
    "zip_code": "43440",
    "le_executive_name": "Terrence Boyd",
    "le_executive_title": "Chief of Police",
    "le_executive_email": "chief@lakeside-oh.example",
    "le_executive_phone": "419-555-0140",
    "gov_executive_name": "Denise Kowalski",
    "gov_executive_title": "Mayor",
    "gov_executive_email": "mayor@lakeside-oh.example",
    "gov_executive_phone": "419-555-0141",
}


def _eastern(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo("America/New_York"))


def _solicitation(
    code: str,
    fiscal_year: int,
    opens: date,
    closes: date,
    total_funds: Decimal = Decimal("156000000.00"),
) -> Solicitation:
    solicitation, created = Solicitation.objects.get_or_create(
        code=code,
        defaults={
            "title": f"FY{fiscal_year % 100:02d} COPS Hiring Program (CHP)",
            "fiscal_year": fiscal_year,
            "is_published": True,
            "opens_at": _eastern(opens, 9, 0),
            "closes_at": _eastern(closes, 16, 59),
            "total_funds": total_funds,
            "award_ceiling": Decimal("6250000.00"),
        },
    )
    if created:
        ScoringRules.objects.create(solicitation=solicitation, version=1, in_force=True)
    return solicitation


def _section_data(application: Application, slug: str, answers: dict) -> dict:
    """What the section's page would hand the service: its fields' answers."""
    if slug == "agency":
        return profile_from_agency(application.agency)
    fields = SECTIONS_BY_SLUG[slug].form_class._meta.fields
    return {name: answers[name] for name in fields if name in answers}


def _start(
    agency: Agency,
    solicitation: Solicitation,
    by: User,
    slugs: list[str],
    answers: dict = COMPLETE_ANSWERS,
    partner: dict = SCHOOL_PARTNER,
) -> Application:
    """Open a draft and save the given sections, as the agency would page by page."""
    application = services.start_application(agency=agency, solicitation=solicitation, by=by)
    for slug in slugs:
        application = services.save_section(
            application=application,
            slug=slug,
            data=_section_data(application, slug, answers),
            version=application.section_version(slug),
            by=by,
            partners=[partner] if slug == "sro" else None,
        )
    return application


def _submit(application: Application, by: User) -> Application:
    return services.submit_application(
        application=application, by=by, certified_name=by.get_full_name()
    )


def _imported(
    agency: Agency, solicitation: Solicitation, status: str, answers: dict = COMPLETE_ANSWERS
) -> Application:
    """A record from before this system: the services cannot submit to a closed solicitation."""
    registrant = agency.created_by
    application = Application.objects.create(
        agency=agency,
        solicitation=solicitation,
        status=status,
        created_by=registrant,
        agency_profile=profile_from_agency(agency),
        section_versions=dict.fromkeys(ALL_SECTIONS, 1),
        **answers,
    )
    if answers["sro_commitment"]:
        SchoolPartner.objects.create(application=application, **SCHOOL_PARTNER)
    if status == Application.Status.SUBMITTED:
        application.tracking_number = Application.format_tracking_number(
            fiscal_year=solicitation.fiscal_year, pk=application.pk
        )
        application.submitted_at = solicitation.opens_at + timedelta(days=7)
        application.submitted_by = registrant
        application.certified_name = registrant.get_full_name()
        application.save(
            update_fields=["tracking_number", "submitted_at", "submitted_by", "certified_name"]
        )
    record(
        verb="application.imported",
        target=application,
        actor=None,
        message=f"Imported from the FY{solicitation.fiscal_year % 100:02d} system",
        data={"status": status, "tracking_number": application.tracking_number},
    )
    return application


def seed_applications(*, springfield: Agency, riverton: Agency, lakeside: Agency) -> None:
    today = timezone.localdate()
    current = _solicitation("O-COPS-2026-CHP", 2026, today - timedelta(days=30),
                            today + timedelta(days=60))  # fmt: skip
    previous = _solicitation("O-COPS-2025-CHP", 2025, today - timedelta(days=400),
                             today - timedelta(days=300), FY25_APPROPRIATION)  # fmt: skip
    alex, olivia = _user("applicant@demo.test"), _user("other@demo.test")

    def missing(agency: Agency, solicitation: Solicitation) -> bool:
        return not Application.objects.filter(agency=agency, solicitation=solicitation).exists()

    if current.is_open():  # an old demo database whose FY26 window has passed keeps what it has
        if missing(springfield, current):
            # Springfield's draft: the first three sections done.
            _start(springfield, current, alex, ALL_SECTIONS[:3])
        if missing(riverton, current):
            # Riverton submitted; COPS returned it for corrections.
            application = _start(
                riverton, current, olivia, ALL_SECTIONS, RIVERTON_ANSWERS, RIVERTON_PARTNER
            )
            _submit(application, olivia)
            services.return_application(
                application=application,
                by=_user("specialist@demo.test"),
                reason="The retention plan must name the funding source for year 4.",
            )
        if missing(lakeside, current):
            # Lakeside withdrew a first draft and started again; its second draft is complete but
            # cannot be submitted until COPS verifies the agency.
            first = _start(lakeside, current, olivia, ALL_SECTIONS[:1], LAKESIDE_ANSWERS)
            services.withdraw_application(application=first, by=olivia)
            _start(lakeside, current, olivia, ALL_SECTIONS, LAKESIDE_ANSWERS, LAKESIDE_PARTNER)
    peers = peer_agencies()
    peer_fy26 = []
    for agency, figures in peers[:FY26_SUBMITTED]:
        application = Application.objects.live().filter(agency=agency, solicitation=current).first()
        if application is None and current.is_open():
            representative = agency.memberships.get(is_authorized_representative=True).user
            answers = COMPLETE_ANSWERS | figures
            application = _submit(
                _start(agency, current, representative, ALL_SECTIONS, answers), representative
            )
        if application is not None:
            peer_fy26.append(application)
    # FY25, imported: Lakeside was never verified, so it is screened ineligible.
    imports = [(springfield, COMPLETE_ANSWERS), (riverton, RIVERTON_ANSWERS),
               (lakeside, LAKESIDE_ANSWERS)]  # fmt: skip
    imports += [(agency, COMPLETE_ANSWERS | figures) for agency, figures in peers]
    for agency, answers in imports:
        if missing(agency, previous):
            _imported(agency, previous, Application.Status.SUBMITTED, answers)
    fy25_decided(previous)
    fy25_awarded(previous)
    fy26_mid_review(current, peer_fy26)
