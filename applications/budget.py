"""CHP budget arithmetic (DOMAIN.md "Money"). Pure functions on Decimals; no database.

Per position: cost = entry-level salary + fringe over the funded years (one entry each per 12
funded months, 1 to 5 years); federal share = min(federal % x cost, per-officer cap), or just
federal % x cost when the solicitation sets no cap; local match = cost - federal share. Every
amount is rounded to the cent, half up, at each step a grants officer would round on paper.

static/js/budget.js repeats `parse_money` and `compute_budget` in whole cents for the live
preview; tests/applications/budget_vectors.json holds the cases both must agree on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_YEARS = 5

MONEY_FORMAT_MESSAGE = "Enter an amount in dollars and cents, like 55,000 or 55000.00."

# Keep in step with MONEY_PATTERN in static/js/budget.js. Whitespace is spelled out (ASCII
# whitespace and the no-break space that spreadsheets paste) because Python's and JavaScript's
# `\s` differ, and digits are ASCII only (Python's `\d` also matches other scripts' digits).
MONEY_WHITESPACE = " \t\n\r\f\v\u00a0"
_SPACE = f"[{MONEY_WHITESPACE}]*"
MONEY_PATTERN = re.compile(
    _SPACE
    + r"\$?"
    + r"(?P<whole>[1-9][0-9]{0,2}(?:,[0-9]{3})+|[0-9]+)"
    + r"(?:\.(?P<cents>[0-9]{0,2}))?"
    + _SPACE
)


def parse_money(text: str) -> Decimal:
    """The amount of money `text` states, as a Decimal with exactly two decimal places.

    The one rule for a money answer, on the server and in the live budget preview:

    - optional surrounding whitespace (spaces, tabs, line breaks, no-break spaces);
    - an optional "$" directly before the digits;
    - whole dollars as plain digits ("55000", "055000") or with thousands commas that are
      correctly grouped ("55,000", "1,234,567"; not "5,5000", "55,00" or ",500");
    - an optional decimal point followed by at most two digits ("55000.5", "55000.50", "55000.");
    - nothing else: no sign, no exponent ("5e4"), no spaces inside, no letters or currency
      words, no third decimal (we never round what someone typed).

    An empty answer is not an amount either; fields that may be blank check for that first.
    Raises ValueError whose message can be shown to the person who typed `text`.
    """
    match = MONEY_PATTERN.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(MONEY_FORMAT_MESSAGE)
    whole = match["whole"].replace(",", "")
    cents = (match["cents"] or "").ljust(2, "0")
    return Decimal(f"{whole}.{cents}")


def money(value: Decimal | int | str | None) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def format_dollars(value: Decimal) -> str:
    """ "$125,000" for whole dollars, "$125,000.50" otherwise (budget.js `formatDollars`)."""
    value = money(value)
    if value == value.to_integral_value():
        return f"${value:,.0f}"
    return f"${value:,.2f}"


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
    per_officer_cap: Decimal | None  # None: this solicitation (or an approved waiver) sets none
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

    @property
    def cap_note(self) -> str:
        """The label beside the federal share when the cap limits it, else "" (budget.js
        `capNote` writes the same words while the agency types)."""
        if not self.cap_applies or self.per_officer_cap is None:
            return ""
        return f"Capped at {format_dollars(self.per_officer_cap)}"


def compute_budget(
    *,
    positions: int,
    salaries: Sequence[Decimal | None],
    fringes: Sequence[Decimal | None],
    federal_percent: Decimal,
    per_officer_cap: Decimal | None,
) -> Budget:
    """The budget of `positions` officers: one salary and one fringe entry per funded year.

    Blank (None) amounts count as zero. `per_officer_cap` None means no cap. Raises ValueError
    unless salaries and fringes cover the same 1 to MAX_YEARS years.
    """
    if len(salaries) != len(fringes):
        raise ValueError(
            f"Salaries cover {len(salaries)} years but fringe benefits {len(fringes)}."
        )
    if not 1 <= len(salaries) <= MAX_YEARS:
        raise ValueError(f"A budget covers 1 to {MAX_YEARS} funded years, not {len(salaries)}.")
    years = tuple(
        YearCost(year=i + 1, salary=money(salary), fringe=money(fringe))
        for i, (salary, fringe) in enumerate(zip(salaries, fringes, strict=True))
    )
    cost = money(sum((y.total for y in years), ZERO))
    uncapped = money(cost * federal_percent / 100)
    cap = None if per_officer_cap is None else money(per_officer_cap)
    federal = uncapped if cap is None else min(uncapped, cap)
    return Budget(
        positions=positions,
        years=years,
        federal_percent=federal_percent,
        per_officer_cap=cap,
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

    FY2014-17 style: at most `percent_of_force`% of the actual sworn force (rounded down, but
    never below one), never more than `max_officers` (`max_officers_large` when the population is
    `large_population` or more). The small-agency rule is a ceiling: an agency with `small_force`
    or fewer sworn officers may request at most one position.
    """
    limits: list[int] = []
    if percent_of_force is not None and sworn_force is not None:
        limits.append(max(int(Decimal(sworn_force) * percent_of_force / 100), 1))
    if small_force is not None and sworn_force is not None and sworn_force <= small_force:
        limits.append(1)
    if max_officers is not None:
        large = (
            max_officers_large is not None
            and large_population is not None
            and population is not None
            and population >= large_population
        )
        limits.append(max_officers_large if large else max_officers)
    return min(limits) if limits else None
