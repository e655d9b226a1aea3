"""Scores in the admin: "Compute scores" on a solicitation (grants managers), the scoring runs
(read only), each run's ranking page with its charts, and CSV exports of the ranking and of
every breakdown."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from copsgrants.admin import AuditTrailMixin, format_eastern, parse_id, register_event_labels
from copsgrants.prepared import Prepared

from .. import services
from ..models import Application, ScoringRules, ScoringRun, Solicitation
from ..ranking import MOVED_CHOICES, Ranking, agency_names, ranking
from . import charts
from .ranking_table import change_urls, table_rows

ROWS_PER_PAGE = 200

register_event_labels(
    {
        "scores.computed": lambda event: (
            f"Scores computed under rules v{event.data.get('rules_version')}: "
            f"{event.data.get('scored')} scored, {event.data.get('not_ready')} not ready"
        ),
    }
)


class ComputeScoresMixin:
    """The "Compute scores" button and its confirmation page on a solicitation."""

    change_form_template = "admin/applications/solicitation/change_form.html"

    def get_urls(self):
        view = self.admin_site.admin_view(self.compute_scores_view)
        return [path("<path:object_id>/compute-scores/", view,
                     name="applications_solicitation_compute_scores"),
                *super().get_urls()]  # fmt: skip

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["can_compute_scores"] = services.can_compute_scores(request.user)[0]
            context["current_run"] = obj.scoring_runs.filter(is_current=True).first()
        return super().render_change_form(request, context, add, change, form_url, obj)

    def compute_scores_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        solicitation = self.get_object_or_404(request, object_id)
        allowed, reason = services.can_compute_scores(request.user)
        if not allowed:
            raise PermissionDenied(reason)
        form = forms.Form(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                run = services.compute_scores(solicitation=solicitation, by=request.user)
            except services.ScoringError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(
                    request,
                    f"Scored {run.breakdowns.count()} applications; "
                    f"{len(run.not_ready)} not ready (listed below).",
                    messages.SUCCESS,
                )
                return redirect("admin:applications_scoringrun_ranking", run.pk)
        rules = ScoringRules.objects.in_force().filter(solicitation=solicitation).first()
        candidates = Application.objects.filter(
            solicitation=solicitation,
            status__in=[Application.Status.UNDER_REVIEW, Application.Status.SCORED],
        ).count()
        intro = (
            f"Score the {candidates} eligible applications of {solicitation.code} under "
            + (f"scoring rules v{rules.version}" if rules else "(no scoring rules in force)")
            + ". Applications without enough submitted reviews or with unresolved data flags "
            "are listed as not ready. A new scoring run replaces the current one; earlier runs "
            "are kept."
        )
        return TemplateResponse(
            request,
            "admin/applications/action_form.html",
            {
                **self.admin_site.each_context(request),
                "title": "Compute scores",
                "subtitle": str(solicitation),
                "intro": intro,
                "submit": "Compute scores",
                "form": form,
                "object": solicitation,
                "opts": Solicitation._meta,
                "change_url": reverse(
                    "admin:applications_solicitation_change", args=[solicitation.pk]
                ),
            },
        )


class Echo:
    """A file-like whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def spreadsheet_safe(value):
    """Text a spreadsheet would run as a formula (an agency named "=HYPERLINK(...)") gets a
    leading apostrophe; numbers, negative ones included, stay numbers."""
    risky = isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r")
    return "'" + value if risky and not NUMBER.match(value) else value


def stream_csv(filename: str, rows: Iterable[list]) -> StreamingHttpResponse:
    writer = csv.writer(Echo())
    response = StreamingHttpResponse(
        (writer.writerow([spreadsheet_safe(value) for value in row]) for row in rows),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_response(filename: str, sheets: dict[str, Iterable[list]]) -> HttpResponse:
    """An XLSX download (openpyxl, write-only). Text is always stored as text, never as a
    formula: an agency named "=HYPERLINK(...)" stays a name when a grants manager opens it."""
    book = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


RANKING_HEADER = [
    "rank", "tracking number", "agency", "state", "positions requested", "federal requested",
    "fiscal need", "crime", "community policing", "SRO bonus", "veteran bonus",
    "score without bonuses", "score", "rank without bonuses", "positions funded",
    "federal funded", "basis", "funded without bonuses", "moved by the SRO bonus", "adjusted",
]  # fmt: skip


# The run with its solicitation, rules and author (what the pages read of them), built and
# compiled once per process (copsgrants.prepared): three tables' columns took Django longer to
# build than PostgreSQL to answer.
_RUN = Prepared(
    lambda pk: ScoringRun.objects.select_related("solicitation", "rules", "computed_by").filter(
        pk=pk
    ),
    "pk",
)


def ranking_rows(data: Ranking) -> Iterator[list]:
    yield RANKING_HEADER
    for row in data.rows:
        b = row.breakdown
        yield [b.rank, row.application.tracking_number, row.application.agency.legal_name,
               row.state, row.positions_requested, row.federal_requested, b.fiscal_need,
               b.crime, b.community_policing, b.sro_bonus, b.veteran_bonus,
               b.score_without_bonus, b.score, b.rank_without_bonus, row.positions_funded,
               row.federal_funded, row.basis, "yes" if row.funded_without_bonus else "no",
               row.moved, "yes" if row.adjusted else "no"]  # fmt: skip


SCORE_FIELDS = ["fiscal_need", "crime", "community_policing", "sro_bonus", "veteran_bonus",
                "score_without_bonus", "score", "rank", "rank_without_bonus"]  # fmt: skip


def breakdown_rows(run: ScoringRun) -> Iterator[list]:
    """Every stored value of every breakdown, enough to recompute the ranking elsewhere."""
    breakdowns = list(run.breakdowns.select_related("application__agency").order_by("rank"))
    inputs = sorted({key for b in breakdowns for key in b.inputs})
    percentiles = sorted({key for b in breakdowns for key in b.percentiles})
    criteria = [c["key"] for c in run.rules.rubric]
    most_reviews = max([len(b.criteria.get("reviews", [])) for b in breakdowns] + [0])
    review_columns = [
        f"review {n} {part}"
        for n in range(1, most_reviews + 1)
        for part in ["id", "reviewer", "rules version", *criteria, "total"]
    ]
    yield ["run", "rules version", "application", "tracking number", "agency",
           *inputs, *(f"percentile {p}" for p in percentiles), *SCORE_FIELDS,
           "rubric maximum", *review_columns]  # fmt: skip
    for b in breakdowns:
        reviews = []
        for review in b.criteria.get("reviews", []):
            reviews += [
                review["review"],
                review["reviewer"],
                review["rules_version"],
                *(review["scores"].get(c, "") for c in criteria),
                review["total"],
            ]
        yield [run.pk, run.rules.version, b.application_id, b.application.tracking_number,
               b.application.agency.legal_name, *(b.inputs.get(k, "") for k in inputs),
               *(b.percentiles.get(p, "") for p in percentiles),
               *(getattr(b, f) for f in SCORE_FIELDS), b.criteria.get("rubric_maximum", ""),
               *reviews]  # fmt: skip


@admin.register(ScoringRun)
class ScoringRunAdmin(AuditTrailMixin, admin.ModelAdmin):
    list_display = ["__str__", "rules_version", "computed_by", "computed", "is_current",
                    "not_ready_count", "ranking_link"]  # fmt: skip
    list_filter = ["solicitation", "is_current"]
    list_select_related = ["solicitation", "rules", "computed_by"]
    fields = ["solicitation", "rules", "computed", "computed_by", "is_current", "not_ready",
              "ranking_link"]  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        # The ranking page and the change page read all three: one query, not four.
        return super().get_queryset(request).select_related("solicitation", "rules", "computed_by")

    def has_add_permission(self, request) -> bool:
        return False  # runs come from "Compute scores" on a solicitation

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="rules", ordering="rules__version")
    def rules_version(self, obj: ScoringRun) -> str:
        return f"v{obj.rules.version}"

    @admin.display(description="computed", ordering="computed_at")
    def computed(self, obj: ScoringRun) -> str:
        return format_eastern(obj.computed_at)

    @admin.display(description="not ready")
    def not_ready_count(self, obj: ScoringRun) -> int:
        return len(obj.not_ready)

    @admin.display(description="ranking")
    def ranking_link(self, obj: ScoringRun) -> str:
        return format_html(
            '<a href="{}">Ranking</a>',
            reverse("admin:applications_scoringrun_ranking", args=[obj.pk]),
        )

    def get_urls(self):
        def view(function, suffix: str, name: str):
            return path(f"<path:object_id>/{suffix}", self.admin_site.admin_view(function),
                        name=f"applications_scoringrun_{name}")  # fmt: skip

        return [view(self.ranking_view, "ranking/", "ranking"),
                view(self.ranking_csv_view, "ranking.csv", "ranking_csv"),
                view(self.ranking_xlsx_view, "ranking.xlsx", "ranking_xlsx"),
                view(self.breakdowns_csv_view, "breakdowns.csv", "breakdowns_csv"),
                *super().get_urls()]  # fmt: skip

    def _run(self, request: HttpRequest, object_id: str) -> ScoringRun:
        pk = parse_id(ScoringRun._meta.pk, object_id)
        run = next(iter(_RUN.instances(pk=pk)), None)
        if run is None:
            raise Http404("No such scoring run")
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        return run

    def ranking_csv_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        run = self._run(request, object_id)
        name = f"{run.solicitation.code}-ranking-run{run.pk}.csv"
        return stream_csv(name, ranking_rows(ranking(run)))

    def ranking_xlsx_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The ranking and every breakdown as two sheets of one workbook."""
        run = self._run(request, object_id)
        name = f"{run.solicitation.code}-ranking-run{run.pk}.xlsx"
        return workbook_response(
            name, {"Ranking": ranking_rows(ranking(run)), "Breakdowns": breakdown_rows(run)}
        )

    def breakdowns_csv_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        run = self._run(request, object_id)
        name = f"{run.solicitation.code}-breakdowns-run{run.pk}.csv"
        return stream_csv(name, breakdown_rows(run))

    def ranking_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        run = self._run(request, object_id)
        data = ranking(run, summary=True)
        moved = request.GET.get("moved", "")
        if moved not in ("", "any", *MOVED_CHOICES):
            moved = ""
        rows = data.moved("" if moved == "any" else moved) if moved else data.rows
        page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
        line = data.funding_line
        slope_rows = data.rows[: charts.SLOPE_LIMIT]
        not_ready_ids = [item["application"] for item in run.not_ready]
        # One query: the applications of the rows shown, of the slope chart and not ready.
        names = agency_names([*page.object_list, *slope_rows], also=not_ready_ids, kept=data)
        chart_rows = [{"rank": r.breakdown.rank, "agency": names[r.breakdown.application_id],
                       "rank_without_bonus": r.breakdown.rank_without_bonus}
                      for r in slope_rows]  # fmt: skip
        url_of = change_urls()
        shown = [names[row.breakdown.application_id] for row in page.object_list]
        # The rows and the charts as drawn for these rows and the agency names (and URLs) read
        # on this request: drawn again when any of them changes.
        rows_html = data.drawn(
            ("table", moved, page.number),
            (url_of(0), *shown),
            lambda: mark_safe("".join(table_rows(data, page.object_list, names, url_of))),  # nosec B308 B703
        )
        charts_html = data.drawn(
            "charts",
            tuple(row["agency"] for row in chart_rows),
            lambda: render_to_string(
                "admin/applications/ranking/charts.html",
                {
                    "histogram_html": self._histogram_html(data),
                    "slope": charts.slope_chart(chart_rows),
                    "states_html": self._states_html(data),
                },
            ),
        )
        not_ready = [
            {
                **item,
                "agency": names.get(item["application"], ""),
                "url": url_of(item["application"]),
            }
            for item in run.not_ready
        ]
        content = {
            "run": run,
            "ranking": data,
            "page": page,
            # One piece of markup: the rows, as the template's loop joined them.
            "table_rows": rows_html,
            "moved": moved,
            "moved_choices": MOVED_CHOICES,
            "moved_label": {"any": "moved by the SRO bonus", **MOVED_CHOICES}.get(moved, ""),
            "carried": len(data.moved("carried")),
            "pushed": len(data.moved("pushed")),
            "funding_line": line,
            "funded_count": data.funded_count,
            "federal_funded": data.federal_funded,
            "not_ready": not_ready,
            "charts_html": charts_html,
        }
        content_html = data.drawn(
            ("content", moved, page.number),
            self._content_shown(run, data, url_of(0), not_ready, rows_html, charts_html),
            lambda: render_to_string("admin/applications/ranking/content.html", content),
        )
        return TemplateResponse(
            request,
            "admin/applications/ranking/ranking.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Ranking: {run}",
                "opts": ScoringRun._meta,
                "run": run,
                "content_html": content_html,
            },
        )

    @staticmethod
    def _content_shown(run, data, url_prefix, not_ready, rows_html, charts_html) -> tuple:
        """Everything content.html prints that the ranking summary does not hold (the summary:
        the rows, their funding and what is derived from them, under the run, plan lines and
        plan terms): the key its markup is kept under. Values as their repr (1.0 and 1.00
        differ)."""
        rules, plan = run.rules, data.plan
        values = (
            run.pk, run.computed_by_id, str(run.computed_by) if run.computed_by else None,
            run.is_current, rules.pk, rules.version, rules.fiscal_need_weight,
            rules.crime_weight, rules.community_policing_weight, rules.sro_bonus_points,
            rules.veteran_bonus_points,
            (plan.pk, plan.get_status_display(), plan.drafted_at) if plan else None,
            [(item["application"], item["agency"], item["reason"]) for item in not_ready],
        )  # fmt: skip
        return (repr(values), url_prefix, rows_html, charts_html)

    @staticmethod
    def _histogram_html(data: Ranking) -> str:
        line = data.funding_line
        return data.remember(
            "histogram_html",
            lambda: render_to_string(
                "admin/applications/ranking/histogram.html",
                {
                    "histogram": charts.score_histogram(
                        [(r.breakdown.score, r.funded) for r in data.rows],
                        line.breakdown.score if line else None,
                    )
                },
            ),
        )

    @staticmethod
    def _states_html(data: Ranking) -> str:
        return data.remember(
            "states_html",
            lambda: render_to_string(
                "admin/applications/ranking/states.html",
                {"states": charts.state_funds(data.shares), "ranking": data},
            ),
        )
