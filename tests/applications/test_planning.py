"""The funding plan's algorithm (applications/planning.py), on examples worked by hand."""

from decimal import Decimal

from applications.planning import (
    ADJUSTED,
    NATIONAL,
    NOT_FUNDED,
    STATE_MINIMUM,
    Candidate,
    build_plan,
    funds_ran_out_at,
    state_minimum,
    state_shares,
)

D = Decimal
CEILING = D("6250000")
HALF_PERCENT = D("0.5")


def candidates(rows, ceiling=CEILING):
    return [
        Candidate(key=rank, rank=rank, state=state, positions_requested=positions,
                  federal_per_position=D(price), ceiling=ceiling)
        for rank, state, positions, price in rows
    ]  # fmt: skip


def plan(rows, appropriation, states=None, percent=HALF_PERCENT, **kwargs):
    cands = candidates(rows)
    states = states if states is not None else {c.state for c in cands}
    allocations = build_plan(
        candidates=cands,
        appropriation=D(appropriation),
        state_minimum_percent=percent,
        states_with_eligible=states,
        **kwargs,
    )
    return cands, {a.key: a for a in allocations}


# The README's worked example ("Funding plan"): $20,000,000, so each state's minimum is $100,000.
WORKED_EXAMPLE = [
    (1, "CA", 40, "125000"),
    (2, "TX", 60, "125000"),  # asks $7.5M: the award ceiling holds it to 50 positions
    (3, "CA", 30, "120000"),
    (4, "NY", 20, "100000"),
    (5, "WY", 3, "90000"),
    (6, "TX", 10, "125000"),
    (7, "VT", 2, "80000"),
    (8, "AK", 4, "30000"),
    (9, "OH", 20, "110000"),  # where the money runs out
    (10, "IL", 1, "25000"),  # IL's only application, smaller than the minimum
    (11, "ME", 10, "125000"),  # ME's only application, below the line
]


def test_the_readme_worked_example_funds_what_the_readme_says():
    cands, result = plan(WORKED_EXAMPLE, "20000000", states={"NM"} | {r[1] for r in WORKED_EXAMPLE})
    funded = {k: (a.positions_funded, a.federal_funded, a.basis) for k, a in result.items()}
    assert funded == {
        1: (40, D("5000000"), STATE_MINIMUM),
        2: (50, D("6250000"), STATE_MINIMUM),
        3: (30, D("3600000"), NATIONAL),
        4: (20, D("2000000"), STATE_MINIMUM),
        5: (3, D("270000"), STATE_MINIMUM),
        6: (10, D("1250000"), NATIONAL),
        7: (2, D("160000"), STATE_MINIMUM),
        8: (4, D("120000"), STATE_MINIMUM),
        9: (10, D("1100000"), STATE_MINIMUM),
        10: (1, D("25000"), STATE_MINIMUM),
        11: (1, D("125000"), STATE_MINIMUM),
    }
    total = sum(a.federal_funded for a in result.values())
    assert total == D("19900000")  # $100,000 remains: less than one more position anywhere
    assert funds_ran_out_at(cands, list(result.values())) == 9
    shares = {
        s.state: (s.funded, s.outcome)
        for s in state_shares(
            candidates=cands, allocations=list(result.values()), appropriation=D("20000000"),
            state_minimum_percent=D("0.5"), states_with_eligible={"NM", "IL", "ME", "VT"},
        )
    }  # fmt: skip
    assert shares == {
        "IL": (D("25000"), "every application funded"),
        "ME": (D("125000"), "met"),
        "NM": (D("0"), "no application ranked"),
        "VT": (D("160000"), "met"),
    }


def test_the_minimum_is_half_a_percent_of_the_appropriation_rounded_to_the_cent():
    assert state_minimum(D("156000000"), D("0.5")) == D("780000.00")
    assert state_minimum(D("1000.01"), D("0.5")) == D("5.00")
    assert state_minimum(D("1000.99"), D("0.5")) == D("5.00")  # 5.00495 rounds down
    assert state_minimum(D("1001.00"), D("0.5")) == D("5.01")  # 5.005 rounds half up


def test_a_states_best_application_below_the_national_line_is_funded_for_its_minimum():
    # $1,000,000 buys rank 1 and 2 nationally; WY's rank 3 is below that line.
    rows = [(1, "CA", 4, "125000"), (2, "TX", 4, "125000"), (3, "WY", 4, "100000")]
    _, result = plan(rows, "1000000", percent=D("10"))  # minimum $100,000
    assert (result[3].positions_funded, result[3].basis) == (1, STATE_MINIMUM)
    assert result[3].federal_funded == D("100000")
    # Without the rule WY gets nothing: the two better-ranked applications take it all.
    _, without = plan(rows, "1000000", states=set())
    assert without[3].positions_funded == 0 and without[3].basis == NOT_FUNDED


def test_a_state_with_only_a_too_large_application_gets_whole_positions_that_reach_its_minimum():
    # Minimum $250,000 (10% of $2.5M); VT's only application asks 10 x $120,000.
    rows = [(1, "CA", 20, "125000"), (2, "VT", 10, "120000")]
    _, result = plan(rows, "2500000", percent=D("10"))
    # 3 positions ($360,000) is the fewest that reach $250,000; the rest is below the line.
    assert (result[2].positions_funded, result[2].federal_funded) == (3, D("360000"))
    assert result[2].basis == STATE_MINIMUM
    assert result[1].federal_funded == D("2125000")  # 17 positions: all that is left
    assert result[1].federal_funded + result[2].federal_funded <= D("2500000")


def test_a_state_whose_every_application_is_funded_may_stay_below_its_minimum():
    rows = [(1, "CA", 10, "125000"), (2, "IL", 1, "20000"), (3, "IL", 1, "30000")]
    cands, result = plan(rows, "20000000", percent=D("1"))  # minimum $200,000
    assert result[2].positions_funded == 1 and result[3].positions_funded == 1
    share = {
        s.state: s
        for s in state_shares(
            candidates=cands, allocations=list(result.values()), appropriation=D("20000000"),
            state_minimum_percent=D("1"), states_with_eligible={"CA", "IL"},
        )
    }["IL"]  # fmt: skip
    assert share.funded == D("50000") and not share.met
    assert share.outcome == "every application funded"


def test_a_partly_funded_application_gets_the_rest_in_national_order_when_money_remains():
    rows = [(1, "VT", 10, "100000")]
    _, result = plan(rows, "5000000", percent=D("5"))  # minimum $250,000: 3 positions first
    assert result[1].positions_funded == 10
    assert result[1].basis == STATE_MINIMUM


def test_the_award_ceiling_and_the_appropriation_are_never_exceeded():
    rows = [(1, "CA", 80, "125000"), (2, "TX", 30, "99999.99"), (3, "NY", 9, "70000")]
    _, result = plan(rows, "9000000")
    assert result[1].positions_funded == 50  # $6,250,000 ceiling / $125,000
    assert result[1].federal_funded == CEILING
    # Phase 1 gave each state one position; CA's 49 more leave $2,580,000.01: 25 more for TX.
    assert (result[2].positions_funded, result[2].federal_funded) == (26, D("2599999.74"))
    assert (result[3].positions_funded, result[3].federal_funded) == (2, D("140000"))
    assert D("9000000") - sum(a.federal_funded for a in result.values()) == D("10000.26")
    for allocation in result.values():
        assert allocation.federal_funded <= CEILING


def test_applications_too_large_for_the_money_left_do_not_stop_smaller_ones_below_them():
    rows = [(1, "CA", 10, "100000"), (2, "CA", 5, "100000"), (3, "CA", 1, "50000")]
    _, result = plan(rows, "1250000", states=set())
    assert [result[k].positions_funded for k in (1, 2, 3)] == [10, 2, 1]


def test_funding_out_of_rank_order_comes_after_state_minimums_and_before_national_order():
    rows = [(1, "CA", 10, "100000"), (2, "CA", 10, "100000"), (3, "TX", 10, "100000")]
    _, result = plan(rows, "1200000", percent=D("5"), fund_first=[2])  # TX minimum $60,000
    assert (result[3].positions_funded, result[3].basis) == (1, STATE_MINIMUM)
    assert (result[2].positions_funded, result[2].basis) == (10, ADJUSTED)
    assert result[1].positions_funded == 1  # CA's minimum came first; the rest went to rank 2


def test_the_plan_is_deterministic_whatever_order_the_candidates_come_in():
    forward = build_plan(
        candidates=candidates(WORKED_EXAMPLE), appropriation=D("20000000"),
        state_minimum_percent=D("0.5"), states_with_eligible={"CA", "TX", "ME"},
    )  # fmt: skip
    backward = build_plan(
        candidates=list(reversed(candidates(WORKED_EXAMPLE))), appropriation=D("20000000"),
        state_minimum_percent=D("0.5"), states_with_eligible={"ME", "TX", "CA"},
    )  # fmt: skip
    assert forward == backward


def test_a_candidate_with_no_federal_amount_per_position_is_not_funded():
    _, result = plan([(1, "CA", 3, "0")], "1000000")
    assert result[1].positions_funded == 0 and result[1].basis == NOT_FUNDED
