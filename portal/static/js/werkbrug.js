/*
 * Werkbrug: small progressive enhancements. Every page also works without this file.
 * Loaded as an external file (the Content-Security-Policy allows no inline scripts).
 *
 * 1. A form with errors: move focus to the error summary, so screen readers read it first.
 * 2. A link in the error summary: move focus to the field itself and show its label above it
 *    (a plain #fragment link only scrolls; it does not put the cursor in the field).
 * 3. The menu button: on a phone the main menu folds behind it (the CSS hides the menu while the
 *    button says aria-expanded="false"). Without this file the button stays hidden and the menu open.
 *    Escape closes the open menu and puts focus back on the button.
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

  function setMenu(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function initMenu() {
    var button = document.querySelector(".werkbrug-menu-button");
    var menu = document.getElementById("hoofdmenu");
    if (!button || !menu) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      setMenu(button, button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      var inside = menu.contains(document.activeElement) || document.activeElement === button;
      if (event.key === "Escape" && inside && button.getAttribute("aria-expanded") === "true") {
        setMenu(button, false);
        button.focus();
      }
    });
  }

  function onReady() {
    initMenu();
    focusSummary();
  }

  document.addEventListener("click", onSummaryClick);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onReady);
  } else {
    onReady();
  }
})();
