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

from ..ranking import CARRIED, PUSHED, Row

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


def table_row(row: Row, line_rank: int | None, application) -> SafeString:
    """One <tr> of the ranked table (`application`: the row's, with its agency), with the
    whitespace the template's loop put around it."""
    b = row.breakdown
    css = "funded" if row.funded else "not-funded"
    if line_rank is not None and b.rank == line_rank:
        css += " funding-line-row"
    url = conditional_escape(
        reverse("admin:applications_application_change", args=[b.application_id])
    )
    cells = [
        f"<td>{_value(b.rank)}</td>",
        f'<td><a href="{url}">{_value(application.agency.legal_name)}</a></td>',
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
    body = "".join(f"\n        {cell}" for cell in cells)
    return mark_safe(f'\n      <tr class="{css}">{body}\n      </tr>\n    ')  # nosec B308 B703
