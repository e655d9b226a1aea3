// Buttons marked data-print print the page (the roster's print stylesheet lays it out for
// paper). Hidden until this script runs: without it the browser's own Print still works.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
});
