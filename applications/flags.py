"""Data checks at intake: which of an application's figures look implausible. Plain functions,
no forms; `services.refresh_flags` stores what they find as DataFlag rows.

The DOJ Inspector General found CHP applicants' figures inaccurate or unsupported and COPS's
validation not flagging them (DOMAIN.md "Scoring"). Each checked figure is flagged when

- it is outside the plausible bounds in settings (SCREENING_*), or
- it lies more than SCREENING_OUTLIER_MADS median absolute deviations (MADs) from the median of
  the same figure over the solicitation's other applications in screening or review, once there
  are at least SCREENING_OUTLIER_MIN_PEERS of them. The application's own figure is left out of
  the yardstick, so an extreme value cannot drag the median towards itself. The MAD is the plain
  median of |x - median|, unscaled; when it is zero (most peers report the same figure) the
  deviation cannot be measured and only the bounds apply.

Rates are per 1,000 residents of the jurisdiction, from the application's agency profile.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import median as _median

from django.conf import settings

from .checks import profile_value
from .models import Application, DataFlag

Kind = DataFlag.Kind
STORED = Decimal("0.0001")  # DataFlag.value has four decimal places
THOUSAND = Decimal(1000)

# The applications whose figures form a solicitation's yardstick: submitted and onwards,
# leaving out drafts, returned, withdrawn and ineligible ones.
PEER_STATUSES = (
    Application.Status.SUBMITTED,
    Application.Status.UNDER_REVIEW,
    Application.Status.SCORED,
    Application.Status.RECOMMENDED,
    Application.Status.NOT_SELECTED,
)


@dataclass(frozen=True)
class Flag:
    kind: str
    value: Decimal
    message: str


@dataclass(frozen=True)
class Bounds:
    low: Decimal | None
    high: Decimal | None


def bounds() -> dict[str, Bounds]:
    """The plausible range of each figure, from settings (None: no bound on that side)."""
    return {
        Kind.CRIME_RATE: Bounds(None, settings.SCREENING_MAX_CRIMES_PER_1000),
        Kind.OFFICER_RATE: Bounds(
            settings.SCREENING_MIN_OFFICERS_PER_1000, settings.SCREENING_MAX_OFFICERS_PER_1000
        ),
        Kind.BUDGET_CHANGE: Bounds(
            settings.SCREENING_MIN_BUDGET_CHANGE, settings.SCREENING_MAX_BUDGET_CHANGE
        ),
        Kind.UNEMPLOYMENT: Bounds(None, settings.SCREENING_MAX_UNEMPLOYMENT),
        Kind.POVERTY: Bounds(None, settings.SCREENING_MAX_POVERTY),
    }


def _per_thousand(count, population) -> Decimal | None:
    if count is None or not population:
        return None
    return (Decimal(count) * THOUSAND / Decimal(population)).quantize(STORED, ROUND_HALF_UP)


def figures_of(
    *,
    violent_crimes: int | None,
    property_crimes: int | None,
    population: int | None,
    sworn_force: int | None,
    budget_change: Decimal | None,
    unemployment: Decimal | None,
    poverty: Decimal | None,
) -> dict[str, Decimal | None]:
    """The checked figures from the raw answers (None where an answer is missing)."""
    crimes = (
        None
        if violent_crimes is None or property_crimes is None
        else violent_crimes + property_crimes
    )
    return {
        Kind.CRIME_RATE: _per_thousand(crimes, population),
        Kind.OFFICER_RATE: _per_thousand(sworn_force, population),
        Kind.BUDGET_CHANGE: budget_change,
        Kind.UNEMPLOYMENT: unemployment,
        Kind.POVERTY: poverty,
    }


def figures(application: Application) -> dict[str, Decimal | None]:
    return figures_of(
        violent_crimes=application.violent_crimes,
        property_crimes=application.property_crimes,
        population=profile_value(application, "jurisdiction_population"),
        sworn_force=profile_value(application, "sworn_force_actual"),
        budget_change=application.budget_change_percent,
        unemployment=application.unemployment_rate,
        poverty=application.poverty_rate,
    )


def median(values: Iterable[Decimal]) -> Decimal:
    return Decimal(_median(list(values)))


def mad(values: Iterable[Decimal], centre: Decimal) -> Decimal:
    """Median absolute deviation of `values` around `centre`."""
    return median(abs(value - centre) for value in values)


def number(value: Decimal, places: int = 2) -> str:
    """412, 38.5, 0.45, 1,200: grouped, at most `places` decimals, no trailing zeros."""
    rounded = value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    text = f"{rounded:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _subject(kind: str, value: Decimal) -> str:
    return {
        Kind.CRIME_RATE: f"{number(value)} crimes per 1,000 residents",
        Kind.OFFICER_RATE: f"{number(value)} sworn officers per 1,000 residents",
        Kind.BUDGET_CHANGE: f"A budget change of {number(value)}%",
        Kind.UNEMPLOYMENT: f"An unemployment rate of {number(value)}%",
        Kind.POVERTY: f"A poverty rate of {number(value)}%",
    }[kind]


def check_figure(
    kind: str,
    value: Decimal,
    *,
    peers: list[Decimal],
    limits: Bounds,
    outlier_mads: Decimal,
    min_peers: int,
) -> str | None:
    """The flag's message when `value` is implausible, else None."""
    unit = "%" if kind not in (Kind.CRIME_RATE, Kind.OFFICER_RATE) else ""
    reasons = []
    if limits.high is not None and value > limits.high:
        reasons.append(f"above the plausible maximum of {number(limits.high)}{unit}")
    if limits.low is not None and value < limits.low:
        reasons.append(f"below the plausible minimum of {number(limits.low)}{unit}")
    if len(peers) >= min_peers:
        centre = median(peers)
        spread = mad(peers, centre)
        if spread > 0:
            deviations = abs(value - centre) / spread
            if deviations > outlier_mads:
                side = "above" if value > centre else "below"
                reasons.append(
                    f"{number(deviations, 1)} MADs {side} this solicitation's median of "
                    f"{number(centre)}{unit}"
                )
    if not reasons:
        return None
    return f"{_subject(kind, value)} is {' and '.join(reasons)}."


def compute_flags(
    own: Mapping[str, Decimal | None], peers: Iterable[Mapping[str, Decimal | None]]
) -> list[Flag]:
    """Flags for one application's figures `own` against its peers' figures."""
    peers = list(peers)
    limits = bounds()
    found = []
    for kind in Kind.values:
        value = own.get(kind)
        if value is None:
            continue
        message = check_figure(
            kind,
            value,
            peers=[p[kind] for p in peers if p.get(kind) is not None],
            limits=limits[kind],
            outlier_mads=settings.SCREENING_OUTLIER_MADS,
            min_peers=settings.SCREENING_OUTLIER_MIN_PEERS,
        )
        if message:
            found.append(Flag(kind, value.quantize(STORED, ROUND_HALF_UP), message))
    return found


PEER_FIELDS = (
    "pk", "violent_crimes", "property_crimes", "budget_change_percent", "unemployment_rate",
    "poverty_rate", "agency_profile", "agency__jurisdiction_population",
    "agency__sworn_force_actual",
)  # fmt: skip


def peer_figures(solicitation_id: int, *, exclude: int | None = None) -> dict[int, dict]:
    """Every peer application's figures by id, in one query."""
    rows = (
        Application.objects.filter(solicitation_id=solicitation_id, status__in=PEER_STATUSES)
        .exclude(pk=exclude)
        .values(*PEER_FIELDS)
    )
    found = {}
    for row in rows:
        profile = row["agency_profile"] or {}
        found[row["pk"]] = figures_of(
            violent_crimes=row["violent_crimes"],
            property_crimes=row["property_crimes"],
            population=profile.get(
                "jurisdiction_population", row["agency__jurisdiction_population"]
            ),
            sworn_force=profile.get("sworn_force_actual", row["agency__sworn_force_actual"]),
            budget_change=row["budget_change_percent"],
            unemployment=row["unemployment_rate"],
            poverty=row["poverty_rate"],
        )
    return found


def flags_for(application: Application) -> list[Flag]:
    """What the data checks find in `application` today."""
    return compute_flags(
        figures(application),
        peer_figures(application.solicitation_id, exclude=application.pk).values(),
    )


def unresolved(application: Application) -> bool:
    """True while a stored flag of `application` is neither verified nor corrected: it cannot
    be scored until then."""
    return application.flags.filter(resolution=DataFlag.Resolution.OPEN).exists()
