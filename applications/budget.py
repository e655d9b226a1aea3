"""CHP budget arithmetic (DOMAIN.md "Money"). Pure functions on Decimals; no database.

Per position: cost = entry-level salary + fringe over the funded years; federal share =
min(federal % x cost, per-officer cap); local match = cost - federal share. Every amount is rounded
to the cent, half up, at each step a grants officer would round on paper.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal | int | str | None) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class YearCost:
    year: int
    salary: Decimal
    fringe: Decimal

    @property
    def total(self) -> Decimal:
        return money(self.salary + self.fringe)


@dataclass(frozen=True)
class Budget:
    positions: int
    years: tuple[YearCost, ...]
    federal_percent: Decimal
    per_officer_cap: Decimal
    cost_per_position: Decimal
    federal_per_position: Decimal
    local_per_position: Decimal
    cap_applies: bool

    @property
    def total_cost(self) -> Decimal:
        return money(self.cost_per_position * self.positions)

    @property
    def total_federal(self) -> Decimal:
        return money(self.federal_per_position * self.positions)

    @property
    def total_local(self) -> Decimal:
        return money(self.local_per_position * self.positions)

    @property
    def local_percent(self) -> Decimal:
        if not self.cost_per_position:
            return ZERO
        return (self.local_per_position / self.cost_per_position * 100).quantize(CENT)


def compute_budget(
    *,
    positions: int,
    salaries: list[Decimal | None],
    fringes: list[Decimal | None],
    federal_percent: Decimal,
    per_officer_cap: Decimal,
) -> Budget:
    years = tuple(
        YearCost(year=i + 1, salary=money(salary), fringe=money(fringe))
        for i, (salary, fringe) in enumerate(zip(salaries, fringes, strict=True))
    )
    cost = money(sum((y.total for y in years), ZERO))
    uncapped = money(cost * federal_percent / 100)
    federal = min(uncapped, money(per_officer_cap))
    return Budget(
        positions=positions,
        years=years,
        federal_percent=federal_percent,
        per_officer_cap=money(per_officer_cap),
        cost_per_position=cost,
        federal_per_position=federal,
        local_per_position=money(cost - federal),
        cap_applies=uncapped > federal,
    )


def officer_cap(
    *,
    sworn_force: int | None,
    population: int | None,
    percent_of_force: Decimal | None,
    max_officers: int | None,
    max_officers_large: int | None,
    large_population: int | None,
    small_force: int | None,
) -> int | None:
    """The most positions an agency may request, or None when the solicitation sets no cap.

    FY2014-17 style: at most `percent_of_force`% of the actual sworn force (rounded down), never
    more than `max_officers` (`max_officers_large` when the population is `large_population` or
    more); an agency with `small_force` or fewer sworn officers may always ask for one.
    """
    limits: list[int] = []
    if percent_of_force is not None and sworn_force is not None:
        by_force = int(Decimal(sworn_force) * percent_of_force / 100)
        if small_force is not None and sworn_force <= small_force:
            by_force = max(by_force, 1)
        limits.append(by_force)
    if max_officers is not None:
        large = (
            max_officers_large is not None
            and large_population is not None
            and population is not None
            and population >= large_population
        )
        limits.append(max_officers_large if large else max_officers)
    return min(limits) if limits else None
