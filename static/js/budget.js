// Live budget on the officer request page. Mirrors applications/budget.py in whole cents
// (no floating-point money); the server recomputes everything when the section is saved.
(function () {
  "use strict";
  var form = document.querySelector("[data-budget-form]");
  if (!form) { return; }
  var output = document.querySelector("[data-budget-output]");
  var federalPercent = form.getAttribute("data-federal-percent");
  var capCents = toCents(form.getAttribute("data-per-officer-cap"));
  var years = parseInt(form.getAttribute("data-years"), 10) || 3;

  function toCents(text) {
    var value = String(text || "").replace(/[$,\s]/g, "");
    if (!/^\d+(\.\d*)?$/.test(value)) { return 0; }
    var parts = value.split(".");
    var cents = (parts[1] || "").concat("000");
    var whole = parseInt(parts[0], 10) * 100 + parseInt(cents.slice(0, 2), 10);
    return parseInt(cents.charAt(2), 10) >= 5 ? whole + 1 : whole;
  }

  function percentOf(cents, percentText) {
    // cents x percent / 100, rounded half up, with the percent held as hundredths.
    var hundredths = toCents(percentText);
    return Math.floor((cents * hundredths + 5000) / 10000);
  }

  function money(cents) {
    var dollars = Math.floor(cents / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var rest = String(cents % 100);
    return "$" + dollars + "." + (rest.length === 1 ? "0" + rest : rest);
  }

  function field(name) {
    var input = form.querySelector("[name='" + name + "']");
    return input ? input.value : "";
  }

  function set(key, text) {
    var cell = output.querySelector("[data-budget='" + key + "']");
    if (cell) { cell.textContent = text; }
  }

  function update() {
    var positions = ["positions_new_hire", "positions_rehire_laid_off", "positions_rehire_scheduled"]
      .map(function (name) { return parseInt(field(name), 10) || 0; })
      .reduce(function (a, b) { return a + b; }, 0);
    var cost = 0;
    for (var year = 1; year <= years; year += 1) {
      var salary = toCents(field("salary_year_" + year));
      var fringe = toCents(field("fringe_year_" + year));
      set("salary-" + year, money(salary));
      set("fringe-" + year, money(fringe));
      set("year-" + year, money(salary + fringe));
      cost += salary + fringe;
    }
    var federal = Math.min(percentOf(cost, federalPercent), capCents);
    set("positions", String(positions));
    set("cost_per_position", money(cost));
    set("federal_per_position", money(federal));
    set("local_per_position", money(cost - federal));
    set("total_cost", money(cost * positions));
    set("total_federal", money(federal * positions));
    set("total_local", money((cost - federal) * positions));
  }

  form.addEventListener("input", update);
  update();
})();
