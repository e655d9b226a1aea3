"""The shared budget vectors (budget_vectors.json): applications/budget.py here, and
static/js/budget.js through Node, must give the same answers for the same cases."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.template import Context, Template
from django.template.loader import render_to_string

from applications.budget import (
    MONEY_FORMAT_MESSAGE,
    Budget,
    compute_budget,
    format_dollars,
    parse_money,
)
from applications.fields import MoneyField

from ..conftest import require

ROOT = Path(__file__).resolve().parents[2]
VECTORS = json.loads((Path(__file__).with_name("budget_vectors.json")).read_text())
D = Decimal


def dollars(cents: int) -> Decimal:
    return D(cents) / 100


def typed(text: str | None) -> Decimal | None:
    return None if text is None else parse_money(text)


def vector_budget(vector: dict) -> Budget:
    cap = vector["per_officer_cap"]
    return compute_budget(
        positions=vector["positions"],
        salaries=[typed(text) for text in vector["salaries"]],
        fringes=[typed(text) for text in vector["fringes"]],
        federal_percent=D(vector["federal_percent"]),
        per_officer_cap=None if cap is None else parse_money(cap),
    )


def money_text(amount: str) -> str:
    """The expected "216981.18" as every budget figure is written: "$216,981.18"."""
    return f"${D(amount):,.2f}"


money_vectors = pytest.mark.parametrize(
    "vector", VECTORS["money"], ids=[f"{v['text']!r}-{v['why']}" for v in VECTORS["money"]]
)
display_vectors = pytest.mark.parametrize(
    "vector", VECTORS["display"], ids=[str(v["cents"]) for v in VECTORS["display"]]
)
budget_vectors = pytest.mark.parametrize(
    "vector", VECTORS["budgets"], ids=[v["name"] for v in VECTORS["budgets"]]
)


@money_vectors
def test_parse_money_follows_the_money_vectors(vector):
    if vector["cents"] is None:
        with pytest.raises(ValueError, match=re.escape(MONEY_FORMAT_MESSAGE)):
            parse_money(vector["text"])
    else:
        amount = parse_money(vector["text"])
        assert amount == dollars(vector["cents"])
        assert amount.as_tuple().exponent == -2


@money_vectors
def test_a_money_field_accepts_what_parse_money_accepts_and_leaves_blanks_blank(vector):
    field = MoneyField(required=False, max_digits=20)
    text = vector["text"]
    if vector["cents"] is not None:
        assert field.clean(text) == dollars(vector["cents"])
    elif not text.strip():
        assert field.clean(text) is None  # left blank, not a bad amount
    else:
        with pytest.raises(forms.ValidationError) as error:
            field.clean(text)
        assert error.value.messages == [MONEY_FORMAT_MESSAGE]


@display_vectors
def test_amounts_are_written_as_the_template_and_budget_js_write_them(vector):
    amount = dollars(vector["cents"])
    template = Template('${{ amount|floatformat:"2g" }}')  # as in _budget.html
    assert template.render(Context({"amount": amount})) == vector["money"]
    assert format_dollars(amount) == vector["dollars"]


@budget_vectors
def test_compute_budget_follows_the_budget_vectors(vector):
    result = vector_budget(vector)
    assert [str(year.total) for year in result.years] == vector["year_totals"]
    assert [year.year for year in result.years] == list(range(1, len(vector["salaries"]) + 1))
    for name in (
        "cost_per_position", "federal_per_position", "local_per_position",
        "total_cost", "total_federal", "total_local",
    ):  # fmt: skip
        assert getattr(result, name) == D(vector[name]), name
        assert getattr(result, name).as_tuple().exponent == -2, name
    assert result.cap_applies is vector["cap_applies"]
    assert result.cap_note == vector["cap_note"]


@budget_vectors
def test_the_rendered_budget_shows_the_vector_figures_and_cap_label(vector):
    html = render_to_string("applications/_budget.html", {"budget": vector_budget(vector)})
    cells = dict(re.findall(r'data-budget="([\w-]+)"[^>]*>([^<]*)<', html))
    for name in (
        "cost_per_position", "federal_per_position", "local_per_position",
        "total_cost", "total_federal", "total_local",
    ):  # fmt: skip
        assert cells[name] == money_text(vector[name]), name
    for year, total in enumerate(vector["year_totals"], start=1):
        assert cells[f"year-{year}"] == money_text(total)
    assert f'data-budget="year-{len(vector["year_totals"]) + 1}"' not in html
    assert cells["positions"] == str(vector["positions"])
    assert cells["cap_note"] == vector["cap_note"]
    note = re.search(r'<span class="budget-cap-note"[^>]*>', html)[0]
    assert ("hidden" in note) is (not vector["cap_applies"])


@pytest.mark.parametrize(
    "vector", VECTORS["invalid_budgets"], ids=[v["why"] for v in VECTORS["invalid_budgets"]]
)
def test_compute_budget_refuses_the_invalid_budget_vectors(vector):
    with pytest.raises(ValueError):
        compute_budget(
            positions=1,
            salaries=[typed(text) for text in vector["salaries"]],
            fringes=[typed(text) for text in vector["fringes"]],
            federal_percent=D("75"),
            per_officer_cap=D("125000"),
        )


def test_budget_js_follows_the_same_vectors_under_node():
    node = shutil.which("node")
    require(node is not None, "Node.js")
    result = subprocess.run(
        [node, "tests/js/budget_vectors.mjs"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "budget.js passes all" in result.stdout
