"""The ranking of one scoring run as staff read it: each application's breakdown, whether the
plan funds it, and whether the SRO bonus moved it across the funding line. Reads only (a
selector): a fixed number of queries whatever the number of applications. The ranking page
reads a summary (`summary=True`: numbers as tuples, not 10,000 model instances) and loads the
applications of the rows it shows; the exports read every row whole.

Funded: by the solicitation's newest funding plan drafted from this run when there is one,
else by the default plan (`planning.build_plan`) on this run's order. Moved by the bonus: the
default plan on the order with bonuses against the default plan on the order without them, so
an adjustment to a drafted plan is never mistaken for the bonus's effect.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import BooleanField, F, OuterRef, Subquery, TextField, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, NullIf
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import (
    Agency,
    Application,
    FundingPlan,
    PlanAdjustment,
    PlanLine,
    ScoreBreakdown,
    ScoringRun,
)
from .planning import NOT_FUNDED, Candidate, build_plan, state_minimum

CARRIED = "carried"  # funded only because of the bonus
PUSHED = "pushed"  # funded without the bonuses, not with them
MOVED_CHOICES = {CARRIED: "carried above the funding line by the SRO bonus",
                 PUSHED: "pushed below the funding line by others' bonuses"}  # fmt: skip


BREAKDOWN_FIELDS = [
    "run", "application", "inputs", "fiscal_need", "crime", "community_policing", "sro_bonus",
    "veteran_bonus", "score_without_bonus", "score", "rank", "rank_without_bonus",
    "application__tracking_number", "application__agency",
    "application__agency__legal_name", "application__agency__state",
]  # fmt: skip
SCORE_COLUMNS = (
    "application_id", "fiscal_need", "crime", "community_policing", "sro_bonus",
    "veteran_bonus", "score_without_bonus", "score", "rank", "rank_without_bonus",
)  # fmt: skip
CENT = Decimal("0.01")
INPUT_KEYS = ("positions_requested", "federal_requested", "federal_per_position")
SUMMARIES_KEPT = 4  # runs (and plan terms) whose summary a process keeps
DRAWN_KEPT = 16  # drawn fragments (table pages, charts) a kept summary keeps


@dataclass(frozen=True, slots=True)
class Figures:
    """A breakdown's stored numbers without its JSON columns or its application: what the
    ranking page reads of every row (`ranking(run, summary=True)`)."""

    application_id: int
    fiscal_need: Decimal
    crime: Decimal
    community_policing: Decimal
    sro_bonus: Decimal
    veteran_bonus: Decimal
    score_without_bonus: Decimal
    score: Decimal
    rank: int
    rank_without_bonus: int


@dataclass
class Row:
    breakdown: ScoreBreakdown | Figures
    positions_requested: int
    federal_requested: Decimal
    state: str = ""
    federal_per_position: Decimal = Decimal("0")
    positions_funded: int = 0
    federal_funded: Decimal = Decimal("0.00")
    basis: str = NOT_FUNDED
    funded_without_bonus: bool = False
    moved: str = ""
    adjusted: bool = False

    @property
    def funded(self) -> bool:
        return self.positions_funded > 0

    @property
    def application(self):
        return self.breakdown.application  # a full row's (a summary row has none)


@dataclass
class Ranking:
    run: ScoringRun
    rows: list[Row]
    plan: FundingPlan | None
    appropriation: Decimal
    state_minimum_percent: Decimal
    shares: list[dict] = field(default_factory=list)
    # What is derived from the rows alone (totals, chart geometry, drawn table rows, built
    # queries), and markup drawn from them with values read on each request (`drawn`), kept
    # as long as the rows are: a summary's is shared with every request that reads the same
    # run, plan lines and adjustments (its cache key); a full ranking's lasts one request.
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    def remember(self, name, compute):
        """`compute()`, worked out once for these rows (it may read nothing else)."""
        try:
            return self.memo[name]
        except KeyError:
            value = self.memo[name] = compute()
            return value

    def drawn(self, name, shown: tuple, draw):
        """`draw()`, markup from these rows and the values `shown` (read on every request:
        agency names, URLs), kept while `shown` is unchanged: a renamed agency is drawn anew
        on the next request. The `DRAWN_KEPT` last drawn names are kept."""
        kept = self.memo.get("drawn")
        if kept is None:
            kept = self.memo.setdefault("drawn", OrderedDict())
        entry = kept.get(name)
        if entry is not None and entry[0] == shown:
            return entry[1]
        markup = draw()
        kept[name] = (shown, markup)
        kept.move_to_end(name)
        while len(kept) > DRAWN_KEPT:
            kept.popitem(last=False)
        return markup

    @property
    def funding_line(self) -> Row | None:
        """The last row of the unbroken run of funded applications from rank 1: everything
        above it is funded; below it only applications funded for their state's minimum."""
        return self.remember("funding_line", self._funding_line)

    @property
    def funded_count(self) -> int:
        return self.remember("funded_count", lambda: sum(1 for r in self.rows if r.funded))

    @property
    def federal_funded(self) -> Decimal:
        return self.remember(
            "federal_funded", lambda: sum((r.federal_funded for r in self.rows), start=0)
        )

    def _funding_line(self) -> Row | None:
        last = None
        for row in self.rows:
            if not row.funded:
                break
            last = row
        return last

    def moved(self, which: str = "") -> list[Row]:
        return list(
            self.remember(
                ("moved", which),
                lambda: tuple(r for r in self.rows if r.moved and (not which or r.moved == which)),
            )
        )


def _candidates(rows: list[Row], rank_field: str, ceiling: Decimal | None) -> list[Candidate]:
    return [
        Candidate(
            key=row.breakdown.application_id,
            rank=getattr(row.breakdown, rank_field),
            state=row.state,
            positions_requested=row.positions_requested,
            federal_per_position=row.federal_per_position,
            ceiling=ceiling,
        )
        for row in rows
    ]


def _default_plan(rows, rank_field, *, appropriation, percent, ceiling) -> dict:
    states = {row.state for row in rows}
    allocations = build_plan(
        candidates=_candidates(rows, rank_field, ceiling),
        appropriation=appropriation,
        state_minimum_percent=percent,
        states_with_eligible=states,
    )
    return {allocation.key: allocation for allocation in allocations}


def _full_rows(run: ScoringRun) -> list[Row]:
    # Only the columns the exports read: with 10,000 applications, building full Application
    # and Agency rows (their JSON answers and profiles) was nine tenths of the request.
    breakdowns = (
        run.breakdowns.select_related("application__agency")
        .only(*BREAKDOWN_FIELDS)
        .order_by("rank")
    )
    return [
        Row(
            breakdown=b,
            positions_requested=int(b.inputs.get("positions_requested", "0")),
            federal_requested=Decimal(b.inputs.get("federal_requested", "0")),
            state=b.inputs.get("state") or b.application.agency.state,
            federal_per_position=Decimal(b.inputs.get("federal_per_position", "0")),
        )
        for b in breakdowns
    ]


def _summary_rows(run_pk: int) -> list[Row]:
    """Tuples, not model instances, and four keys of the inputs JSON rather than all of it:
    the page reads these of every row (totals, charts, the funding line)."""
    state = Coalesce(
        NullIf(KT("inputs__state"), Value("")),
        F("application__agency__state"),
        output_field=TextField(),
    )
    values = (
        ScoreBreakdown.objects.filter(run_id=run_pk)
        .annotate(state_=state, **{f"{k}_": KT(f"inputs__{k}") for k in INPUT_KEYS})
        .order_by("rank")
        .values_list(*SCORE_COLUMNS, "state_", *(f"{k}_" for k in INPUT_KEYS))
    )
    width = len(SCORE_COLUMNS)
    return [
        Row(
            breakdown=Figures(*v[:width]),
            state=v[width],
            positions_requested=int(v[width + 1] or "0"),
            federal_requested=Decimal(v[width + 2] or "0"),
            federal_per_position=Decimal(v[width + 3] or "0"),
        )
        for v in values
    ]


def _defaults(rows: list[Row], **options) -> tuple[dict[int, tuple], set[int]]:
    """The default plan on the order with the bonuses (each key's positions, federal funds and
    basis) and the keys the default plan on the order without them funds."""
    with_bonus = _default_plan(rows, "rank", **options)
    without_bonus = _default_plan(rows, "rank_without_bonus", **options)
    return (
        {key: (a.positions_funded, a.federal_funded, a.basis) for key, a in with_bonus.items()},
        {key for key, a in without_bonus.items() if a.positions_funded > 0},
    )


@functools.lru_cache(maxsize=SUMMARIES_KEPT)
def _summary(run_pk: int, computed_at, **options) -> tuple[tuple, dict[int, tuple], set[int]]:
    """What the ranking page reads of a run's every row, and both default plans: computed once
    per process for a run and plan terms. A run's breakdowns are never changed once written
    (a new computation is a new run), and `computed_at` tells a run from an earlier one that
    had the same id in a database since rolled back (tests)."""
    rows = _summary_rows(run_pk)
    entries = tuple(
        (row.breakdown, row.state, row.positions_requested, row.federal_requested,
         row.federal_per_position)
        for row in rows
    )  # fmt: skip
    return (entries, *_defaults(rows, **options))


@receiver(post_save, sender=ScoringRun)
@receiver(post_delete, sender=ScoringRun)
def forget_summaries(**kwargs) -> None:
    """A run's id and `computed_at` tell it from every other in PostgreSQL, but a database
    whose transactions are rolled back (SQLite's tests, with the clock frozen) may hand the
    same id and time to a different run: every new run empties the kept summaries."""
    _summary.cache_clear()
    _summary_ranking.cache_clear()


def with_applications(rows: list[Row], also: list[int] = ()) -> dict[int, Application]:
    """The application and agency (one query) of summary `rows`, for the page's table and the
    slope chart, and of the applications `also` (the run's not ready): by id."""
    ids = {row.breakdown.application_id for row in rows} | set(also)
    return {
        application.pk: application
        for application in Application.objects.filter(pk__in=ids)
        .select_related("agency")
        .only("tracking_number", "agency__legal_name", "agency__state")
    }


def agency_names(
    rows: list[Row], also: list[int] = (), *, kept: Ranking | None = None
) -> dict[int, str]:
    """The agency's name (one query, no model instances) of summary `rows` and of the
    applications `also`, by application id: all the ranking page reads of them. Each name by
    its agency's key (a subquery): a join read every agency to hash them (PostgreSQL's plan
    for 250 of 10,000), and unordered (the models' orderings sort for nothing). With `kept`
    (the ranking the rows are from), the query's SQL is built once for these ids and kept with
    it: building a query of 250 ids took as long as running it. Run on every call."""
    ids = frozenset({row.breakdown.application_id for row in rows} | set(also))
    name = Agency.objects.filter(pk=OuterRef("agency_id")).order_by().values("legal_name")

    def query():
        return (
            Application.objects.filter(pk__in=ids)
            .order_by()
            .annotate(agency_name=Subquery(name))
            .values_list("pk", "agency_name")
        )

    if kept is None:
        return dict(query())
    if not ids:  # a run with no rows: nothing to name (and no SQL: `pk__in=[]` matches nothing)
        return {}
    sql, params = kept.remember(("agency_names", ids), lambda: query().query.sql_with_params())
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def _funded(
    rows: list[Row], lines: dict | None, adjusted, with_bonus, funded_without_bonus, minimum
) -> list[dict]:
    """Fill each row's funding (from the plan's `lines`, or the default plan when there is no
    plan: `lines` None) and whether the bonus moved it; return the states' shares."""
    for row in rows:
        key = row.breakdown.application_id
        source = lines.get(key) if lines is not None else with_bonus[key]
        if source is not None:
            row.positions_funded, row.federal_funded, row.basis = source
        row.adjusted = key in adjusted
        default_funded = with_bonus[key][0] > 0
        row.funded_without_bonus = key in funded_without_bonus
        if default_funded and not row.funded_without_bonus and row.breakdown.sro_bonus > 0:
            row.moved = CARRIED
        elif row.funded_without_bonus and not default_funded:
            row.moved = PUSHED

    totals: dict[str, Decimal] = {}
    complete: dict[str, bool] = {}
    for row in rows:
        totals[row.state] = totals.get(row.state, Decimal("0.00")) + row.federal_funded
        whole = row.positions_funded >= row.positions_requested
        complete[row.state] = complete.get(row.state, True) and whole
    # The statute's minimum does not bind a state whose every application is funded.
    return [
        {"state": state, "funded": totals[state], "minimum": minimum,
         "all_funded": complete[state]}
        for state in sorted(totals)
    ]  # fmt: skip


@functools.lru_cache(maxsize=SUMMARIES_KEPT)
def _summary_ranking(
    run_pk: int, computed_at, lines: frozenset | None, adjusted: frozenset, **options
) -> tuple[tuple[Row, ...], tuple[dict, ...], dict]:
    """The summary rows and shares for a run, the plan's funding lines and adjustments (the
    key: the same lines give the same page), computed once per process, and an empty memo
    for what is derived from them (`Ranking.remember`). The rows are shared by the requests
    that read them: nothing may change them."""
    entries, with_bonus, funded_without_bonus = _summary(run_pk, computed_at, **options)
    rows = [
        Row(breakdown=figures, state=state, positions_requested=positions,
            federal_requested=federal, federal_per_position=per_position)
        for figures, state, positions, federal, per_position in entries
    ]  # fmt: skip
    minimum = state_minimum(options["appropriation"], options["percent"])
    plan_lines = dict(lines) if lines is not None else None
    shares = _funded(rows, plan_lines, adjusted, with_bonus, funded_without_bonus, minimum)
    return tuple(rows), tuple(shares), {}


@functools.lru_cache(maxsize=SUMMARIES_KEPT)
def _lines_sql(plan_pk: int) -> tuple[str, tuple]:
    """The query of a plan's funded lines and adjusted applications (see
    `_lines_and_adjusted`), built once per process and plan: building it took longer than
    running it."""
    funded = (
        PlanLine.objects.filter(plan_id=plan_pk)
        .exclude(positions_funded=0, federal_funded=0, basis=NOT_FUNDED)
        .order_by()
        .values_list("application_id", "positions_funded", "federal_funded", "basis",
                     Value(False, output_field=BooleanField()))
    )  # fmt: skip
    adjustments = (
        PlanAdjustment.objects.filter(plan_id=plan_pk)
        .order_by()
        .values_list("application_id", Value(0), Value(CENT), Value(""),
                     Value(True, output_field=BooleanField()))
    )  # fmt: skip
    return funded.union(adjustments, all=True).query.sql_with_params()


@functools.lru_cache(maxsize=SUMMARIES_KEPT)
def _plan_sql(run_pk: int) -> tuple[str, tuple]:
    """The query of the run's newest plan, built once per process and run."""
    newest = FundingPlan.objects.filter(run_id=run_pk).order_by("-drafted_at", "-pk")[:1]
    return newest.query.sql_with_params()


def newest_plan(run: ScoringRun) -> FundingPlan | None:
    """The newest funding plan drafted from `run` (read on every call; its query is kept)."""
    return next(iter(FundingPlan.objects.raw(*_plan_sql(run.pk))), None)


def _lines_and_adjusted(plan: FundingPlan) -> tuple[dict[int, tuple], set[int]]:
    """The plan's lines (positions, federal funds and basis by application) and its adjusted
    applications, in one query, run on every call. A line that funds nothing reads as a
    row's defaults (no line): only the others are loaded (hundreds of 10,000). Unordered: the
    models' orderings join the plan to sort. Federal funds to the cent, as the field's own
    conversion gives them (SQLite hands back a float)."""
    lines: dict[int, tuple] = {}
    adjusted: set[int] = set()
    with connection.cursor() as cursor:
        cursor.execute(*_lines_sql(plan.pk))
        for application_id, positions, federal, basis, is_adjustment in cursor.fetchall():
            if is_adjustment:
                adjusted.add(application_id)
            else:
                lines[application_id] = (positions, Decimal(federal).quantize(CENT), basis)
    return lines, adjusted


def ranking(run: ScoringRun, *, summary: bool = False) -> Ranking:
    """The run's ranking. With `summary`, each row's breakdown is its `Figures`, its
    application is not loaded (`agency_names` reads those of the rows shown) and the rows
    are shared with other requests (read only)."""
    solicitation = run.solicitation
    plan = newest_plan(run)
    default_percent = Decimal(str(FundingPlan._meta.get_field("state_minimum_percent").default))
    appropriation = plan.appropriation if plan else solicitation.total_funds
    percent = plan.state_minimum_percent if plan else default_percent
    ceiling = solicitation.award_ceiling
    options = {"appropriation": appropriation, "percent": percent, "ceiling": ceiling}
    lines = None
    memo: dict = {}
    adjusted: set[int] = set()
    if plan is not None:
        lines, adjusted = _lines_and_adjusted(plan)
    if summary:
        key = frozenset(lines.items()) if lines is not None else None
        rows, shares, memo = _summary_ranking(
            run.pk, run.computed_at, key, frozenset(adjusted), **options
        )
        rows, shares = list(rows), list(shares)
    else:
        rows = _full_rows(run)
        with_bonus, funded_without_bonus = _defaults(rows, **options)
        minimum = state_minimum(appropriation, percent)
        shares = _funded(rows, lines, adjusted, with_bonus, funded_without_bonus, minimum)
    return Ranking(run=run, rows=rows, plan=plan, appropriation=appropriation,
                   state_minimum_percent=percent, shares=shares, memo=memo)  # fmt: skip
