// minefree: keep the keyboard focus where the work is.
// A link or a redirect to "#some-field" (a finding's field, a row) scrolls there and also
// focuses the field, or the first field of the row, so a focal point can correct it at once.
// The skip link's target (the main landmark) is left to the browser: the next Tab goes to
// the content's first link or field, not past a field focused a moment after the jump.
(function () {
  "use strict";
  var EDITABLE = "input:not([type=hidden]):not([disabled]), textarea, select";

  function focusTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!id) { return; }
    var target = document.getElementById(id);
    if (!target || target.matches("main")) { return; }
    var field = target.matches(EDITABLE) ? target : target.querySelector(EDITABLE);
    if (field) { field.focus(); }
  }

  document.addEventListener("DOMContentLoaded", focusTarget);
  window.addEventListener("hashchange", focusTarget);

  // htmx, without inline handlers (the Content-Security-Policy forbids them).
  // A refused row (422) or a stale change (409) comes back as the row to correct: inside an
  // element with data-swap-statuses="422 409" those answers are swapped in, not dropped.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var holder = event.target instanceof Element && event.target.closest("[data-swap-statuses]");
    if (!holder) { return; }
    var statuses = holder.getAttribute("data-swap-statuses").split(/\s+/);
    if (statuses.indexOf(String(event.detail.xhr.status)) !== -1) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // A form marked data-reset-on-success is emptied once htmx has sent it successfully.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target instanceof Element && event.target.closest("form[data-reset-on-success]");
    if (form && event.detail.successful) { form.reset(); }
  });
})();
