// The workshop report's print button (a static file: the dashboard's CSP allows no inline script).
(function () {
  "use strict";
  var button = document.getElementById("afdrukken");
  if (button) button.addEventListener("click", function () { window.print(); });
})();
