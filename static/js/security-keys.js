// Security keys (templates/registration/mfa_key_add.html and mfa_verify.html): the glue around
// django-otp-webauthn's scripts, which the page loads as a module after this file.
(function () {
  "use strict";

  // The plugin's scripts ask Django's JavaScript catalog for their words; this site is in
  // English only, and says "security key" where the plugin says "Passkey".
  var WORDS = {
    "Registering...": "Touch your security key now…",
    "Verifying...": "Touch your security key now…",
    "Finishing registration...": "Adding your key…",
    "Finishing verification...": "Checking your key…",
    "Registration aborted.": "The key was not added: the browser stopped. Try again.",
    "Registration aborted or not allowed.":
      "The key was not added: it was not touched in time or the browser refused. Try again.",
    "Registration failed. You most likely already have a Passkey registered for this site.":
      "This key is already added to your account.",
    "Verification aborted.": "The key was not checked: the browser stopped. Try again.",
    "Verification canceled or not allowed.":
      "The key was not checked: it was not touched in time, or it is not a key of this account. Try again, or enter a code.",
  };
  if (typeof window.gettext !== "function") {
    window.gettext = function (text) {
      return Object.prototype.hasOwnProperty.call(WORDS, text) ? WORDS[text] : text;
    };
  }

  function nameForm() {
    return document.querySelector("[data-key-name-form]");
  }

  // Once the browser has registered the new key, post its name with the key's id (which the
  // plugin's last step answers with).
  document.addEventListener("otp_webauthn.register_complete", function (event) {
    var form = nameForm();
    if (!form || !event.detail || !event.detail.id) return;
    form.querySelector("input[name='credential']").value = event.detail.id;
    form.submit();
  });

  // Enter in the name field starts adding the key, as the button does.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form !== nameForm() || form.querySelector("input[name='credential']").value) return;
    var button = document.getElementById("passkey-register-button");
    if (button) {
      event.preventDefault();
      if (!button.disabled) button.click();
    }
  });
})();
