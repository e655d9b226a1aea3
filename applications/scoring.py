"""CHP formula scoring (README "Scoring"). Pure functions on Decimals; no database.

Within one solicitation's scored applications:

- Percentile rank of a value among n values, "better" meaning higher after the direction is
  applied: percentile = (r - 1) / (n - 1) x 100, where r is the value's 1-based rank in
  ascending order of goodness and tied values all get the average of the ranks they span
  (two values tied for ranks 2 and 3 both get r = 2.5). With n == 1 the percentile is 100.
- Fiscal need (0-100) = the mean of the percentile ranks of the budget cut (a larger cut ranks
  higher, so the value ranked is -budget_change_percent), the unemployment rate and the poverty
  rate.
- Crime (0-100) = the mean of the percentile ranks of violent and of property crimes per 1,000
  residents (crimes / population x 1,000).
- Community policing (0-100) = the mean of the submitted reviews' rubric totals / the rubric's
  maximum total x 100.
- Score without bonuses = (fiscal need x its weight + crime x its weight + community policing x
  its weight) / 100, the weights being whole percentage points that add up to 100.
- Score = score without bonuses + the SRO bonus (when the SRO commitment is made) + the veteran
  bonus (when the veteran-hiring commitment is made).

Rounding: every value that is stored (crime rates, percentiles, the three criteria, bonuses,
both scores) is rounded to 4 decimal places, half up, at the step that produces it; later steps
use the rounded values, so anyone can recompute each number from the stored ones.

Ties: the rank orders by score, then fiscal need, then crime (all descending), then the earlier
submission, then the lower record id. The rank without bonuses uses the same tie-breaks on the
score without bonuses.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

PLACES = Decimal("0.0001")
HUNDRED = Decimal(100)
ZERO = Decimal(0)

FISCAL_MEASURES = ("budget_cut", "unemployment_rate", "poverty_rate")
CRIME_MEASURES = ("violent_per_1000", "property_per_1000")


def rounded(value: Decimal | int) -> Decimal:
    """`value` to 4 decimal places, half up: the one rounding every stored score uses."""
    return Decimal(value).quantize(PLACES, rounding=ROUND_HALF_UP)


def percentile_ranks(
    values: Mapping[Hashable, Decimal], higher_is_better: bool = True
) -> dict[Hashable, Decimal]:
    """The percentile rank (0-100, 4 places) of each value among all of them.

    percentile = (r - 1) / (n - 1) x 100 with r the 1-based rank from worst to best, tied values
    sharing the average of the ranks they span; a single value is at 100.
    """
    n = len(values)
    if n == 0:
        return {}
    if n == 1:
        return {key: rounded(HUNDRED) for key in values}
    sign = 1 if higher_is_better else -1
    ordered = sorted(values, key=lambda key: sign * Decimal(values[key]))
    ranks: dict[Hashable, Decimal] = {}
    start = 0
    while start < n:
        end = start
        value = Decimal(values[ordered[start]])
        while end + 1 < n and Decimal(values[ordered[end + 1]]) == value:
            end += 1
        # Positions start..end (0-based) are ranks start+1..end+1: their mean.
        average = Decimal(start + 1 + end + 1) / 2
        for key in ordered[start : end + 1]:
            ranks[key] = average
        start = end + 1
    return {key: rounded((rank - 1) / (n - 1) * HUNDRED) for key, rank in ranks.items()}


def per_thousand(count: int, population: int) -> Decimal:
    """Crimes per 1,000 residents, 4 places."""
    if population <= 0:
        raise ValueError("A jurisdiction population must be positive to compute a crime rate.")
    return rounded(Decimal(count) * 1000 / Decimal(population))


def mean(values: Iterable[Decimal]) -> Decimal:
    values = list(values)
    if not values:
        raise ValueError("The mean of no values is undefined.")
    return rounded(sum(values, ZERO) / len(values))


def community_policing(totals: Iterable[Decimal], rubric_maximum: Decimal) -> Decimal:
    """The mean of the reviews' rubric totals as a share of the rubric's maximum, x 100."""
    totals = list(totals)
    if not totals:
        raise ValueError("Community policing needs at least one submitted review.")
    if rubric_maximum <= 0:
        raise ValueError("The rubric's maximum total must be positive.")
    return rounded(sum(totals, ZERO) / len(totals) / Decimal(rubric_maximum) * HUNDRED)


def rubric_maximum(rubric: list[dict]) -> Decimal:
    """The highest total a review can give: the sum of each criterion's maximum."""
    return sum((Decimal(str(criterion["max"])) for criterion in rubric), ZERO)


@dataclass(frozen=True)
class Weights:
    """One version of the scoring rules, as the formula needs it."""

    fiscal_need: int
    crime: int
    community_policing: int
    sro_bonus: Decimal
    veteran_bonus: Decimal
    rubric_maximum: Decimal


@dataclass(frozen=True)
class Inputs:
    """What one application reported (and its reviewers gave) that the formula reads."""

    key: Hashable
    budget_change_percent: Decimal
    unemployment_rate: Decimal
    poverty_rate: Decimal
    violent_crimes: int
    property_crimes: int
    population: int
    review_totals: tuple[Decimal, ...]
    sro_commitment: bool
    veteran_commitment: bool
    submitted_at: datetime | None
    pk: int

    @property
    def measures(self) -> dict[str, Decimal]:
        """The five values ranked against the other applications; larger is needier."""
        return {
            "budget_cut": -Decimal(self.budget_change_percent),
            "unemployment_rate": Decimal(self.unemployment_rate),
            "poverty_rate": Decimal(self.poverty_rate),
            "violent_per_1000": per_thousand(self.violent_crimes, self.population),
            "property_per_1000": per_thousand(self.property_crimes, self.population),
        }


@dataclass(frozen=True)
class Score:
    key: Hashable
    measures: dict[str, Decimal]
    percentiles: dict[str, Decimal]
    fiscal_need: Decimal
    crime: Decimal
    community_policing: Decimal
    sro_bonus: Decimal
    veteran_bonus: Decimal
    score_without_bonus: Decimal
    score: Decimal
    rank: int
    rank_without_bonus: int


def score_application(
    *,
    percentiles: Mapping[str, Decimal],
    review_totals: Iterable[Decimal],
    sro_commitment: bool,
    veteran_commitment: bool,
    weights: Weights,
) -> dict[str, Decimal]:
    """One application's criteria and scores from its percentile ranks and review totals."""
    fiscal = mean(percentiles[name] for name in FISCAL_MEASURES)
    crime = mean(percentiles[name] for name in CRIME_MEASURES)
    cp = community_policing(review_totals, weights.rubric_maximum)
    without = rounded(
        (fiscal * weights.fiscal_need + crime * weights.crime + cp * weights.community_policing)
        / HUNDRED
    )
    sro = rounded(weights.sro_bonus if sro_commitment else ZERO)
    veteran = rounded(weights.veteran_bonus if veteran_commitment else ZERO)
    return {
        "fiscal_need": fiscal,
        "crime": crime,
        "community_policing": cp,
        "sro_bonus": sro,
        "veteran_bonus": veteran,
        "score_without_bonus": without,
        "score": rounded(without + sro + veteran),
    }


@dataclass(frozen=True)
class Standing:
    """What the rank order reads of one application."""

    key: Hashable
    score: Decimal
    fiscal_need: Decimal
    crime: Decimal
    submitted_at: datetime | None
    pk: int

    def order(self) -> tuple:
        # Higher scores first, then higher fiscal need and crime, then the earlier submission
        # (an application without a submission time goes last), then the lower id.
        submitted = self.submitted_at.timestamp() if self.submitted_at else float("inf")
        return (-self.score, -self.fiscal_need, -self.crime, submitted, self.pk)


def rank(standings: Iterable[Standing]) -> dict[Hashable, int]:
    """1-based ranks, no two alike: by score, fiscal need, crime, submission time, id."""
    ordered = sorted(standings, key=Standing.order)
    return {standing.key: position for position, standing in enumerate(ordered, start=1)}


def score_solicitation(applications: Iterable[Inputs], weights: Weights) -> list[Score]:
    """Score and rank every application together, best first."""
    applications = list(applications)
    measures = {item.key: item.measures for item in applications}
    percentiles: dict[Hashable, dict[str, Decimal]] = {item.key: {} for item in applications}
    for name in (*FISCAL_MEASURES, *CRIME_MEASURES):
        ranked = percentile_ranks({key: m[name] for key, m in measures.items()})
        for key, value in ranked.items():
            percentiles[key][name] = value
    parts = {
        item.key: score_application(
            percentiles=percentiles[item.key],
            review_totals=item.review_totals,
            sro_commitment=item.sro_commitment,
            veteran_commitment=item.veteran_commitment,
            weights=weights,
        )
        for item in applications
    }

    def ranks(score_field: str) -> dict[Hashable, int]:
        return rank(
            Standing(
                key=item.key,
                score=parts[item.key][score_field],
                fiscal_need=parts[item.key]["fiscal_need"],
                crime=parts[item.key]["crime"],
                submitted_at=item.submitted_at,
                pk=item.pk,
            )
            for item in applications
        )

    by_score, by_score_without = ranks("score"), ranks("score_without_bonus")
    scores = [
        Score(
            key=item.key,
            measures=measures[item.key],
            percentiles=percentiles[item.key],
            rank=by_score[item.key],
            rank_without_bonus=by_score_without[item.key],
            **parts[item.key],
        )
        for item in applications
    ]
    return sorted(scores, key=lambda s: s.rank)
