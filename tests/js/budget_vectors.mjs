// Checks static/js/budget.js against tests/applications/budget_vectors.json, the cases that
// applications/budget.py passes too. Run: node tests/js/budget_vectors.mjs (exit 1 on a mismatch).
// tests/applications/test_budget_vectors.py runs it under pytest.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const budget = require("../../static/js/budget.js");
const vectors = JSON.parse(
  readFileSync(new URL("../applications/budget_vectors.json", import.meta.url), "utf8"),
);

const failures = [];
let checks = 0;

function check(label, actual, expected) {
  checks += 1;
  if (actual !== expected) {
    failures.push(`${label}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  }
}

// Expected figures are written "216981.18"; read them without the code under test.
function cents(dollars) {
  const [whole, part = ""] = dollars.split(".");
  return Number(whole) * 100 + Number((part + "00").slice(0, 2));
}

function inputCents(text, label) {
  if (text === null) {
    return null;
  }
  const value = budget.parseCents(text);
  if (value === null) {
    throw new Error(`${label}: the vector's input ${JSON.stringify(text)} is not an amount`);
  }
  return value;
}

for (const vector of vectors.money) {
  check(`money ${JSON.stringify(vector.text)} (${vector.why})`, budget.parseCents(vector.text), vector.cents);
}

for (const vector of vectors.display) {
  check(`formatMoney(${vector.cents})`, budget.formatMoney(vector.cents), vector.money);
  check(`formatDollars(${vector.cents})`, budget.formatDollars(vector.cents), vector.dollars);
}

for (const vector of vectors.budgets) {
  const label = `budget ${vector.name}`;
  let result;
  try {
    result = budget.computeBudget({
      positions: vector.positions,
      salaries: vector.salaries.map((text) => inputCents(text, label)),
      fringes: vector.fringes.map((text) => inputCents(text, label)),
      federalPercent: vector.federal_percent,
      capCents: vector.per_officer_cap === null ? null : inputCents(vector.per_officer_cap, label),
    });
  } catch (error) {
    failures.push(`${label}: ${error.message}`);
    continue;
  }
  check(`${label} year totals`, JSON.stringify(result.years.map((y) => y.total)),
    JSON.stringify(vector.year_totals.map(cents)));
  check(`${label} cost_per_position`, result.costPerPosition, cents(vector.cost_per_position));
  check(`${label} federal_per_position`, result.federalPerPosition, cents(vector.federal_per_position));
  check(`${label} local_per_position`, result.localPerPosition, cents(vector.local_per_position));
  check(`${label} total_cost`, result.totalCost, cents(vector.total_cost));
  check(`${label} total_federal`, result.totalFederal, cents(vector.total_federal));
  check(`${label} total_local`, result.totalLocal, cents(vector.total_local));
  check(`${label} cap_applies`, result.capApplies, vector.cap_applies);
  check(`${label} cap_note`, result.capNote, vector.cap_note);
}

for (const vector of vectors.invalid_budgets) {
  checks += 1;
  try {
    budget.computeBudget({
      positions: 1,
      salaries: vector.salaries.map((text) => budget.parseCents(text)),
      fringes: vector.fringes.map((text) => budget.parseCents(text)),
      federalPercent: "75",
      capCents: 12500000,
    });
    failures.push(`invalid budget (${vector.why}): computeBudget did not refuse it`);
  } catch (error) {
    // refused, as budget.py refuses it
  }
}

if (failures.length) {
  console.error(`${failures.length} of ${checks} checks failed:\n${failures.join("\n")}`);
  process.exit(1);
}
console.log(
  `budget.js passes all ${checks} checks: ${vectors.money.length} money, ` +
    `${vectors.display.length} display, ${vectors.budgets.length} budget and ` +
    `${vectors.invalid_budgets.length} invalid-budget vectors`,
);
