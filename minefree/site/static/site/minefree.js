// minefree: keep the keyboard focus where the work is.
// A link or a redirect to "#some-field" (a finding's field, a row) scrolls there and also
// focuses the field, or the first field of the row, so a focal point can correct it at once.
(function () {
  "use strict";
  var EDITABLE = "input:not([type=hidden]):not([disabled]), textarea, select";

  function focusTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!id) { return; }
    var target = document.getElementById(id);
    if (!target) { return; }
    var field = target.matches(EDITABLE) ? target : target.querySelector(EDITABLE);
    if (field) { field.focus(); }
  }

  document.addEventListener("DOMContentLoaded", focusTarget);
  window.addEventListener("hashchange", focusTarget);
})();
