// Live budget on the officer request page. Mirrors applications/budget.py in whole cents (no
// floating-point money); the server recomputes everything when the section is saved.
// The pure functions below are also loaded by Node (tests/js/budget_vectors.mjs), which checks
// them against tests/applications/budget_vectors.json, the cases budget.py must pass too.
// The page wiring at the end runs only where there is a document.
(function () {
  "use strict";

  var MAX_YEARS = 5;
  // The money rule of applications/budget.py parse_money (its docstring explains it). The
  // whitespace is spelled out because JavaScript's and Python's \s differ.
  var MONEY_PATTERN = new RegExp(
    "^[ \\t\\n\\r\\f\\v\\u00a0]*\\$?" +
    "([1-9][0-9]{0,2}(?:,[0-9]{3})+|[0-9]+)" +
    "(?:\\.([0-9]{0,2}))?" +
    "[ \\t\\n\\r\\f\\v\\u00a0]*$"
  );
  var BLANK_PATTERN = /^[ \t\n\r\f\v\u00a0]*$/;
  var POSITIONS_PATTERN = /^[ \t\n\r\f\v\u00a0]*([0-9]+)[ \t\n\r\f\v\u00a0]*$/;
  var UNKNOWN = "\u2014"; // em dash: a figure that depends on an amount to check

  // Whole cents of a money answer, or null when it does not follow the rule (an empty answer
  // included: see isBlank). Amounts beyond what a JavaScript number holds exactly are null too.
  function parseCents(text) {
    if (typeof text !== "string") { return null; }
    var match = MONEY_PATTERN.exec(text);
    if (!match) { return null; }
    var cents = Number(match[1].replace(/,/g, "") + ((match[2] || "") + "00").slice(0, 2));
    return Number.isSafeInteger(cents) ? cents : null;
  }

  function isBlank(text) {
    return text === null || text === undefined || BLANK_PATTERN.test(String(text));
  }

  // cents x (hundredths / 100) / 100, rounded half up, in integers only.
  function percentOf(cents, hundredths) {
    var scaled = cents * hundredths + 5000;
    return (scaled - (scaled % 10000)) / 10000;
  }

  function formatMoney(cents) {
    var dollars = Math.floor(cents / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var rest = String(cents % 100);
    return "$" + dollars + "." + (rest.length === 1 ? "0" + rest : rest);
  }

  // "$125,000" for whole dollars, "$125,000.50" otherwise (budget.py format_dollars).
  function formatDollars(cents) {
    var text = formatMoney(cents);
    return cents % 100 === 0 ? text.slice(0, -3) : text;
  }

  // budget.py compute_budget in cents. salaries and fringes: one entry per funded year (1 to 5),
  // null for a blank answer (counted as zero). federalPercent: text such as "75" or "90.5".
  // capCents: the per-officer cap, or null when there is none.
  function computeBudget(options) {
    var salaries = options.salaries;
    var fringes = options.fringes;
    if (salaries.length !== fringes.length) {
      throw new Error("Salaries and fringe benefits must cover the same years.");
    }
    if (salaries.length < 1 || salaries.length > MAX_YEARS) {
      throw new Error("A budget covers 1 to " + MAX_YEARS + " funded years.");
    }
    var hundredths = parseCents(String(options.federalPercent));
    if (hundredths === null) { throw new Error("Not a percent: " + options.federalPercent); }
    var capCents = options.capCents === undefined ? null : options.capCents;
    var positions = options.positions;

    var years = [];
    var cost = 0;
    for (var i = 0; i < salaries.length; i += 1) {
      var salary = salaries[i] || 0;
      var fringe = fringes[i] || 0;
      years.push({ year: i + 1, salary: salary, fringe: fringe, total: salary + fringe });
      cost += salary + fringe;
    }
    var uncapped = percentOf(cost, hundredths);
    var federal = capCents === null ? uncapped : Math.min(uncapped, capCents);
    var capApplies = uncapped > federal;
    return {
      positions: positions,
      years: years,
      capCents: capCents,
      costPerPosition: cost,
      federalPerPosition: federal,
      localPerPosition: cost - federal,
      totalCost: cost * positions,
      totalFederal: federal * positions,
      totalLocal: (cost - federal) * positions,
      capApplies: capApplies,
      // budget.py Budget.cap_note: the label beside the federal share per position.
      capNote: capApplies ? "Capped at " + formatDollars(capCents) : ""
    };
  }

  function wire(document) {
    var form = document.querySelector("[data-budget-form]");
    var output = document.querySelector("[data-budget-output]");
    if (!form || !output) { return; }
    var federalPercent = form.getAttribute("data-federal-percent");
    // No cap when the attribute is missing, empty or "None".
    var capCents = parseCents(form.getAttribute("data-per-officer-cap") || "");
    var years = parseInt(form.getAttribute("data-years"), 10);
    if (!(years >= 1 && years <= MAX_YEARS)) { years = 3; }

    function field(name) {
      var input = form.querySelector("[name='" + name + "']");
      return input ? input.value : "";
    }

    function cell(key) {
      return output.querySelector("[data-budget='" + key + "']");
    }

    function set(key, text, invalid) {
      var target = cell(key);
      if (!target) { return; }
      target.textContent = text;
      target.classList.toggle("budget-invalid", Boolean(invalid));
    }

    // Cents of an amount field: 0 while blank, null when it needs checking.
    function amount(name) {
      var text = field(name);
      return isBlank(text) ? 0 : parseCents(text);
    }

    function showAmount(key, cents) {
      if (cents === null) {
        set(key, "Check this amount", true);
      } else {
        set(key, formatMoney(cents));
      }
    }

    function update() {
      var positions = ["positions_new_hire", "positions_rehire_laid_off", "positions_rehire_scheduled"]
        .map(function (name) {
          var match = POSITIONS_PATTERN.exec(field(name));
          return match ? parseInt(match[1], 10) : 0;
        })
        .reduce(function (a, b) { return a + b; }, 0);
      var salaries = [];
      var fringes = [];
      var invalid = false;
      for (var year = 1; year <= years; year += 1) {
        var salary = amount("salary_year_" + year);
        var fringe = amount("fringe_year_" + year);
        showAmount("salary-" + year, salary);
        showAmount("fringe-" + year, fringe);
        if (salary === null || fringe === null) {
          invalid = true;
          set("year-" + year, UNKNOWN);
        } else {
          set("year-" + year, formatMoney(salary + fringe));
        }
        salaries.push(salary);
        fringes.push(fringe);
      }
      set("positions", String(positions));
      var note = cell("cap_note");
      var keys = ["cost_per_position", "federal_per_position", "local_per_position",
        "total_cost", "total_federal", "total_local"];
      if (invalid) {
        keys.forEach(function (key) { set(key, UNKNOWN); });
        if (note) { note.textContent = ""; note.hidden = true; }
        return;
      }
      var budget = computeBudget({
        positions: positions,
        salaries: salaries,
        fringes: fringes,
        federalPercent: federalPercent,
        capCents: capCents
      });
      set("cost_per_position", formatMoney(budget.costPerPosition));
      set("federal_per_position", formatMoney(budget.federalPerPosition));
      set("local_per_position", formatMoney(budget.localPerPosition));
      set("total_cost", formatMoney(budget.totalCost));
      set("total_federal", formatMoney(budget.totalFederal));
      set("total_local", formatMoney(budget.totalLocal));
      if (note) {
        note.textContent = budget.capNote;
        note.hidden = !budget.capApplies;
      }
    }

    form.addEventListener("input", update);
    update();
  }

  var api = {
    MAX_YEARS: MAX_YEARS,
    parseCents: parseCents,
    isBlank: isBlank,
    computeBudget: computeBudget,
    formatMoney: formatMoney,
    formatDollars: formatDollars
  };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = api;
  }
  if (typeof document !== "undefined") {
    wire(document);
  }
})();
