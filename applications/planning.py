"""The funding plan's default algorithm (README "Funding plan"). Pure functions on Decimals; no
database, so the same numbers come out of the admin, the tests and an auditor's spreadsheet.

minimum = appropriation x state_minimum_percent / 100, rounded to the cent (half up).

Phase 1, the state minimum (the statute: unless every application from a state is funded, each
state with an eligible application receives at least 0.5% of the appropriation). States are taken
in the order of their best-ranked candidate. Within a state, candidates are taken in rank order;
each gets the fewest whole positions that bring the state's total to its minimum, never more than
it asked for, never above the award ceiling, never above what is left of the appropriation. So a
state ends at or just above its minimum (by less than one position), or below it when it has
nothing left to fund. A candidate funded only in part here may get the rest in phase 2.

Phase 1b, adjustments: candidates a grants manager chose to fund out of rank order (`fund_first`)
get as many whole positions as fit, in rank order.

Phase 2, national rank order: what is left funds every candidate (and the unfunded remainder of
those funded in part) in rank order, each with as many whole positions as fit within its request,
the award ceiling and the money left. A candidate too large for the money left gets the whole
positions that fit, and the next candidates are still tried.

The per-officer cap is already inside `federal_per_position`. Every amount is positions x
federal_per_position, so it is exact in cents. Ties cannot occur: ranks are unique.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

STATE_MINIMUM = "state_minimum"
NATIONAL = "national"
ADJUSTED = "adjusted"
NOT_FUNDED = "not_funded"


@dataclass(frozen=True)
class Candidate:
    key: Hashable
    rank: int
    state: str
    positions_requested: int
    federal_per_position: Decimal  # already limited by the per-officer cap
    ceiling: Decimal | None = None  # the award ceiling; None: no ceiling


@dataclass
class Allocation:
    key: Hashable
    positions_funded: int = 0
    federal_funded: Decimal = ZERO
    basis: str = NOT_FUNDED


@dataclass(frozen=True)
class StateShare:
    state: str
    minimum: Decimal
    funded: Decimal
    candidates: int
    all_funded: bool  # every candidate of the state got every position it could receive

    @property
    def met(self) -> bool:
        return self.funded >= self.minimum

    @property
    def outcome(self) -> str:
        if self.met:
            return "met"
        if not self.candidates:
            return "no application ranked"
        if self.all_funded:
            return "every application funded"
        return "not met"


@dataclass
class _Ledger:
    remaining: Decimal
    allocations: dict = field(default_factory=dict)


def state_minimum(appropriation: Decimal, percent: Decimal) -> Decimal:
    return (Decimal(appropriation) * Decimal(percent) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def fundable_positions(candidate: Candidate) -> int:
    """The most positions the candidate could receive with money to spare: its request, within
    the award ceiling."""
    if candidate.federal_per_position <= 0:
        return 0
    if candidate.ceiling is None:
        return candidate.positions_requested
    return min(
        candidate.positions_requested, int(candidate.ceiling // candidate.federal_per_position)
    )


def _positions_that_fit(candidate: Candidate, allocation: Allocation, money: Decimal) -> int:
    """Whole positions `candidate` can still receive from `money`, within its request and the
    award ceiling."""
    price = candidate.federal_per_position
    if price <= 0:
        return 0
    left = candidate.positions_requested - allocation.positions_funded
    room = money
    if candidate.ceiling is not None:
        room = min(room, candidate.ceiling - allocation.federal_funded)
    return max(0, min(left, int(room // price)))


def _fund(ledger: _Ledger, candidate: Candidate, positions: int, basis: str) -> Decimal:
    if positions <= 0:
        return ZERO
    allocation = ledger.allocations[candidate.key]
    amount = candidate.federal_per_position * positions
    allocation.positions_funded += positions
    allocation.federal_funded += amount
    if allocation.basis == NOT_FUNDED:
        allocation.basis = basis
    ledger.remaining -= amount
    return amount


def build_plan(
    *,
    candidates: list[Candidate],
    appropriation: Decimal,
    state_minimum_percent: Decimal,
    states_with_eligible: set[str],
    fund_first: Iterable[Hashable] = (),
) -> list[Allocation]:
    """One Allocation per candidate, in rank order (see the module's docstring)."""
    ordered = sorted(candidates, key=lambda c: c.rank)
    ledger = _Ledger(
        remaining=Decimal(appropriation),
        allocations={c.key: Allocation(key=c.key) for c in ordered},
    )
    minimum = state_minimum(appropriation, state_minimum_percent)

    by_state: dict[str, list[Candidate]] = {}
    for candidate in ordered:
        by_state.setdefault(candidate.state, []).append(candidate)
    for state in sorted(states_with_eligible & by_state.keys(), key=lambda s: by_state[s][0].rank):
        funded = ZERO
        for candidate in by_state[state]:
            if funded >= minimum or ledger.remaining <= 0:
                break
            allocation = ledger.allocations[candidate.key]
            price = candidate.federal_per_position
            if price <= 0:
                continue
            needed = int(((minimum - funded) / price).to_integral_value(rounding=ROUND_CEILING))
            positions = min(needed, _positions_that_fit(candidate, allocation, ledger.remaining))
            funded += _fund(ledger, candidate, positions, STATE_MINIMUM)

    chosen = set(fund_first)
    for candidate in ordered:
        if candidate.key in chosen:
            allocation = ledger.allocations[candidate.key]
            positions = _positions_that_fit(candidate, allocation, ledger.remaining)
            _fund(ledger, candidate, positions, ADJUSTED)

    for candidate in ordered:
        allocation = ledger.allocations[candidate.key]
        positions = _positions_that_fit(candidate, allocation, ledger.remaining)
        _fund(ledger, candidate, positions, NATIONAL)

    return [ledger.allocations[c.key] for c in ordered]


def state_shares(
    *,
    candidates: list[Candidate],
    allocations: list[Allocation],
    appropriation: Decimal,
    state_minimum_percent: Decimal,
    states_with_eligible: set[str],
) -> list[StateShare]:
    """Each state with an eligible application: its minimum and what the plan gives it."""
    minimum = state_minimum(appropriation, state_minimum_percent)
    by_key = {a.key: a for a in allocations}
    totals: dict[str, Decimal] = dict.fromkeys(states_with_eligible, ZERO)
    counts: dict[str, int] = dict.fromkeys(states_with_eligible, 0)
    short: set[str] = set()
    for candidate in candidates:
        if candidate.state not in totals:
            continue
        allocation = by_key.get(candidate.key) or Allocation(key=candidate.key)
        totals[candidate.state] += allocation.federal_funded
        counts[candidate.state] += 1
        if allocation.positions_funded < fundable_positions(candidate):
            short.add(candidate.state)
    return [
        StateShare(
            state=s, minimum=minimum, funded=totals[s], candidates=counts[s],
            all_funded=s not in short,
        )
        for s in sorted(totals)
    ]  # fmt: skip


def funds_ran_out_at(candidates: list[Candidate], allocations: list[Allocation]) -> int | None:
    """The best rank the plan could not fund in full for lack of money (the funding line), or
    None when every candidate got all it could (its request, within the award ceiling)."""
    funded = {a.key: a.positions_funded for a in allocations}
    short = [c.rank for c in candidates if funded.get(c.key, 0) < fundable_positions(c)]
    return min(short) if short else None
