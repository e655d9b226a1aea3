"""Demo agencies and memberships (run by `manage.py seed_demo`)."""

from __future__ import annotations

from copsgrants.models import User

from .models import Agency, AgencyType, Membership
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
    _, new_riverton = _agency(RIVERTON, "other@demo.test")
    Membership.objects.get_or_create(
        user=User.objects.get(email="member@demo.test"),
        agency=springfield,
        defaults={"status": Membership.Status.ACTIVE},
    )
    stdout.write(f"agencies: {int(new_springfield) + int(new_riverton)} created")
