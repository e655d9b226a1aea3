"""Geometry for the ranking page's charts. The templates draw them as inline <svg> (no script, no
style attribute, no data: URL: the CSP allows none of them); colours come from classes in
static/css/admin-charts.css. Each function returns plain numbers for one chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH = 720
SLOPE_LIMIT = 50  # the slope chart's applications: the best ranked
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40


def _fmt(value: float) -> str:
    return f"{value:.1f}"


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    css: str
    label: str


def score_histogram(
    scores: Sequence[tuple[Decimal, bool]], funding_line: Decimal | None, bin_width: int = 5
) -> dict:
    """Counts of applications per `bin_width`-point score band, funded and not funded stacked,
    and the x of the funding line (the score of the last application in the unbroken run of
    funded ones from the top)."""
    height = 240
    plot_w, plot_h = WIDTH - LEFT - RIGHT, height - TOP - BOTTOM
    top_score = max([int(score) for score, _ in scores] + [100])
    bins = top_score // bin_width + 1
    funded, unfunded = [0] * bins, [0] * bins
    for score, is_funded in scores:
        index = min(int(score) // bin_width, bins - 1)
        (funded if is_funded else unfunded)[index] += 1
    most = max([f + u for f, u in zip(funded, unfunded, strict=True)] + [1])
    step = plot_w / bins
    bars: list[Bar] = []
    for i in range(bins):
        base = TOP + plot_h
        for count, css, words in ((funded[i], "bar-funded", "funded"),
                                  (unfunded[i], "bar-unfunded", "not funded")):  # fmt: skip
            if not count:
                continue
            h = count / most * plot_h
            base -= h
            bars.append(
                Bar(
                    x=_fmt(LEFT + i * step + 1),
                    y=_fmt(base),
                    width=_fmt(step - 2),
                    height=_fmt(h),
                    css=css,
                    label=f"{i * bin_width}-{(i + 1) * bin_width}: {count} {words}",
                )
            )
    ticks = [
        {"x": _fmt(LEFT + i * step), "label": str(i * bin_width)}
        for i in range(0, bins + 1, 2 if bins > 12 else 1)
    ]
    y_ticks = [
        {"y": _fmt(TOP + plot_h - n / most * plot_h), "label": str(n)}
        for n in sorted({0, most // 2, most})
    ]
    line_x = None
    if funding_line is not None:
        line_x = _fmt(LEFT + float(funding_line) / (bins * bin_width) * plot_w)
    return {
        "width": WIDTH, "height": height, "bars": bars, "ticks": ticks, "y_ticks": y_ticks,
        "line_x": line_x, "line_top": TOP, "line_bottom": TOP + plot_h, "axis_y": TOP + plot_h,
        "left": LEFT, "right": WIDTH - RIGHT, "label_y": height - 8, "funding_line": funding_line,
    }  # fmt: skip


def slope_chart(rows: Sequence[dict], limit: int = SLOPE_LIMIT) -> dict:
    """The top `limit` applications by final rank: a line from each one's rank without bonuses
    (left) to its rank with them (right). Rows need rank, rank_without_bonus and agency."""
    shown = sorted(rows, key=lambda r: r["rank"])[:limit]
    height = 480
    plot_h = height - TOP - BOTTOM
    worst = max([r["rank_without_bonus"] for r in shown] + [r["rank"] for r in shown] + [2])
    left_x, right_x = 160, WIDTH - 160

    def y(rank: int) -> str:
        return _fmt(TOP + (rank - 1) / (worst - 1) * plot_h)

    lines = []
    for row in shown:
        moved = row["rank_without_bonus"] - row["rank"]
        css = "slope-up" if moved > 0 else "slope-down" if moved < 0 else "slope-same"
        lines.append({
            "y1": y(row["rank_without_bonus"]), "y2": y(row["rank"]), "css": css,
            "label": f"{row['agency']}: rank {row['rank_without_bonus']} without bonuses, "
                     f"{row['rank']} with them",
        })  # fmt: skip
    ticks = sorted({1, *range(10, worst + 1, 10), worst})
    return {
        "width": WIDTH, "height": height, "x1": left_x, "x2": right_x, "lines": lines,
        "ticks": [{"y": y(t), "label": str(t)} for t in ticks], "label_y": height - 12,
        "left_label_x": left_x - 40, "right_label_x": right_x + 8,
        "up": sum(1 for line in lines if line["css"] == "slope-up"),
        "down": sum(1 for line in lines if line["css"] == "slope-down"), "shown": len(shown),
    }  # fmt: skip


def state_funds(shares: Sequence[dict]) -> dict:
    """One bar per state: federal funds planned, with a tick at the state's minimum. Shares
    need state, funded (Decimal) and minimum (Decimal)."""
    row_h = 18
    height = TOP + BOTTOM + row_h * max(len(shares), 1)
    left = 48
    plot_w = WIDTH - left - RIGHT - 120
    most = max([s["funded"] for s in shares] + [s["minimum"] for s in shares] + [Decimal(1)])
    bars = []
    for i, share in enumerate(shares):
        y = TOP + i * row_h
        met = share["funded"] >= share["minimum"]
        complete = not met and share.get("all_funded", False)
        bars.append({
            "state": share["state"], "label_y": _fmt(y + row_h - 5), "y": _fmt(y + 3),
            "height": row_h - 6, "width": _fmt(float(share["funded"] / most) * plot_w),
            "min_x": _fmt(left + float(share["minimum"] / most) * plot_w),
            "min_y1": _fmt(y + 1), "min_y2": _fmt(y + row_h - 1),
            "css": "bar-met" if met else "bar-complete" if complete else "bar-unmet",
            "amount_x": _fmt(left + plot_w + 8),
            "amount": f"${share['funded']:,.0f}",
            "title": f"{share['state']}: ${share['funded']:,.0f} planned, minimum "
                     f"${share['minimum']:,.0f}" + ("" if met else " (every application funded)"
                                                   if complete else " (not met)"),
        })  # fmt: skip
    return {
        "width": WIDTH, "height": height, "left": left, "bars": bars,
        "axis_y": height - BOTTOM + 4, "label_y": height - 12,
    }  # fmt: skip
