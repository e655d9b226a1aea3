// "Add another partner" on the SRO page. Without JavaScript the button submits the page with
// add_partner, and the server shows it again with one more blank partner. With it, the button
// copies the formset's empty form (the <template>, Django's empty_form with the __prefix__
// placeholder) into the list and counts it in partners-TOTAL_FORMS; nothing is sent until the
// person saves.
(function () {
  "use strict";

  var PLACEHOLDER = "__prefix__";
  var ATTRIBUTES = ["id", "name", "for", "aria-describedby", "aria-controls"];

  function renumber(root, index) {
    root.querySelectorAll("*").forEach(function (element) {
      ATTRIBUTES.forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value && value.indexOf(PLACEHOLDER) !== -1) {
          element.setAttribute(attribute, value.split(PLACEHOLDER).join(String(index)));
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.querySelector("[data-partners]");
    if (!container) {
      return;
    }
    var button = container.querySelector("[data-add-partner]");
    var template = container.querySelector("template[data-partner-template]");
    var list = container.querySelector("[data-partner-list]");
    var total = container.querySelector("input[name$='-TOTAL_FORMS']");
    var max = parseInt(container.getAttribute("data-max"), 10);
    if (!button || !template || !list || !total) {
      return;
    }
    button.type = "button"; // no round trip to the server
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (isNaN(index) || index >= max) {
        return;
      }
      var copy = template.content.cloneNode(true);
      renumber(copy, index);
      var block = copy.querySelector("[data-partner-block]");
      block.setAttribute("data-testid", "partner-form");
      var legend = block.querySelector("[data-partner-legend]");
      if (legend) {
        legend.textContent = "School partner " + (index + 1);
      }
      list.appendChild(copy);
      total.value = String(index + 1);
      button.hidden = index + 1 >= max;
      var first = block.querySelector("input:not([type=hidden]), textarea, select");
      if (first) {
        first.focus();
      }
    });
  });
})();
