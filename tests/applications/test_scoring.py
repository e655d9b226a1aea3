"""The pure formula (applications/scoring.py), on examples worked by hand."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from applications import scoring

WEIGHTS = scoring.Weights(
    fiscal_need=50, crime=25, community_policing=25, sro_bonus=D("5"), veteran_bonus=D("2"),
    rubric_maximum=D("20"),
)  # fmt: skip
T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_percentile_ranks_spread_from_0_to_100_by_the_formula():
    # r = 1..4 -> (r - 1) / 3 x 100
    ranks = scoring.percentile_ranks({"a": D("4"), "b": D("6"), "c": D("8"), "d": D("10")})
    assert ranks == {"a": D("0.0000"), "b": D("33.3333"), "c": D("66.6667"), "d": D("100.0000")}


def test_tied_values_share_the_average_of_the_ranks_they_span():
    # 0 is rank 1; the two 5s span ranks 2 and 3 -> 2.5 -> 1.5 / 3 x 100 = 50; 10 is rank 4.
    ranks = scoring.percentile_ranks({"a": D("10"), "b": D("5"), "c": D("0"), "d": D("5")})
    assert ranks == {"a": D("100.0000"), "b": D("50.0000"), "c": D("0.0000"), "d": D("50.0000")}


def test_three_tied_lowest_values_sit_at_the_average_rank_two():
    ranks = scoring.percentile_ranks({"a": D("10"), "b": D("10"), "c": D("10"), "d": D("20")})
    assert ranks == {"a": D("33.3333"), "b": D("33.3333"), "c": D("33.3333"), "d": D("100.0000")}


def test_all_values_equal_rank_in_the_middle_and_a_single_value_at_100():
    assert scoring.percentile_ranks({"a": D(3), "b": D(3), "c": D(3)}) == dict.fromkeys(
        "abc", D("50.0000")
    )
    assert scoring.percentile_ranks({"only": D("7")}) == {"only": D("100.0000")}
    assert scoring.percentile_ranks({}) == {}


def test_lower_is_better_reverses_the_order():
    ranks = scoring.percentile_ranks({"a": D("1"), "b": D("2")}, higher_is_better=False)
    assert ranks == {"a": D("100.0000"), "b": D("0.0000")}


def test_rounding_is_four_places_half_up():
    assert scoring.rounded(D("66.66665")) == D("66.6667")
    assert scoring.rounded(D("58.33335")) == D("58.3334")
    assert scoring.rounded(D("1.00004")) == D("1.0000")


def test_crime_rate_is_per_thousand_residents_and_needs_a_population():
    assert scoring.per_thousand(50, 10_000) == D("5.0000")
    assert scoring.per_thousand(1, 3) == D("333.3333")
    with pytest.raises(ValueError, match="population"):
        scoring.per_thousand(5, 0)


def test_community_policing_is_the_mean_review_total_over_the_rubric_maximum():
    assert scoring.community_policing([D(15), D(17)], D(20)) == D("80.0000")
    assert scoring.community_policing([D(12), D(13), D(13)], D(20)) == D("63.3333")
    assert scoring.rubric_maximum([{"max": 5}, {"max": 5}, {"max": 10}]) == D(20)


def inputs(key, *, cut, unemployment, poverty, violent, prop, totals, sro=False, vet=False,
           minutes=0, population=10_000):  # fmt: skip
    return scoring.Inputs(
        key=key, budget_change_percent=-D(cut), unemployment_rate=D(unemployment),
        poverty_rate=D(poverty), violent_crimes=violent, property_crimes=prop,
        population=population, review_totals=tuple(D(t) for t in totals), sro_commitment=sro,
        veteran_commitment=vet, submitted_at=T0 + timedelta(minutes=minutes), pk=ord(key),
    )  # fmt: skip


# The example in README "Scoring": four applications worked by hand.
EXAMPLE = [
    inputs("A", cut=10, unemployment=4, poverty=10, violent=100, prop=200, totals=[15, 17]),
    inputs("B", cut=5, unemployment=6, poverty=10, violent=50, prop=300, totals=[10, 10],
           sro=True, vet=True),
    inputs("C", cut=0, unemployment=8, poverty=10, violent=20, prop=400, totals=[20, 18],
           sro=True, vet=True),
    inputs("D", cut=5, unemployment=10, poverty=20, violent=50, prop=100, totals=[12, 14]),
]  # fmt: skip


def test_a_small_solicitation_scores_as_worked_by_hand():
    scores = {s.key: s for s in scoring.score_solicitation(EXAMPLE, WEIGHTS)}
    a, b, c, d = scores["A"], scores["B"], scores["C"], scores["D"]
    # Budget cut: C 0 < B = D 5 < A 10. Unemployment 4 < 6 < 8 < 10. Poverty A = B = C < D.
    assert a.percentiles == {"budget_cut": D("100.0000"), "unemployment_rate": D("0.0000"),
                             "poverty_rate": D("33.3333"), "violent_per_1000": D("100.0000"),
                             "property_per_1000": D("33.3333")}  # fmt: skip
    # Fiscal need: A (100 + 0 + 33.3333) / 3 = 44.44443 -> 44.4444; B (50 + 33.3333 + 33.3333)
    # / 3 = 38.88887 -> 38.8889; C (0 + 66.6667 + 33.3333) / 3; D (50 + 100 + 100) / 3.
    assert [a.fiscal_need, b.fiscal_need, c.fiscal_need, d.fiscal_need] == [
        D("44.4444"), D("38.8889"), D("33.3333"), D("83.3333")]  # fmt: skip
    # Crime per 1,000: violent A 10, B 5, C 2, D 5; property A 20, B 30, C 40, D 10.
    # A (100 + 33.3333) / 2 = 66.66665 -> 66.6667 (half up); B (50 + 66.6667) / 2 -> 58.3334.
    assert [a.crime, b.crime, c.crime, d.crime] == [
        D("66.6667"), D("58.3334"), D("50.0000"), D("25.0000")]  # fmt: skip
    # Community policing: mean total / 20 x 100.
    assert [s.community_policing for s in (a, b, c, d)] == [
        D("80.0000"), D("50.0000"), D("95.0000"), D("65.0000")]  # fmt: skip
    # (44.4444 x 50 + 66.6667 x 25 + 80 x 25) / 100 = 58.888875 -> 58.8889, and so on.
    assert [s.score_without_bonus for s in (a, b, c, d)] == [
        D("58.8889"), D("46.5278"), D("52.9167"), D("64.1667")]  # fmt: skip
    assert (b.sro_bonus, b.veteran_bonus, a.sro_bonus, a.veteran_bonus) == (
        D("5.0000"), D("2.0000"), D("0.0000"), D("0.0000"))  # fmt: skip
    assert [a.score, b.score, c.score, d.score] == [
        D("58.8889"), D("53.5278"), D("59.9167"), D("64.1667")]  # fmt: skip
    # The bonuses lift C over A: ranks D, C, A, B; without them D, A, C, B.
    assert [a.rank, b.rank, c.rank, d.rank] == [3, 4, 2, 1]
    assert [s.rank_without_bonus for s in (a, b, c, d)] == [2, 4, 3, 1]


def test_scores_come_back_best_first():
    assert [s.key for s in scoring.score_solicitation(EXAMPLE, WEIGHTS)] == ["D", "C", "A", "B"]


def test_scoring_the_same_inputs_twice_gives_identical_numbers():
    first = scoring.score_solicitation(EXAMPLE, WEIGHTS)
    again = scoring.score_solicitation(list(reversed(EXAMPLE)), WEIGHTS)
    assert first == again


def standing(key, score, fiscal="50", crime="50", minutes=0, pk=1):
    return scoring.Standing(
        key=key, score=D(score), fiscal_need=D(fiscal), crime=D(crime),
        submitted_at=T0 + timedelta(minutes=minutes), pk=pk,
    )  # fmt: skip


def test_an_equal_score_breaks_by_fiscal_need_first():
    ranks = scoring.rank([standing("a", "70", fiscal="40", crime="90"),
                          standing("b", "70", fiscal="60", crime="10", minutes=5)])  # fmt: skip
    assert ranks == {"b": 1, "a": 2}


def test_equal_score_and_fiscal_need_break_by_crime():
    ranks = scoring.rank([standing("a", "70", crime="40"),
                          standing("b", "70", crime="60", minutes=5)])  # fmt: skip
    assert ranks == {"b": 1, "a": 2}


def test_then_the_earlier_submission_then_the_lower_id():
    ranks = scoring.rank([standing("late", "70", minutes=9, pk=1),
                          standing("early", "70", minutes=1, pk=2)])  # fmt: skip
    assert ranks == {"early": 1, "late": 2}
    ranks = scoring.rank([standing("x", "70", pk=8), standing("y", "70", pk=3)])
    assert ranks == {"y": 1, "x": 2}


def test_equal_final_scores_from_the_formula_rank_the_needier_application_first():
    weights = scoring.Weights(fiscal_need=25, crime=25, community_policing=50,
                              sro_bonus=D(5), veteran_bonus=D(2), rubric_maximum=D(20))  # fmt: skip
    # "needy" has every fiscal percentile at 100 and crime at 0; "crime" the reverse: both
    # score 25 + 50 x 0.5 = 50, and fiscal need breaks the tie despite the later submission.
    needy = inputs("N", cut=9, unemployment=9, poverty=9, violent=1, prop=1, totals=[10],
                   minutes=30)  # fmt: skip
    crime = inputs("K", cut=1, unemployment=1, poverty=1, violent=90, prop=90, totals=[10])
    scores = {s.key: s for s in scoring.score_solicitation([needy, crime], weights)}
    assert scores["N"].score == scores["K"].score == D("50.0000")
    assert (scores["N"].rank, scores["K"].rank) == (1, 2)
