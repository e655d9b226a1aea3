"""The ranking page's table rows, drawn in Python: byte for byte the markup the template drew
(tests/applications/test_ranking_table.py holds them to it), through the same filters
(`localize`, `floatformat`, `pluralize`, escaping), without the template engine's lookups for
200 rows of 12 cells: half of the page's time at 10,000 applications."""

from __future__ import annotations

from django.template.defaultfilters import floatformat, pluralize
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from ..ranking import CARRIED, PUSHED, Ranking, Row

STATE_MINIMUM = "state_minimum"


def _value(value) -> str:
    """What `{{ value }}` renders (localized, then escaped)."""
    return conditional_escape(localize(value))


def _bonuses(b) -> str:
    text = ""
    if b.sro_bonus:
        text += "SRO +" + _value(floatformat(b.sro_bonus, "-2"))
    if b.veteran_bonus:
        text += " veteran +" + _value(floatformat(b.veteran_bonus, "-2"))
    return text


def _funding(row: Row) -> str:
    if row.funded:
        text = (
            f"{_value(row.positions_funded)} position{pluralize(row.positions_funded)}, "
            f"${_value(floatformat(row.federal_funded, '0g'))}"
        )
        if row.basis == STATE_MINIMUM:
            text += " (state minimum)"
    else:
        text = "Not funded"
    if row.moved == CARRIED:
        text += ' <strong class="moved">carried by the SRO bonus</strong>'
    elif row.moved == PUSHED:
        text += ' <strong class="moved">pushed below by the bonuses</strong>'
    if row.adjusted:
        text += " <em>adjusted</em>"
    return text


def _parts(row: Row, line_rank: int | None) -> tuple[str, str]:
    """The row's markup before its change URL and after its agency's name: what depends on
    the row's figures and funding alone."""
    b = row.breakdown
    css = "funded" if row.funded else "not-funded"
    if line_rank is not None and b.rank == line_rank:
        css += " funding-line-row"
    cells = [
        f"<td>{_value(row.state)}</td>",
        f'<td class="num">{_value(row.positions_requested)}</td>',
        f'<td class="num">${_value(floatformat(row.federal_requested, "0g"))}</td>',
        f'<td class="num">{_value(b.fiscal_need)}</td>',
        f'<td class="num">{_value(b.crime)}</td>',
        f'<td class="num">{_value(b.community_policing)}</td>',
        f'<td class="num">{_bonuses(b)}</td>',
        f'<td class="num">{_value(b.score)}</td>',
        f'<td class="num">{_value(b.rank_without_bonus)}</td>',
        f"<td>{_funding(row)}</td>",
    ]
    head = f'\n      <tr class="{css}">\n        <td>{_value(b.rank)}</td>\n        <td><a href="'
    tail = "</a></td>" + "".join(f"\n        {cell}" for cell in cells) + "\n      </tr>\n    "
    return head, tail


def change_urls():
    """A function of an application's id giving its change page's URL, from one reverse()
    rather than one per row."""
    sample = reverse("admin:applications_application_change", args=[0])
    prefix, _, suffix = sample.rpartition("/0/")
    return lambda pk: f"{prefix}/{int(pk)}/{suffix}"


def table_row(
    row: Row,
    line_rank: int | None,
    application=None,
    *,
    name: str | None = None,
    url: str | None = None,
    parts=None,
) -> SafeString:
    """One <tr> of the ranked table (the agency's `name`, or `application`: the row's, with
    its agency), with the whitespace the template's loop put around it. `parts`: the row's
    `_parts`, if kept."""
    head, tail = parts or _parts(row, line_rank)
    if url is None:
        url = reverse("admin:applications_application_change", args=[row.breakdown.application_id])
    if name is None:
        name = application.agency.legal_name
    return mark_safe(f'{head}{conditional_escape(url)}">{_value(name)}{tail}')  # nosec B308 B703


def table_rows(
    data: Ranking, rows: list[Row], names: dict[int, str], url_of=None
) -> list[SafeString]:
    """The table's `rows`: each row's figures and funding drawn once for as long as `data`'s
    rows are kept (`Ranking.remember`), its agency's name and link each time it is drawn."""
    line = data.funding_line
    line_rank = line.breakdown.rank if line else None
    url_of = url_of or change_urls()
    drawn = []
    for row in rows:
        pk = row.breakdown.application_id
        parts = data.remember(("table_row", pk), lambda row=row: _parts(row, line_rank))
        drawn.append(table_row(row, line_rank, name=names[pk], url=url_of(pk), parts=parts))
    return drawn
