"""Simultaneous implementation requests on one award (PostgreSQL row locks): the award row lock
makes them take turns, so the federal cap, the funded positions and the drawdown numbers hold."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from applications import services
from applications.models import Drawdown
from tests.award_states import accepted_award
from tests.concurrency import at_once as race
from tests.conftest import require

from .implementation_helpers import drawdown_data, hire_data, opened

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_drawdowns_never_pass_the_federal_amount(agency, member):
    require(connection.vendor == "postgresql", "PostgreSQL")
    award = opened(accepted_award(agency, letter=False))

    def request():
        return services.request_drawdown(
            award=award, by=member, **drawdown_data(amount=Decimal("100000"))
        )

    results = race([request] * 4)
    refused = [r for r in results if isinstance(r, services.ImplementationError)]
    assert len(refused) == 1 and "$75,000 is left to request" in str(refused[0])
    assert sorted(Drawdown.objects.values_list("number", flat=True)) == [1, 2, 3]


def test_simultaneous_hires_never_pass_the_funded_positions(agency, member):
    require(connection.vendor == "postgresql", "PostgreSQL")
    award = opened(accepted_award(agency, letter=False))
    calls = [
        (lambda n=n: services.report_hire(award=award, by=member, **hire_data(last_name=f"O{n}")))
        for n in range(4)
    ]
    results = race(calls)
    refused = [r for r in results if isinstance(r, services.ImplementationError)]
    assert len(refused) == 1 and "funds 3 new hire positions" in str(refused[0])
    assert award.hires.count() == 3
