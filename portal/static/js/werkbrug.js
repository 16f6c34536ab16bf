/*
 * Werkbrug: small progressive enhancements. Every page also works without this file.
 * Loaded as an external file (the Content-Security-Policy allows no inline scripts).
 *
 * 1. A form with errors: move focus to the error summary, so screen readers read it first.
 * 2. A link in the error summary: move focus to the field itself and show its label above it
 *    (a plain #fragment link only scrolls; it does not put the cursor in the field).
 */
(function () {
  "use strict";

  function labelFor(control) {
    var fieldset = control.closest("fieldset");
    if (control.type === "radio" && fieldset) {
      return fieldset.querySelector("legend") || fieldset;
    }
    return document.querySelector("label[for='" + control.id + "']") || control;
  }

  function onSummaryClick(event) {
    var link = event.target.closest(".werkbrug-error-summary a[href^='#']");
    if (!link) {
      return;
    }
    var control = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!control) {
      return;
    }
    event.preventDefault();
    labelFor(control).scrollIntoView({ block: "start" });
    control.focus({ preventScroll: true });
  }

  function focusSummary() {
    var summary = document.getElementById("foutoverzicht");
    if (summary) {
      summary.focus();
    }
  }

  document.addEventListener("click", onSummaryClick);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
})();
