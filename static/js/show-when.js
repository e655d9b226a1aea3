// Questions that only matter for some answers carry data-show-when (applications/sections.py
// shown_when): "sro_commitment=True", "match_waiver=partial,full" (one of these values) or
// "positions_rehire_scheduled>0" (a number above). While the condition is false they are hidden.
// Hiding never clears what was typed, a block holding an error message is never hidden, and
// without JavaScript every question stays visible.
(function () {
  "use strict";

  function parse(text) {
    var match = /^([\w-]+)(=|>)(.*)$/.exec(text || "");
    if (!match) {
      return null;
    }
    return { name: match[1], operator: match[2], values: match[3].split(",") };
  }

  function answer(form, name) {
    var field = form.elements.namedItem(name);
    if (!field) {
      return null;
    }
    if (field.type === "checkbox") {
      return field.checked ? field.value : "";
    }
    return field.value; // a RadioNodeList's value is the checked radio's, or ""
  }

  function holds(form, rule) {
    var value = answer(form, rule.name);
    if (value === null) {
      return true; // the question is not on this page: show what depends on it
    }
    if (rule.operator === ">") {
      var number = Number(value);
      return value.trim() !== "" && !isNaN(number) && number > Number(rule.values[0]);
    }
    return rule.values.indexOf(value) !== -1;
  }

  function enhance(form) {
    var blocks = [];
    form.querySelectorAll("[data-show-when]").forEach(function (element) {
      var rule = parse(element.getAttribute("data-show-when"));
      if (rule) {
        blocks.push({ element: element, rule: rule });
      }
    });
    if (!blocks.length) {
      return;
    }
    function update() {
      blocks.forEach(function (block) {
        var hasError = block.element.querySelector(
          ".usa-form-group--error, .usa-error-message, .usa-alert--error"
        );
        block.element.hidden = !hasError && !holds(form, block.rule);
      });
    }
    form.addEventListener("change", update);
    form.addEventListener("input", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-show-when-form]").forEach(enhance);
  });
})();
