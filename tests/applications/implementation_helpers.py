"""Shared pieces of the implementation tests: accepted awards (withheld or open) and valid hire
and drawdown input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from applications import services
from applications.models import AwardCondition
from tests.award_states import accepted_award

DISTRICT = "Springfield School District 186"
SCHOOL = "Lincoln Middle School"
HIRE_DATE = date(2026, 10, 15)


def hire_data(**overrides) -> dict:
    return {
        "first_name": "Dana",
        "last_name": "Whitfield",
        "hire_date": HIRE_DATE,
        "hiring_category": "new_hire",
        "badge_number": "4471",
        "email": "dwhitfield@springfield.example",
        "school_district": DISTRICT,
        "school": SCHOOL,
        **overrides,
    }


def drawdown_data(**overrides) -> dict:
    return {
        "period_start": date(2026, 10, 1),
        "period_end": date(2026, 10, 31),
        "amount": Decimal("25000.00"),
        "description": "October salary and fringe benefits of three officers.",
        **overrides,
    }


def as_post(data: dict) -> dict:
    """The form's POST body for service-style input."""
    return {key: str(value) for key, value in data.items()}


def opened(award):
    """Clear the award's MOU condition, as approving its MOU does."""
    services.clear_condition(award=award, code=AwardCondition.Code.SRO_MOU, by=None)
    return award


@pytest.fixture
def withheld_award(agency):
    return accepted_award(agency, letter=False)


@pytest.fixture
def open_award(agency):
    return opened(accepted_award(agency, letter=False))


@pytest.fixture
def non_sro_award(agency):
    return accepted_award(agency, is_sro=False, letter=False)
