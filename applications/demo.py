"""Demo agencies and memberships (run by `manage.py seed_demo`)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from copsgrants.audit import record
from copsgrants.models import User

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
from .sections import SECTIONS
from .services import register_agency

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


def _agency(fields: dict, admin_email: str) -> tuple[Agency, bool]:
    agency = Agency.objects.filter(ori=fields["ori"]).first()
    if agency is not None:
        return agency, False
    admin = User.objects.get(email=admin_email)
    return register_agency(by=admin, fields=fields, is_authorized_representative=True), True


def seed(*, stdout) -> None:
    springfield, new_springfield = _agency(SPRINGFIELD, "applicant@demo.test")
    riverton, new_riverton = _agency(RIVERTON, "other@demo.test")
    lakeside, new_lakeside = _agency(LAKESIDE, "other@demo.test")
    Membership.objects.get_or_create(
        user=User.objects.get(email="member@demo.test"),
        agency=springfield,
        defaults={"status": Membership.Status.ACTIVE},
    )
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
    "cp_problem_solving": "SARA: scan incident data, analyse hot spots, respond, assess.",
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

LAKESIDE = RIVERTON | {
    "legal_name": "Lakeside Police Department",
    "ori": "OH01807",
    "uei": "LKSDPD2026OH",
    "state": "OH",
    "agency_type": AgencyType.MUNICIPAL,
    "jurisdiction_population": 18_200,
    "sworn_force_actual": 19,
    "sworn_force_budgeted": 22,
    "city": "Lakeside",
    "zip_code": "43440",
}


def _eastern(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo("America/New_York"))


def _solicitation(code: str, fiscal_year: int, opens: date, closes: date) -> Solicitation:
    solicitation, created = Solicitation.objects.get_or_create(
        code=code,
        defaults={
            "title": f"FY{fiscal_year % 100:02d} COPS Hiring Program (CHP)",
            "fiscal_year": fiscal_year,
            "is_published": True,
            "opens_at": _eastern(opens, 9, 0),
            "closes_at": _eastern(closes, 16, 59),
            "total_funds": Decimal("156000000.00"),
            "award_ceiling": Decimal("6250000.00"),
        },
    )
    if created:
        ScoringRules.objects.create(solicitation=solicitation, version=1, in_force=True)
    return solicitation


def _application(agency: Agency, solicitation: Solicitation, status: str, **extra) -> None:
    if Application.objects.filter(agency=agency, solicitation=solicitation).exists():
        return
    complete = status != Application.Status.DRAFT
    application = Application.objects.create(
        agency=agency,
        solicitation=solicitation,
        status=status,
        created_by=agency.created_by,
        section_versions=dict.fromkeys(ALL_SECTIONS if complete else ALL_SECTIONS[:3], 1),
        **(COMPLETE_ANSWERS if complete else {
            key: value for key, value in COMPLETE_ANSWERS.items()
            if not key.startswith(("sro", "veteran", "cp_", "budget_", "unemployment",
                                   "poverty", "violent", "property", "retention", "match"))
        }),
        **extra,
    )  # fmt: skip
    if complete:
        SchoolPartner.objects.create(application=application, **SCHOOL_PARTNER)
    if status not in (Application.Status.DRAFT, Application.Status.WITHDRAWN):
        application.tracking_number = Application.format_tracking_number(
            fiscal_year=solicitation.fiscal_year, pk=application.pk
        )
        application.submitted_at = solicitation.opens_at + timedelta(days=7)
        application.submitted_by = agency.created_by
        application.certified_name = agency.created_by.get_full_name()
        application.save(
            update_fields=["tracking_number", "submitted_at", "submitted_by", "certified_name"]
        )
    record(verb=f"application.{status}", target=application, actor=agency.created_by,
           message="demo data")  # fmt: skip


def seed_applications(*, springfield: Agency, riverton: Agency, lakeside: Agency) -> None:
    today = timezone.localdate()
    current = _solicitation("O-COPS-2026-CHP", 2026, today - timedelta(days=30),
                            today + timedelta(days=60))  # fmt: skip
    previous = _solicitation("O-COPS-2025-CHP", 2025, today - timedelta(days=400),
                             today - timedelta(days=300))  # fmt: skip
    status = Application.Status
    _application(springfield, current, status.DRAFT)
    _application(riverton, current, status.SUBMITTED)
    _application(
        lakeside,
        current,
        status.RETURNED,
        returned_reason="The retention plan must name the funding source for year 4.",
    )
    _application(springfield, previous, status.SUBMITTED)
    _application(lakeside, previous, status.WITHDRAWN)  # fmt: skip
