// Buttons marked data-history-back return to the previous page through the browser's history,
// so a form comes back with what the user typed. They are shown only when that page was on this
// site; without JavaScript, or after arriving from elsewhere, they stay hidden and the links remain.
document.addEventListener("DOMContentLoaded", function () {
  var fromThisSite = false;
  try {
    fromThisSite = new URL(document.referrer).origin === window.location.origin;
  } catch (error) {
    // No referrer (typed address, bookmark, another site's link with no referrer).
  }
  if (!fromThisSite || window.history.length < 2) {
    return;
  }
  document.querySelectorAll("[data-history-back]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.history.back();
    });
  });
});
